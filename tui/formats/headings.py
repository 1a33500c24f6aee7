"""Headings as questions, numbered or not, at whatever level the questions sit.

`## 1. …`, `### Q3: …`, `#### 1.2 问题？`, `## What is X?`, `## Question 4` followed by a bold question line (and an
`### Answer` heading). A heading is a question when no heading above it is one and it reads as a question
(text.question_like), or it is numbered and holds no question of its own (no question-like heading under it and
fewer than two questions written in its text, and fewer than two numbered sub-headings). Every other heading is a
topic section (`## Optimization`, `# Training`): the cards under it carry it as a tag. An answer runs from its
heading to the next heading as shallow or shallower; headings inside `<details>` and headings that only label an
answer (`### Answer`, `#### Answer: D`) never end it. A top-level ordered list item opening with a heading
(`1. ### What is X`) is a question too, the rest of the item its answer. Numbers are the written ones when every
question has a whole number and none repeats under one section (a number written twice on two real questions is
a slip: the cards are then identified by their text, with a note); otherwise the cards are identified by text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui.cards import Problem
from tui.formats.build import RawCard, Reading, build
from tui.formats.document import Document, strip_container
from tui.formats.text import (
    DOTTED_NUMBER,
    Q_MARKER,
    clean_question,
    is_answer_label,
    question_like,
    strip_invisible,
    strip_markers,
    tag_text,
)
from tui.markdown_blocks import Heading, join_lines, split_numbered
from tui.series import part_of_title

NAME = "headings"


@dataclass(frozen=True)
class Node:
    """A heading with its place in the outline: its section [start, end), parent and whether it is a question."""

    heading: Heading
    end: int
    parent: int | None      # index of the parent node
    question_like: bool
    number: int | None
    numbered: bool
    question: bool


def outline(doc: Document) -> list[Node]:
    """The document's headings (answer labels left out) with their sections and which are questions."""
    headings = [h for h in doc.headings if not is_answer_label(h.plain)]
    count = len(doc.lines)
    ends, parents = [], []
    for position, heading in enumerate(headings):
        later = (h.start for h in headings[position + 1 :] if h.level <= heading.level)
        ends.append(next(later, count))
        parent = None
        for back in range(position - 1, -1, -1):
            if headings[back].level < heading.level:
                parent = back
                break
        parents.append(parent)
    infos = [_numbering(h) for h in headings]
    likes = [question_like(h.content) or question_like(h.plain) for h in headings]
    nodes: list[Node] = []
    for position, heading in enumerate(headings):
        number, numbered = infos[position]
        inside = range(position + 1, len(headings))
        below = [i for i in inside if headings[i].start < ends[position]]
        ancestor = parents[position]
        under_question = False
        while ancestor is not None:
            if nodes[ancestor].question:
                under_question = True
                break
            ancestor = parents[ancestor]
        inline = sum(1 for line in doc.inline_question_lines if heading.end <= line < ends[position])
        if under_question:
            is_question = False
        elif likes[position]:
            is_question = True
        else:
            is_question = numbered and not any(likes[i] for i in below) and inline < 2 and \
                sum(1 for i in below if infos[i][1]) < 2
        nodes.append(Node(heading, ends[position], parents[position], likes[position], number, numbered, is_question))
    return nodes


def _numbering(heading: Heading) -> tuple[int | None, bool]:
    """(whole question number or None, whether the heading is numbered at all)."""
    content = strip_markers(heading.content).strip()
    numbered = split_numbered(content)
    if numbered is not None:
        return numbered[0], True
    marker = Q_MARKER.match(content)
    if marker is not None and (marker.group("number") or marker.group("nth")):
        written = marker.group("number") or marker.group("nth")
        return (int(written) if written.isdigit() else None), True
    return None, False


def question_lines(doc: Document) -> frozenset[int]:
    """Lines inside the sections of question headings (what other conventions' questions nest in)."""
    lines: set[int] = set()
    for node in outline(doc):
        if node.question:
            lines.update(range(node.heading.start, node.end))
    return frozenset(lines)


def read(doc: Document) -> Reading:
    """The headings reading of a document (see the module docstring)."""
    nodes = outline(doc)
    questions = [n for n in nodes if n.question]
    starts = {n.heading.start for n in questions}
    title = doc.first_heading_title(starts)
    title_start = next((n.heading.start for n in nodes if n.heading.level == 1 and not n.question), None)
    raws = []
    for node in questions:
        question, start = _question_text(doc, node)
        raws.append(RawCard(question, node.heading.start, start, node.end, number=node.number,
                            numbered=node.numbered, tags=_tags_of(nodes, node.parent, title_start),
                            marked=Q_MARKER.match(strip_invisible(node.heading.content).strip()) is not None,
                            parent=node.parent))
    listed = _list_headings(doc, nodes, title_start)
    raws = sorted(raws + listed, key=lambda raw: raw.line)
    levels = sorted({n.heading.level for n in questions})
    evidence = f"{len(questions)} question heading{'s' * (len(questions) != 1)}" + (
        f" at level {', '.join(map(str, levels))}" if levels else "") + (
        f" and {len(listed)} numbered list items that open with a heading" if listed else "")
    notes: list = []
    text_identity = _clashing_numbers(raws, doc, notes)
    return build(doc, NAME, raws, title=title, evidence=evidence, notes=notes, text_identity=text_identity)


