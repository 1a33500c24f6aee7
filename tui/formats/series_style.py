"""The series' own convention ("PyTorch知识点总结"): numbered questions, exactly as the quiz has always read them.

A document has an optional table of contents, a `#` title, a numbered question list (`21. 如何...？`) and one
section per answered question (`## 21. 如何...？` followed by the answer). Every numbered question is a card: a
section gives it its answer (the exact source lines, sub-headings, code and math included); a list entry without a
section is an unanswered card. The question level is the shallowest level with numbered headings (a lone numbered
`#` title aside). Card identity is (deck, number).

An answer may open with a recitable core followed by a `<details>` block (tui/card_parts.py); a section holding
`<!-- same-as: N -->` is a repeat of question N. Two additions over the original reader: an answer that only holds
a place ("TODO", "待补充") makes an unanswered card, and a `<!-- card-id: N -->` line opening a section pins the
card's identity (what render_deck writes for cards identified by their text).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.card_parts import answer_parts
from tui.cards import Card, CodeBlock, Deck, Problem
from tui.formats.build import CARD_ID, CARD_ID_EXAMPLE, Reading, card_weight, repeat_problems, skipped_lines
from tui.formats.document import Document
from tui.formats.identity import IDENT_BASE
from tui.formats.text import is_placeholder
from tui.markdown_blocks import (
    Heading,
    NumberedEntry,
    code_spans,
    join_lines,
    numbered_entries,
    split_numbered,
    top_level_headings,
    trim_blank_lines,
)
from tui.series import part_of_title

NAME = "series"
QUESTION_HINT = "expected headings like '## 21. 问题' or a numbered list like '21. 问题'"


@dataclass(frozen=True)
class _Section:
    number: int
    question: str
    heading: Heading
    body_end: int  # 0-based line where the answer stops (exclusive)


def read(doc: Document) -> Reading:
    """The series' reading of a document (see the module docstring)."""
    lines = doc.raw_lines
    tokens = doc.raw_tokens
    headings = top_level_headings(tokens)
    level = question_level(headings)
    problems: list[Problem] = []
    sections = _unique(_sections(headings, level, len(lines)), problems)
    title_heading = _title_heading(headings, sections)
    list_end = min((s.heading.start for s in sections.values()), default=len(lines))
    toc_end = title_heading.start if title_heading else 0  # links before the title are a table of contents
    found = numbered_entries(tokens, 0, list_end)
    entries = _unique((entry for entry in found if not (entry.linked and entry.line < toc_end)), problems)
    if not sections and not entries:
        return Reading(NAME, None, (Problem(1, f"no questions found; {QUESTION_HINT}"),))
    deck_id = doc.deck_id
    cards, notes, covered = [], [], set()
    markers: dict[int, int] = {}  # number -> line of its same-as marker
    for number in sorted(sections.keys() | entries.keys()):
        section, entry = sections.get(number), entries.get(number)
        card, marker_line, card_problems = _card(deck_id, doc.source, number, section, entry, lines, tokens, notes)
        cards.append(card)
        problems += card_problems
        if marker_line is not None:
            markers[number] = marker_line
        if section is not None:
            covered.update(range(section.heading.start, section.body_end))
        if entry is not None:
            covered.add(entry.line)
    title = title_heading.plain if title_heading else ""
    problems += repeat_problems(cards, markers, part_of_title(title) is not None)
    problems.sort(key=lambda problem: problem.line or 0)
    deck = Deck(deck_id, title or deck_id, doc.source, tuple(cards), NAME)
    weights = tuple((card.line, card_weight(card.question, False, True, card.answered)) for card in cards)
    listed = sum(1 for number in entries if number not in sections)
    evidence = f"{len(sections)} numbered question heading{'s' * (len(sections) != 1)}" + (
        f" and {listed} question{'s' * (listed != 1)} listed without a section" if listed else "")
    skipped = skipped_lines(doc, None, False, covered | ({title_heading.start} if title_heading else set()))
    return Reading(NAME, deck, tuple(problems), tuple(notes), skipped, weights, evidence)


def question_level(headings: list[Heading]) -> int | None:
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
    deck_id, source, number, section: _Section | None, entry: NumberedEntry | None, lines, tokens, notes
) -> tuple[Card, int | None, list[Problem]]:
    """A card from its section (answer, line) and/or its list entry (question when the heading has none), with the
    line of its same-as marker (None when it has none) and the problems of its answer."""
    question = (section.question if section else "") or (entry.text if entry else "")
    if section is None:
        assert entry is not None
        return Card(deck_id, number, question, "", (), source, entry.line + 1, number, "", "", None), None, []
    body_start = section.heading.end
    ident, pin_problems = None, []
    first = next((i for i in range(body_start, section.body_end) if lines[i].strip(" \t")), None)
    pin = CARD_ID.fullmatch(lines[first]) if first is not None else None
    if pin is not None:
        value = pin.group("value")
        if value.isdigit() and int(value) >= IDENT_BASE:
            ident = int(value)
        else:
            pin_problems.append(Problem(first + 1, f"question {number}: the card-id marker needs the id `quiz check "
                                                   f"--json` shows, e.g. {CARD_ID_EXAMPLE} (found {value!r})"))
        body_start = first + 1
    answer = trim_blank_lines("\n".join(lines[body_start : section.body_end]), blank=" \t")
    line = section.heading.start + 1
    if answer and is_placeholder(answer):
        notes.append(Problem(line, f"question {number}: the answer only holds a place; it counts as unanswered"))
        answer = ""
    if not answer:
        return Card(deck_id, number, question, "", (), source, line, number, "", "", None, (), ident), None, \
            pin_problems
    blocks = tuple(
        CodeBlock(span.language, span.code, span.line + 1) for span in code_spans(tokens, body_start, section.body_end)
    )
    parts = answer_parts(lines, tokens, body_start, section.body_end)
    topic = number if parts.same_as is None else parts.same_as
    card = Card(deck_id, number, question, answer, blocks, source, line, topic, parts.core, parts.details,
                parts.same_as, (), ident)
    return card, parts.marker_line, pin_problems + [
        Problem(at, f"question {number}: {message}") for at, message in parts.problems]
