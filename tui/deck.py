"""Markdown question documents -> decks of flashcards. Pure: text in, deck out (no textual, no torch).

A document in the style of the series "PyTorch知识点总结" has an optional table of contents, a `#` title, a numbered
question list (`21. 如何...？`) and one section per answered question (`## 21. 如何...？` followed by the answer).
Every numbered question is a card: a section gives it its answer (the exact source lines, sub-headings, code and
math included); a list entry without a section is an unanswered card. Card identity is (deck, number).

An answer may open with a recitable core followed by a `<details>` block (tui/card_parts.py): the core is what the
review screen shows first and what typed answers are compared with. A section holding `<!-- same-as: N -->` is a
repeat of question N: it keeps its heading, never becomes a separate card to study, and shares N's exercise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.series import SERIES_NUMBERS, part_of_title

from tui.card_parts import answer_parts, split_answer
from tui.markdown_blocks import (
    NUMBER_START,
    Heading,
    NumberedEntry,
    code_spans,
    ends_open,
    join_lines,
    numbered_entries,
    normalize_source,
    split_numbered,
    tokenize,
    top_level_headings,
    trim_blank_lines,
)

_ASCII_PUNCTUATION = r"""!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"""
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
QUESTION_HINT = "expected headings like '## 21. 问题' or a numbered list like '21. 问题'"


class DeckError(Exception):
    """A document that cannot become a deck; names the file and (1-based) line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CodeBlock:
    """A code block of an answer: its language ("" when none), code, and 1-based line of the opening fence."""

    language: str
    code: str
    line: int


@dataclass(frozen=True)
class Card:
    """One question of a deck with its answer Markdown ("" when unanswered).

    `answer` is the whole section as written; `core` is the part before a `<details>` block (the whole answer when
    there is none) and `details` what the block holds ("" when none). `same_as` is the question this one repeats
    (`<!-- same-as: N -->`), None for an ordinary card; a repeat's topic is N. Cards built in code may leave core,
    details and same_as out: they are then read from the answer.
    """

    deck: str
    number: int
    question: str
    answer: str
    code_blocks: tuple[CodeBlock, ...]
    source: str
    line: int
    topic: int
    core: str | None = None
    details: str | None = None
    same_as: int | None = None

    def __post_init__(self) -> None:
        if self.core is None:
            parts = split_answer(self.answer)
            object.__setattr__(self, "core", parts.core)
            object.__setattr__(self, "details", parts.details if self.details is None else self.details)
            if self.same_as is None:
                object.__setattr__(self, "same_as", parts.same_as)
        elif self.details is None:
            object.__setattr__(self, "details", "")

    @property
    def is_repeat(self) -> bool:
        """Whether this question repeats another one (`<!-- same-as: N -->`): it is studied as that card."""
        return self.same_as is not None

    @property
    def answered(self) -> bool:
        """Whether the source gives an answer."""
        return bool(self.answer.strip())

    @property
    def key(self) -> tuple[str, int]:
        """Stable identity (deck, number): it survives edits of the question and answer text."""
        return (self.deck, self.number)


@dataclass(frozen=True)
class Deck:
    """A parsed document: its id (file stem), title, source path and cards ordered by number."""

    name: str
    title: str
    source: str
    cards: tuple[Card, ...] = field(default=())


@dataclass(frozen=True)
class Problem:
    """Something that stops a document from being a deck, at a 1-based line (None: the whole file)."""

    line: int | None
    message: str


@dataclass(frozen=True)
class _Section:
    number: int
    question: str
    heading: Heading
    body_end: int  # 0-based line where the answer stops (exclusive)


def deck_name(source: str, name: str | None = None) -> str:
    """The deck id: `name` when given, else the stem of the source path."""
    return name or Path(source).stem or "deck"


def parse_deck(text: str, source: str = "<text>", name: str | None = None) -> Deck:
    """Parse a Markdown question document into a Deck; raise DeckError for the first problem found."""
    deck, problems = check_deck(text, source, name)
    if problems or deck is None:
        first = problems[0] if problems else Problem(None, f"no questions found; {QUESTION_HINT}")
        raise DeckError(source, first.line, first.message)
    return deck


