"""From what a reader found to cards: answers cut from the document, placeholders, identity, numbering, repeats,
what was skipped, and the score the detector compares (tui/formats/detect.py).

Every reader of tui/formats/ (but the series', which keeps its own exact rules) lists RawCards; `build` turns them
into a Reading: the deck, its problems, informational notes, the lines it skipped, and per-card weights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.card_parts import split_answer
from tui.cards import Card, CodeBlock, Deck, Problem
from tui.formats.document import Document
from tui.formats.identity import IDENT_BASE, identity_words, text_idents
from tui.formats.text import is_navigation_line, is_placeholder, is_separator_line, question_like
from tui.markdown_blocks import code_spans, normalize_source, tokenize, trim_blank_lines
from tui.series import SERIES_NUMBERS

CARD_ID = re.compile(r"\s*<!--\s*card-id\s*[:：=]?\s*(?P<value>[^\s>]*)\s*-->\s*$", re.IGNORECASE)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
CARD_ID_EXAMPLE = "<!-- card-id: 4503599627370497 -->"


@dataclass(frozen=True)
class RawCard:
    """A question a reader found, before it is a Card. Lines are 0-based; the answer is document lines
    [start, end) (the first one replaced by `head` when the answer starts mid-line), or `answer` outright."""

    question: str
    line: int
    start: int = 0
    end: int = 0
    head: str | None = None
    answer: str | None = None
    number: int | None = None      # the written question number, when it is a whole number
    numbered: bool = False         # the question carries a written number (whole or dotted: "Q1.2")
    tags: tuple[str, ...] = ()
    identity: str | None = None    # what identifies the card (default: the question's words)
    marked: bool = False           # written with the convention's explicit marker (Q:, ::, ?, cloze, a field)
    dedent: int = 0                # columns of list indentation the answer's lines lose
    parent: int | None = None      # the section it sits in (duplicate numbers under one parent are a problem)
    unquote: bool = False          # the answer is a blockquote: its lines lose their `>` markers


@dataclass(frozen=True)
class Skipped:
    """Lines [line, end] (1-based, inclusive) a reading left out of every card, what they start with, and why."""

    line: int
    end: int
    text: str
    why: str


@dataclass(frozen=True)
class Reading:
    """One convention's reading of a document (see the module docstring)."""

    format: str
    deck: Deck | None
    problems: tuple[Problem, ...] = ()
    notes: tuple[Problem, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    weights: tuple[tuple[int, float], ...] = ()  # (1-based question line, weight) per card
    evidence: str = ""

    def score(self, nested: frozenset[int] = frozenset()) -> float:
        """Card weights (those whose question line is in `nested` left out) less one per problem."""
        return sum(w for line, w in self.weights if line not in nested) - len(self.problems)

    @property
    def cards(self) -> tuple[Card, ...]:
        """The reading's cards (none without a deck)."""
        return self.deck.cards if self.deck is not None else ()


@dataclass
class _Built:
    raw: RawCard
    answer: str
    first: int  # 0-based document line of the answer's first line
    blocks: tuple[CodeBlock, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    pinned: int | None = None


def card_weight(question: str, marked: bool, numbered: bool, answered: bool) -> float:
    """How much a card says the convention fits: 1 for a question-like or explicitly marked one, 0.5 for a numbered
    one, 0.25 otherwise; plus 0.5 when it has an answer."""
    base = 1.0 if marked or question_like(question) else 0.5 if numbered else 0.25
    return base + (0.5 if answered else 0.0)


def build(doc: Document, format_name: str, raws: list[RawCard], *, title: str = "", evidence: str = "",
          problems: list[Problem] | None = None, notes: list[Problem] | None = None, text_identity: bool = False,
          headings_as_sections: bool = True, covered: set[int] | None = None) -> Reading:
    """The Reading of `raws` (see the module docstring). Numbers are the written ones when every card has a whole
    number and no two clash (else the cards are numbered 1.. in document order and identified by their text);
    `text_identity` forces the latter. `covered` lines belong to cards without being in a question or answer (tags,
    schedules), so they are not reported as skipped."""
    problems = list(problems or [])
    notes = list(notes or [])
    raws = [raw for raw in raws if raw.question.strip()]
    if not raws:
        return Reading(format_name, None, tuple(problems), tuple(notes), evidence=evidence)
    built = [_answer_of(doc, raw, notes) for raw in raws]
    numbered = not text_identity and all(raw.number is not None for raw in raws)
    if numbered:
        built, numbered = _by_number(built, problems)
    keys = [raw_identity(b.raw) for b in built]
    idents = [None] * len(built) if numbered else text_idents(keys)
    _note_same_questions(built, keys, notes, numbered)
    cards = []
    for position, (item, ident) in enumerate(zip(built, idents)):
        raw = item.raw
        number = raw.number if numbered else position + 1
        parts = split_answer(item.answer)
        problems += item.problems
        problems += [Problem(item.first + line, f"question {number}: {message}") for line, message in parts.problems]
        topic = number if parts.same_as is None else parts.same_as
        cards.append(Card(doc.deck_id, number, raw.question, item.answer, item.blocks, doc.source, raw.line + 1,
                          topic, parts.core, parts.details, parts.same_as, raw.tags,
                          item.pinned if item.pinned is not None else ident))
    problems += repeat_problems(cards, {}, False)
    _check_pins(cards, problems)
    problems.sort(key=lambda problem: problem.line or 0)
    deck = Deck(doc.deck_id, title or doc.deck_id, doc.source, tuple(cards), format_name)
    weights = tuple((card.line, card_weight(card.question, item.raw.marked, item.raw.numbered, card.answered))
                    for card, item in zip(cards, built))
    skipped = skipped_lines(doc, built, headings_as_sections, covered)
    return Reading(format_name, deck, tuple(problems), tuple(notes), skipped, weights, evidence)


def ends_at_break(doc: Document, line: int, end: int) -> int:
    """Where the last answer of a document ends: at the first `---` line after its question (what follows such a
    line at the end of a document is a footer, not an answer), else at `end`."""
    breaks = [t.map[0] for t in doc.tokens if t.type == "hr" and t.level == 0 and t.map and line < t.map[0] < end]
    return min(breaks, default=end)


def raw_identity(raw: RawCard) -> str:
    """The string a card's text identity comes from."""
    if raw.identity is not None:
        return raw.identity
    return identity_words(raw.question) or raw.question.strip()


def _answer_of(doc: Document, raw: RawCard, notes: list[Problem]) -> _Built:
    """The answer text of a raw card, its first line, code blocks and card-id pin; a placeholder becomes ""."""
    if raw.answer is not None:
        text, first, region = raw.answer, raw.line, False
    else:
        lines = list(doc.lines[raw.start : raw.end])
        if lines and raw.head is not None:
            lines[0] = raw.head
        if raw.dedent:
            lines = [_dedent(line, raw.dedent) for line in lines]
        if raw.unquote:
            lines = [_QUOTE.sub("", line, count=1) for line in lines]
        while lines and (not lines[-1].strip() or is_separator_line(lines[-1]) or is_navigation_line(lines[-1])):
            lines.pop()
        lead = 0
        while lead < len(lines) and not lines[lead].strip(" \t"):
            lead += 1
        text, first, region = "\n".join(lines[lead:]), raw.start + lead, True
        text = trim_blank_lines(text, blank=" \t")
    pinned, problems = None, []
    first_line, _, rest = text.partition("\n")
    pin = CARD_ID.fullmatch(first_line)
    if pin is not None:
        value = pin.group("value")
        if value.isdigit() and int(value) >= IDENT_BASE:
            pinned = int(value)
        else:
            problems.append(Problem(first + 1, f"the card-id marker needs the id `quiz check --json` shows, e.g. "
                                               f"{CARD_ID_EXAMPLE} (found {value!r})"))
        text, first = trim_blank_lines(rest, blank=" \t"), first + 1 + _leading_blank(rest)
    if text.strip() and is_placeholder(text):
        notes.append(Problem(first + 1, f"{_preview(text)!r} only holds a place: the question counts as unanswered"))
        text = ""
    if not text:
        return _Built(raw, "", first, (), problems, pinned)
    if region and not raw.dedent and not raw.unquote and raw.head is None and pin is None:
        spans = code_spans(doc.tokens, first, raw.end)
    else:
        spans = code_spans(tokenize(normalize_source(text)), 0, text.count("\n") + 1)
        spans = [type(span)(span.language, span.code, span.line + first) for span in spans]
    blocks = tuple(CodeBlock(span.language, span.code, span.line + 1) for span in spans)
    return _Built(raw, text, first, blocks, problems, pinned)


def _leading_blank(text: str) -> int:
    count = 0
    for line in text.split("\n"):
        if line.strip(" \t"):
            break
        count += 1
    return count


def _dedent(line: str, columns: int) -> str:
    """The line without up to `columns` leading spaces (a tab counts as 4)."""
    expanded = line.expandtabs(4) if line.startswith("\t") else line
    spaces = len(expanded) - len(expanded.lstrip(" "))
    return expanded[min(spaces, columns) :]


def _preview(text: str, width: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _by_number(built: list[_Built], problems: list[Problem]) -> tuple[list[_Built], bool]:
    """Cards sorted by their written numbers. A number written twice under one parent is a problem (the first is
    kept, as in the series); written again under different parents, the numbering restarts per section and the
    cards are identified by their text instead (returns False)."""
    seen: dict[int, _Built] = {}
    duplicates = []
    for item in built:
        number = item.raw.number
        if number in seen:
            duplicates.append((seen[number], item))
        else:
            seen[number] = item
    if duplicates and any(first.raw.parent != again.raw.parent for first, again in duplicates):
        return built, False
    for first, again in duplicates:
        a, b = first.raw.line + 1, again.raw.line + 1
        problems.append(Problem(b, f"question {again.raw.number} appears twice (line {a} and line {b}); "
                                   "give each question its own number"))
    return sorted(seen.values(), key=lambda item: item.raw.number), True


def _note_same_questions(built: list[_Built], keys: list[str], notes: list[Problem], numbered: bool) -> None:
    """A note for each question whose words repeat an earlier one (told apart by their order)."""
    if numbered:
        return
    first: dict[str, int] = {}
    for item, key in zip(built, keys):
        line = item.raw.line + 1
        if key in first:
            notes.append(Problem(line, f"this question reads the same as the one at line {first[key]}; the two "
                                       "are told apart by their order"))
        else:
            first[key] = line


def _check_pins(cards: list[Card], problems: list[Problem]) -> None:
    """Two cards pinned (card-id) or identified the same way is a problem."""
    seen: dict[tuple, int] = {}
    for card in cards:
        if card.key in seen:
            problems.append(Problem(card.line, f"this card has the same identity as the one at line "
                                               f"{seen[card.key]}; remove one of the card-id markers"))
        else:
            seen[card.key] = card.line


def repeat_problems(cards: list[Card], markers: dict[int, int], series: bool) -> list[Problem]:
    """Same-as markers that point nowhere: at the card itself; in a part of the series, outside 1-70 (a target in
    another part is checked when the decks are loaded); in any other document, at a question it does not have; or
    at another repeat."""
    by_number = {card.number: card for card in cards}
    problems = []
    for card in cards:
        target = card.same_as
        if target is None:
            continue
        line = markers.get(card.number, card.line)
        if target == card.number:
            problems.append(Problem(line, f"question {card.number} is marked same-as {target}, itself; "
                                          "point to the question it repeats"))
        elif series and target not in SERIES_NUMBERS:
            problems.append(Problem(line, f"question {card.number}: same-as {target} is not a question of the "
                                          f"series ({SERIES_NUMBERS[0]}-{SERIES_NUMBERS[-1]})"))
        elif not series and target not in by_number:
            problems.append(Problem(line, f"question {card.number}: same-as {target}, but this document has no "
                                          f"question {target}"))
        elif target in by_number and by_number[target].same_as is not None:
            problems.append(Problem(line, f"question {card.number}: same-as {target}, which is itself a repeat (of "
                                          f"{by_number[target].same_as}); point to {by_number[target].same_as}"))
    return problems


def skipped_lines(doc: Document, built: list[_Built] | None, headings_as_sections: bool = True,
                  covered: set[int] | None = None) -> tuple[Skipped, ...]:
    """Non-blank lines outside every card (front matter aside), in runs, each with why it is not a card."""
    covered = set(covered or ())
    starts = []
    for item in built or ():
        raw = item.raw
        end = max(raw.end, raw.line + 1) if raw.answer is None else raw.line + 1
        covered.update(range(raw.line, end))
        starts.append(raw.line)
    if doc.front_matter is not None:
        covered.update(range(*doc.front_matter))
    first_card, last_card = min(starts, default=0), max(starts, default=0)
    heading_lines = {h.start: h for h in doc.headings}
    title = next((h.start for h in doc.headings if h.level == 1), None)
    runs: list[Skipped] = []
    current: list[int] = []

    def flush() -> None:
        """Close the current run of skipped lines."""
        if not current:
            return
        start, end = current[0], current[-1]
        heading = heading_lines.get(start)
        if heading is not None and end == start and start == title:
            why = "the title"
        elif heading is not None and end == start:
            why = "a section heading: the cards under it carry it as a tag" if headings_as_sections and \
                heading.level > 1 and start < last_card else "a heading, not a question"
        elif start < first_card:
            why = "before the first question"
        elif start > last_card:
            why = "after the last answer"
        else:
            why = "not a question or an answer"
        runs.append(Skipped(start + 1, end + 1, _preview(doc.lines[start].strip(), 60), why))
        current.clear()

    for index, line in enumerate(doc.lines):
        if index in covered or not line.strip() or (index not in heading_lines and is_separator_line(line)):
            if index in covered:
                flush()
            continue
        if index in heading_lines:
            flush()
            current.append(index)
            flush()
            continue
        current.append(index)
    flush()
    return tuple(runs)
