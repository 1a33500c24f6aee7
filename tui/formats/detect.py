"""Which convention a document is written in, and its cards read that way.

The conventions (FORMATS) are read by tui/formats/<name>.py. `analyze` picks one:

1. `--format NAME` (the `format` argument), else a declaration on the document's first line
   (`<!-- quiz-format: NAME -->`), is used as it is.
2. A zip package is an Anki `.apkg`; text whose first lines are Anki's `#separator:` / `#html:` header, or a
   `.txt`/`.tsv` file whose every line holds a tab, is Anki's plain-text export.
3. Any other text is read by every Markdown convention and each reading scored: per card 1 when its question reads
   as a question or carries its convention's marker (Q:, ::, ?, a cloze, a summary), 0.5 when it is only numbered,
   0.25 otherwise, plus 0.5 when it has an answer; less 1 per problem. For the conventions written inside the text
   (qa, obsidian, details, bold), cards inside the section of a question heading are follow-ups of that question and
   do not count (Obsidian cards always count in a document that shows the plugin: a #flashcards tag, ...). The
   highest score wins; equal scores go to the earlier of PRIORITY. When the runner-up scores at least 80% of the
   winner and the two disagree about which questions there are (under half of their questions in
   common, by line or by words), the document is ambiguous: no deck, and a problem naming both and asking for
   `--format`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.cards import Deck, Problem
from tui.formats import anki_text, bold, details, headings, obsidian, qa, series_style
from tui.formats.build import Reading, Skipped
from tui.formats.document import Document
from tui.formats.identity import identity_words

from tui.format_names import FORMATS, PRIORITY  # noqa: E402 - one list for the readers and the command line
_READERS = {"series": series_style.read, "headings": headings.read, "qa": qa.read, "obsidian": obsidian.read,
            "details": details.read, "bold": bold.read, "anki-text": anki_text.read}
_INLINE = {"qa", "obsidian", "details", "bold"}
AMBIGUITY_RATIO = 0.8
_DECLARATION = re.compile(r"\s*<!--\s*quiz[-_ ]format\s*[:=]\s*(?P<name>[\w-]+)\s*-->\s*$", re.IGNORECASE)
QUESTION_HINT = ("expected headings like '## 21. 问题' or a numbered list like '21. 问题' (or another convention: "
                 "bold questions, Q:/A: pairs, Obsidian cards, <details> answers; choose one with --format)")
DESCRIPTIONS = {
    "series": "the series' style: numbered questions (`## 21. 问题`, a `21. 问题` list)",
    "headings": "headings as questions (`## What is X?`, `### Q3: …`), topic headings as tags",
    "qa": "Q/A pairs (`Q:`/`A:`, `**Q:**`, `问：`/`答：`)",
    "obsidian": "Obsidian Spaced Repetition (`front::back`, `?` multi-line cards, ==cloze==)",
    "details": "collapsible answers (`<details><summary>`) and blockquote answers",
    "bold": "bold-line questions (`**What is X?**`) and bold list items",
    "anki-text": "Anki's plain-text export (tab-separated fields)",
    "apkg": "an Anki package (.apkg)",
}


@dataclass(frozen=True)
class Candidate:
    """One convention's reading, as `quiz check` compares them."""

    format: str
    cards: int
    answered: int
    score: float
    evidence: str