def check_deck(text: str, source: str = "<text>", name: str | None = None) -> tuple[Deck | None, list[Problem]]:
    """Parse a document and list every problem instead of stopping at the first.

    The deck is None when there is nothing to build one from (empty file, no questions); with duplicate question
    numbers it holds the first occurrence of each number, and the problems say which lines clash.
    """
    text = normalize_source(text)
    if not text.strip():
        what = "the file is empty" if not text else "the file has only blank lines"
        return None, [Problem(1, f"{what}; {QUESTION_HINT}")]
    lines = text.split("\n")
    tokens = tokenize(text)
    headings = top_level_headings(tokens)
    level = _question_level(headings)
    problems: list[Problem] = []
    sections = _unique(_sections(headings, level, len(lines)), problems)
    title_heading = _title_heading(headings, sections)
    list_end = min((s.heading.start for s in sections.values()), default=len(lines))
    toc_end = title_heading.start if title_heading else 0  # links before the title are a table of contents
    found = numbered_entries(tokens, 0, list_end)
    entries = _unique((entry for entry in found if not (entry.linked and entry.line < toc_end)), problems)
    if not sections and not entries:
        return None, [Problem(1, f"no questions found; {QUESTION_HINT}")]
    deck_id = deck_name(source, name)
    cards = []
    markers: dict[int, int] = {}  # number -> line of its same-as marker
    for number in sorted(sections.keys() | entries.keys()):
        section, entry = sections.get(number), entries.get(number)
        card, marker_line, card_problems = _card(deck_id, source, number, section, entry, lines, tokens)
        cards.append(card)
        problems += card_problems
        if marker_line is not None:
            markers[number] = marker_line
    title = title_heading.plain if title_heading else ""
    problems += _repeat_problems(cards, markers, part_of_title(title) is not None)
    problems.sort(key=lambda problem: problem.line or 0)
    return Deck(deck_id, title or deck_id, source, tuple(cards)), problems


