"""Collapsible answers (`<details><summary>…</summary> … </details>`) and blockquote answers.

A `<details>` block whose summary reads as a question is a card: the summary is the question, what the block holds
is the answer. A block whose summary only labels an answer ("Answer", "Show answer", "答案", or none) answers the
question just above it: a paragraph, a list item or a heading that reads as a question (or is numbered). A
blockquote right after such a question is its answer too (`> **答：** …`). Headings are topic sections (tags).
Numbers are the written ones when every question has one; otherwise the cards are identified by their text.
"""

from __future__ import annotations

import re

from tui.formats.build import RawCard, Reading, build
from tui.formats.document import Document, opens_with, strip_container
from tui.formats.text import A_MARKER, clean_question, is_answer_label, question_like, strip_invisible
from tui.markdown_blocks import join_lines, split_numbered

NAME = "details"
_SUMMARY = re.compile(r"<summary(?=[\s>])[^>]*>(?P<text>.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_OPEN = re.compile(r"<details(?=[\s>/])[^>]*>", re.IGNORECASE)
_EDGE_HTML = re.compile(r"\s*(?:</?p>|<br\s*/?>|</?div[^>]*>|</?blockquote>)\s*$", re.IGNORECASE)


def read(doc: Document) -> Reading:
    """The collapsible/blockquote reading of a document (see the module docstring)."""
    raws: list[RawCard] = []
    used: set[int] = set()
    summaries = blockquotes = 0
    covered: set[int] = set()
    for open_line, close_end in _all_details(doc):
        covered.update(range(open_line, close_end))
        found = _from_details(doc, open_line, close_end)
        if found is not None and found.line not in used:
            raws.append(found)
            used.add(found.line)
            summaries += 1
    for index, token in enumerate(doc.tokens):
        if token.type != "blockquote_open" or token.level != 0 or not token.map:
            continue
        question = _question_above(doc, token.map[0])
        if question is None or question[1] in used:
            continue
        text, line, number = question
        labelled = opens_with(doc.lines[token.map[0]], A_MARKER)
        raws.append(RawCard(clean_question(text), line, token.map[0], token.map[1], number=number,
                            numbered=number is not None, tags=doc.tags_above(line), unquote=True,
                            head=labelled[0] if labelled is not None else None,
                            parent=doc.section_of(line)))
        used.add(line)
        blockquotes += 1
    raws.sort(key=lambda raw: raw.line)
    evidence = f"{summaries} collapsible answer{'s' * (summaries != 1)}" + (
        f" and {blockquotes} blockquote answer{'s' * (blockquotes != 1)}" if blockquotes else "")
    return build(doc, NAME, raws, title=doc.first_heading_title(), evidence=evidence, covered=covered)


def _all_details(doc: Document) -> list[tuple[int, int]]:
    """[open line, line after the close) of every `<details>` block, top-level or inside a list item."""
    spans = []
    depth: dict[int, int] = {}
    opened: dict[int, int] = {}
    for token in doc.tokens:
        if token.type != "html_block" or not token.map:
            continue
        level = token.level
        events = sorted([(m.start(), 1) for m in _OPEN.finditer(token.content)]
                        + [(m.start(), -1) for m in _CLOSE.finditer(token.content)])
        for position, step in events:
            line = token.map[0] + token.content[:position].count("\n")
            if step > 0 and depth.get(level, 0) == 0:
                opened[level] = line
            depth[level] = max(0, depth.get(level, 0) + step)
            if step < 0 and depth[level] == 0 and level in opened:
                spans.append((opened.pop(level), line + 1))
    return sorted(spans)


def _from_details(doc: Document, open_line: int, close_end: int) -> RawCard | None:
    """The card of one `<details>` block (None when it answers nothing that reads as a question)."""
    full = "\n".join(doc.lines[open_line:close_end])
    summary = _SUMMARY.search(full)
    summary_text = strip_invisible(_TAG.sub("", summary.group("text"))).strip() if summary else ""
    after = summary.end() if summary else full.find(">") + 1
    closes = list(_CLOSE.finditer(full))
    close_at = closes[-1].start() if closes else len(full)
    inner = full[after:close_at]
    first = open_line + full[:after].count("\n")
    last = open_line + full[:close_at].count("\n")
    head_rest = full[after:].split("\n", 1)[0]
    tail_before = full[:close_at].rsplit("\n", 1)[-1] if closes else ""
    region = head = answer = None
    if first == last or tail_before.strip():
        answer = inner.strip()
    else:
        start, end = first + 1, last
        if head_rest.strip() and not _EDGE_HTML.fullmatch(head_rest):
            start, head = first, head_rest
        while start < end and start != first and doc.lines[start].strip() and _EDGE_HTML.fullmatch(doc.lines[start]):
            start += 1
        while end > start and doc.lines[end - 1].strip() and _EDGE_HTML.fullmatch(doc.lines[end - 1]):
            end -= 1
        region = (start, end)
    if summary_text and question_like(summary_text) and not is_answer_label(summary_text):
        question, line, number = summary_text, open_line, None
        numbered = split_numbered(summary_text)
        if numbered is not None:
            number, question = numbered
    elif not summary_text or is_answer_label(summary_text):
        above = _question_above(doc, open_line)
        if above is None:
            return None
        question, line, number = above
    else:
        return None
    opening = doc.lines[open_line]
    common = dict(number=number, numbered=number is not None, tags=doc.tags_above(line), marked=True,
                  parent=doc.section_of(line), dedent=len(opening) - len(opening.lstrip(" ")))
    if region is None:
        return RawCard(clean_question(question), line, answer=answer, **common)
    return RawCard(clean_question(question), line, region[0], region[1], head=head, **common)


def _question_above(doc: Document, line: int) -> tuple[str, int, int | None] | None:
    """(question, its 0-based line, written number) of the block ending right above `line`, when it reads as one."""
    above = line - 1
    while above >= 0 and not doc.lines[above].strip():
        above -= 1
    if above < 0 or above in doc.code_lines:
        return None
    for heading in doc.headings:
        if heading.start <= above < heading.end:
            text = heading.content
            numbered = split_numbered(text)
            number = numbered[0] if numbered else None
            body = numbered[1] if numbered else text
            return (body, heading.start, number) if question_like(text) or numbered else None
    for token in reversed(doc.tokens):
        if not token.map or token.map[0] > above or token.map[1] <= above:
            continue
        if token.type == "list_item_open":
            first = strip_container(doc.lines[token.map[0]])[0]
            number = int(token.info) if token.info.isdigit() else None
            return (first, token.map[0], number) if question_like(first) or number is not None else None
        if token.type == "paragraph_open" and token.level == 0:
            text = join_lines(doc.lines[token.map[0] : token.map[1]])
            numbered = split_numbered(text)
            if numbered is not None:
                return numbered[1], token.map[0], numbered[0]
            return (text, token.map[0], None) if question_like(text) else None
    return None