@dataclass(frozen=True)
class Analysis:
    """What `analyze` found: the deck (None when there is none or the document is ambiguous), its problems, the
    convention and why, every reading that found cards, what was skipped, and informational notes."""

    deck: Deck | None
    problems: tuple[Problem, ...]
    format: str | None = None
    why: str = ""
    candidates: tuple[Candidate, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[Problem, ...] = ()
    ambiguous: bool = False


def unknown_format(name: str) -> Problem:
    """The problem of a --format that names no convention."""
    return Problem(None, f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")


def declared_format(doc: Document) -> tuple[str, int] | None:
    """(name, 1-based line) of a `<!-- quiz-format: NAME -->` on the first non-blank line."""
    for index, line in enumerate(doc.lines):
        if line.strip():
            match = _DECLARATION.fullmatch(line)
            return (match.group("name").lower(), index + 1) if match else None
    return None


def analyze(text: str, source: str = "<text>", name: str | None = None, format: str | None = None) -> Analysis:
    """The deck of a text document, read as `format` or as the convention detected (see the module docstring)."""
    doc = Document(text, source, name)
    if not doc.text.strip() and not doc.raw.strip():
        what = "the file is empty" if not text.lstrip("\ufeff") else "the file has only blank lines"
        return Analysis(None, (Problem(1, f"{what}; {QUESTION_HINT}"),))
    if format is not None:
        return _forced(doc, format, "chosen with --format")
    declared = declared_format(doc)
    if declared is not None:
        return _forced(doc, declared[0], f"declared on line {declared[1]}")
    if anki_text.looks_like(doc):
        return _forced(doc, "anki-text", anki_text.why(doc))
    readings = {fmt: reader(doc) for fmt, reader in _READERS.items() if fmt in PRIORITY}
    nested = headings.question_lines(doc)
    inline = _INLINE - ({"obsidian"} if obsidian.evidence_of(doc) else set())
    scored = []
    for fmt in PRIORITY:
        reading = readings[fmt]
        if reading.deck is None:
            continue
        scored.append((reading.score(nested if fmt in inline else frozenset()), fmt, reading))
    scored = [item for item in scored if item[0] > 0]
    candidates = tuple(_candidate(fmt, reading, score) for score, fmt, reading in
                       sorted(scored, key=lambda item: (-item[0], PRIORITY.index(item[1]))))
    if not scored:
        series = readings["series"]
        problems = series.problems if series.deck is not None else (Problem(1, f"no questions found; {QUESTION_HINT}"),)
        return Analysis(series.deck, tuple(problems), "series" if series.deck else None, "", candidates)
    scored.sort(key=lambda item: (-item[0], PRIORITY.index(item[1])))
    best_score, best_format, best = scored[0]
    for score, fmt, reading in scored[1:]:
        if score >= AMBIGUITY_RATIO * best_score and not _agree(best, reading):
            message = (f"this document fits two conventions about equally: {best_format} ({_count(best)}; "
                       f"{best.evidence}) and {fmt} ({_count(reading)}; {reading.evidence}); choose one with "
                       f"--format {best_format} or --format {fmt}")
            return Analysis(None, (Problem(None, message),), None, message, candidates, ambiguous=True)
    why = f"{best.evidence}"
    if len(scored) > 1:
        runner = scored[1]
        why += f"; it also reads as {runner[1]} ({_count(runner[2])}), which fits less well"
    return Analysis(best.deck, best.problems, best_format, why, candidates, best.skipped, best.notes)


def read_as(doc: Document, fmt: str) -> Reading:
    """The reading of a document in one named text convention (KeyError for an unknown or binary one)."""
    return _READERS[fmt](doc)


def _forced(doc: Document, fmt: str, how: str) -> Analysis:
    if fmt == "apkg":
        return Analysis(None, (Problem(None, "this is a text file, not an Anki package (.apkg)"),), fmt)
    if fmt not in _READERS:
        return Analysis(None, (unknown_format(fmt),))
    reading = _READERS[fmt](doc)
    if reading.deck is None and not reading.problems:
        reading = Reading(fmt, None, (Problem(1, f"no questions found as {fmt}: {DESCRIPTIONS[fmt]}"),))
    why = f"{DESCRIPTIONS[fmt]}, {how}" + (f": {reading.evidence}" if reading.evidence else "")
    candidate = (_candidate(fmt, reading, reading.score()),) if reading.deck is not None else ()
    return Analysis(reading.deck, reading.problems, fmt, why, candidate, reading.skipped, reading.notes)


def _candidate(fmt: str, reading: Reading, score: float) -> Candidate:
    cards = reading.cards
    return Candidate(fmt, len(cards), sum(card.answered for card in cards), round(score, 2), reading.evidence)


def _count(reading: Reading) -> str:
    cards = reading.cards
    return f"{len(cards)} card{'s' * (len(cards) != 1)}"


def _agree(one: Reading, other: Reading) -> bool:
    """Whether two readings mostly find the same questions (by line or by words)."""
    def jaccard(a: set, b: set) -> float:
        """Shared over all."""
        return len(a & b) / len(a | b) if a | b else 1.0

    lines = jaccard({c.line for c in one.cards}, {c.line for c in other.cards})
    words = jaccard({identity_words(c.question) for c in one.cards}, {identity_words(c.question) for c in other.cards})
    return max(lines, words) >= 0.5