def read_deck(path: Path) -> Deck:
    """Read a UTF-8 document (a BOM is fine) and parse it; DeckError names the file and line of any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError(str(path), None, "no such file") from None
    except IsADirectoryError:
        raise DeckError(str(path), None, "is a directory, not a Markdown file") from None
    except OSError as error:
        raise DeckError(str(path), None, f"cannot read the file: {error.strerror or error}") from None
    return parse_deck(decode_document(data, str(path)), source=str(path), name=path.stem)


def decode_document(data: bytes, source: str) -> str:
    """Bytes -> text as UTF-8 (with or without BOM); DeckError at the line of the first undecodable byte."""
    if data.startswith(_UTF16_BOMS):
        raise DeckError(source, 1, "the file is UTF-16; save it as UTF-8")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(re.split(rb"\r\n|\r|\n", body[: error.start]))
        byte = body[error.start]
        raise DeckError(source, line, f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8") from None


def render_deck(deck: Deck) -> str:
    """The deck as Markdown in the series' style; parsing it gives the same deck (source and line numbers aside).

    Title, the numbered question list, then one section per answered question. An unanswered question whose text
    would not read back the same as a list entry gets an empty section instead.
    """
    listed = [card for card in deck.cards if card.question and _reads_as_entry(card)]
    sectioned = [card for card in deck.cards if card.answer or card not in listed]
    # An answer that leaves a block open (e.g. an unclosed fence) swallows what follows it, so it goes last.
    sectioned.sort(key=lambda card: (bool(card.answer) and ends_open(card.answer), card.number))
    level = 1 if any(_has_heading_at(card.answer, 2) for card in sectioned) else 2
    parts = [_render_title(deck.title)] if deck.title else []
    parts += [f"{card.number}. {card.question}" for card in listed]
    for card in sectioned:
        heading = f"{'#' * level} {card.number}." + (f" {card.question}" if card.question else "")
        if heading.endswith("#"):  # a closing sequence keeps a trailing '#' in the question
            heading += " #"
        parts.append(heading)
        if card.answer:
            parts.append(card.answer)
    return "\n\n".join(parts) + "\n"


def _reads_as_entry(card: Card) -> bool:
    """Whether `21. question` reads back as exactly this list entry."""
    line = f"{card.number}. {card.question}"
    entries = list(numbered_entries(tokenize(line), 0, 1))
    return [(e.number, e.text, e.linked) for e in entries] == [(card.number, card.question, False)]


def _question_level(headings: list[Heading]) -> int | None:
    """The heading level of question sections: the shallowest level with numbered headings.

    A lone numbered `#` heading that opens the document is its title ("# 2023. 面试笔记") when deeper numbered
    headings follow; numbered headings deeper than the question level are sub-headings of answers.
    """
    numbered = [h for h in headings if split_numbered(h.content) is not None]
    levels = sorted({h.level for h in numbered})
    if not levels:
        return None
    top = [h for h in numbered if h.level == levels[0]]
    lone_title = levels[0] == 1 and len(top) == 1 and top[0] is headings[0]
    if lone_title and len(levels) > 1 and sum(h.level == levels[1] for h in numbered) > 1:
        return levels[1]
    return levels[0]


def _sections(headings: list[Heading], level: int | None, line_count: int) -> list[_Section]:
    """Question headings at the question level; each answer runs until the next heading as shallow or shallower."""
    if level is None:
        return []
    sections = []
    for position, heading in enumerate(headings):
        numbered = split_numbered(heading.content) if heading.level == level else None
        if numbered is None:
            continue
        later = (h.start for h in headings[position + 1 :] if h.level <= level)
        sections.append(_Section(numbered[0], join_lines(numbered[1].split("\n")), heading, next(later, line_count)))
    return sections


def _unique(items, problems: list[Problem]) -> dict:
    """Items (sections or list entries) by number, keeping the first; a repeated number is a problem."""
    seen: dict = {}
    for item in items:
        if item.number in seen:
            first, again = _line_of(seen[item.number]), _line_of(item)
            problems.append(
                Problem(again, f"question {item.number} appears twice (line {first} and line {again}); "
                "give each question its own number")
            )
        else:
            seen[item.number] = item
    return seen


def _line_of(item: _Section | NumberedEntry) -> int:
    return (item.heading.start if isinstance(item, _Section) else item.line) + 1


def _title_heading(headings: list[Heading], sections: dict) -> Heading | None:
    """The first `#` heading that is not a question and comes before the first question section."""
    question_starts = {section.heading.start for section in sections.values()}
    first_section = min(question_starts, default=None)
    for heading in headings:
        if first_section is not None and heading.start >= first_section:
            return None
        if heading.level == 1 and heading.start not in question_starts:
            return heading
    return None


def _card(
    deck_id, source, number, section: _Section | None, entry: NumberedEntry | None, lines, tokens
) -> tuple[Card, int | None, list[Problem]]:
    """A card from its section (answer, line) and/or its list entry (question when the heading has none), with the
    line of its same-as marker (None when it has none) and the problems of its answer."""
    question = (section.question if section else "") or (entry.text if entry else "")
    if section is None:
        assert entry is not None
        return Card(deck_id, number, question, "", (), source, entry.line + 1, number, "", "", None), None, []
    body_start = section.heading.end
    answer = trim_blank_lines("\n".join(lines[body_start : section.body_end]), blank=" \t")
    blocks = tuple(
        CodeBlock(span.language, span.code, span.line + 1) for span in code_spans(tokens, body_start, section.body_end)
    )
    parts = answer_parts(lines, tokens, body_start, section.body_end)
    topic = number if parts.same_as is None else parts.same_as
    card = Card(deck_id, number, question, answer, blocks, source, section.heading.start + 1, topic, parts.core,
                parts.details, parts.same_as)
    return card, parts.marker_line, [Problem(line, f"question {number}: {message}") for line, message in parts.problems]


def _repeat_problems(cards: list[Card], markers: dict[int, int], series: bool) -> list[Problem]:
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


def _render_title(title: str) -> str:
    """`# title`, escaped (Markdown punctuation, a leading question number) when the plain form would read differently."""
    plain = f"# {title}"
    if _read_title(plain) == title:
        return plain
    escaped = re.sub(rf"([{_ASCII_PUNCTUATION}])", r"\\\1", join_lines(title.split("\n")))
    numbered = NUMBER_START.match(escaped)
    if numbered is not None:  # a character reference keeps "# 2023．笔记" from reading as question 2023
        at = numbered.start("number")
        escaped = f"{escaped[:at]}&#{ord(escaped[at])};{escaped[at + 1:]}"
    return f"# {escaped}"


def _read_title(markdown: str) -> str | None:
    """The title that `# ...` reads back as, or None when it would be a question."""
    headings = top_level_headings(tokenize(markdown))
    if len(headings) != 1 or headings[0].level != 1 or split_numbered(headings[0].content) is not None:
        return None
    return headings[0].plain


def _has_heading_at(markdown: str, level: int) -> bool:
    """Whether the Markdown has a top-level heading at `level` or shallower."""
    return bool(markdown) and any(h.level <= level for h in top_level_headings(tokenize(normalize_source(markdown))))