def _tags_of(nodes: list[Node], parent: int | None, title_start: int | None) -> tuple[str, ...]:
    """The topic sections above a question (the title left out), outermost first."""
    tags = []
    while parent is not None:
        if nodes[parent].heading.start != title_start:
            tags.append(tag_text(nodes[parent].heading.plain))
        parent = nodes[parent].parent
    return tuple(reversed(tags))


def _list_headings(doc: Document, nodes: list[Node], title_start: int | None) -> list[RawCard]:
    """`1. ### What is X` items of top-level ordered lists: the heading is the question, the rest of the item its
    answer (without the item's indentation); items inside a question heading's section are part of its answer."""
    found = []
    tokens = doc.tokens
    for index, token in enumerate(tokens[:-2]):
        if token.type != "list_item_open" or token.level != 1 or not token.map or not token.info.isdigit():
            continue
        heading = tokens[index + 1]
        if heading.type != "heading_open" or not heading.map or heading.map[0] != token.map[0]:
            continue
        line = token.map[0]
        container = None
        for position, node in enumerate(nodes):
            if node.heading.start < line < node.end:
                container = position
        if container is not None and any(_ancestors_or_self_question(nodes, container)):
            continue
        text = clean_question(tokens[index + 2].content)
        if not text:
            continue
        column = strip_container(doc.lines[line])[1]
        found.append(RawCard(text, line, line + 1, token.map[1], number=int(token.info), numbered=True,
                             tags=_tags_of(nodes, container, title_start), dedent=column, parent=container))
    # An item whose answer is not indented enough to stay inside it answers with what follows, up to the next
    # question or heading.
    stops = sorted({raw.line for raw in found} | {n.heading.start for n in nodes})
    for position, raw in enumerate(found):
        if any(doc.lines[i].strip() for i in range(raw.start, raw.end)):
            continue
        end = next((stop for stop in stops if stop > raw.line), len(doc.lines))
        found[position] = replace(raw, end=end, dedent=0)
    return found


def _ancestors_or_self_question(nodes: list[Node], position: int | None):
    while position is not None:
        yield nodes[position].question
        position = nodes[position].parent


def _clashing_numbers(raws: list[RawCard], doc: Document, notes: list) -> bool:
    """Whether question numbers written twice under one section should identify the cards by their text instead:
    when every clashing question reads as a question (a numbering slip, not two parts of one numbered list) and
    the document is not a part of the series. Says so in a note."""
    seen: dict = {}
    clashes = []
    for raw in raws:
        if raw.number is None:
            return False
        key = (raw.parent, raw.number)
        if key in seen:
            clashes.append((seen[key], raw))
        else:
            seen[key] = raw
    if not clashes or part_of_title(doc.first_heading_title()) is not None:
        return False
    if not all(question_like(one.question) and question_like(other.question) for one, other in clashes):
        return False
    for one, other in clashes:
        notes.append(Problem(other.line + 1, f"question {other.number} is numbered twice (line {one.line + 1} and "
                                             f"line {other.line + 1}); the cards are told apart by their text"))
    return True


def _question_text(doc: Document, node: Node) -> tuple[str, int]:
    """The question a heading asks and the line its answer starts at: a heading that is only a marker or a number
    ("## Question 4", "### Q3") takes its question from the paragraph under it."""
    content = strip_markers(node.heading.content).strip()
    numbered = split_numbered(content)
    rest = numbered[1] if numbered is not None else content
    marker = Q_MARKER.match(rest)
    if marker is not None:
        rest = rest[marker.end() :]
    dotted = DOTTED_NUMBER.match(rest)
    if dotted is not None:
        rest = rest[dotted.end() :]
    question = clean_question(rest)
    start = node.heading.end
    if question:
        return question, start
    line = start
    while line < node.end and not doc.lines[line].strip():
        line += 1
    paragraph = []
    while line < node.end and doc.lines[line].strip() and line not in doc.code_lines and \
            not doc.lines[line].lstrip().startswith(("#", "<", ">", "- ", "* ", "|", "```", "~~~")):
        paragraph.append(doc.lines[line])
        line += 1
    if paragraph:
        return clean_question(join_lines(paragraph)), line
    return clean_question(node.heading.plain) or node.heading.plain, start
