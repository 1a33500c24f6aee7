"""Bold-line questions and bold list items.

A question is a paragraph whose first line is all bold (`**What is X?**`, emoji, difficulty markers and zero-width
characters around it ignored), a line opening with a bold question (`**What is X?** It is …`), or a list item of a
top-level list whose first line is (`1. **问题**`, `- [ ] **问题**`, `+ **问题**`). The bold text must read as a
question (or carry a number: `**3. Dropout**`), so bold terms in cheat sheets are not cards; but in a document of
bold question paragraphs (three or more, three times as many as the others), a bold paragraph of its own that does
not end with a colon is a question too ("**Precision-recall trade-off ⭐️**"). A paragraph opening with a bold
number (`**1)** The number of active ads.`) is a numbered question: the paragraph is the question. A list item of
a top-level list whose first paragraph reads as a question is a question too, even without bold, in a list where
some such item holds an indented answer (`1. What is X?` then an indented paragraph). The answer is what
follows up to the next question or heading (the indented rest of a list item included, without the list's
indentation); the last answer ends at a `---` line. Headings are topic sections: the cards under one carry it as a
tag. Numbers are the written ones (in the bold text or the ordered list's markers) when every question has one and
none repeats under one section; otherwise the cards are identified by their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.formats.build import RawCard, Reading, build, ends_at_break
from tui.formats.document import Document, strip_container
from tui.formats.text import clean_question, leading_bold, question_like, strip_invisible, whole_bold
from tui.markdown_blocks import join_lines, split_numbered

NAME = "bold"
# A bold question number opening a paragraph: "**1)** The number of active ads.", "**2.** ...".
_LABEL = re.compile(r"(?P<wrap>\*\*|__)\s*(?P<number>\d{1,9})\s*[.)．、:：]\s*")


@dataclass(frozen=True)
class _Found:
    line: int
    question: str
    number: int | None
    head: str | None     # the rest of the question's line when the answer starts on it
    dedent: int
    item: bool
    after: int | None = None  # the line the answer starts at, when the question is a whole paragraph


def read(doc: Document) -> Reading:
    """The bold reading of a document (see the module docstring)."""
    found = _questions(doc)
    heading_starts = sorted(h.start for h in doc.headings)
    raws = []
    for position, item in enumerate(found):
        next_question = found[position + 1].line if position + 1 < len(found) else len(doc.lines)
        end = min([next_question] + [s for s in heading_starts if s > item.line])
        if position + 1 == len(found):
            end = ends_at_break(doc, item.line, end)
        start = item.after if item.after is not None else item.line if item.head is not None else item.line + 1
        numbered = split_numbered(item.question)
        question = clean_question(numbered[1] if numbered else item.question)
        number = numbered[0] if numbered else item.number
        raws.append(RawCard(question, item.line, start, end, head=item.head, number=number,
                            numbered=number is not None, tags=doc.tags_above(item.line), dedent=item.dedent,
                            parent=doc.section_of(item.line)))
    items = sum(f.item for f in found)
    lines = len(found) - items
    parts = ([f"{lines} bold question line{'s' * (lines != 1)}"] if lines else []) + (
        [f"{items} bold list item{'s' * (items != 1)}"] if items else [])
    evidence = " and ".join(parts) or "no bold questions"
    return build(doc, NAME, raws, title=doc.first_heading_title(), evidence=evidence)


def _questions(doc: Document) -> list[_Found]:
    """The bold questions of the document, in order."""
    found, weak = [], []
    standalone = 0
    tokens = doc.tokens
    plain: dict[int, list[tuple[_Found, bool]]] = {}  # list -> its question-like plain items (with an answer?)
    current_list = -1
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            current_list = index
        if not token.map or token.map[0] in doc.code_lines:
            continue
        if token.type == "paragraph_open" and token.level == 0:
            hit = _bold_question(doc.lines[token.map[0]], item=False)
            label = _LABEL.match(strip_invisible(doc.lines[token.map[0]]).strip())
            if hit is None and label is not None:
                text = strip_invisible(join_lines(tokens[index + 1].content.split("\n"))).strip()
                text = text[_LABEL.match(text).end() :] if _LABEL.match(text) else text
                text = text.replace(label.group("wrap"), "", 1).strip()
                if text:
                    found.append(_Found(token.map[0], text, int(label.group("number")), None, 0, False,
                                        token.map[1]))
            elif hit is not None:
                found.append(_Found(token.map[0], hit[0], None, hit[1], 0, False))
                standalone += token.map[1] - token.map[0] == 1 and hit[1] is None
            elif token.map[1] - token.map[0] == 1:
                bold = whole_bold(strip_invisible(doc.lines[token.map[0]]).strip())
                if bold is not None and not bold.rstrip().endswith((":", "：")) and len(bold) <= 120:
                    weak.append(_Found(token.map[0], bold, None, None, 0, False))
        elif token.type == "list_item_open" and token.level == 1:
            if index + 1 >= len(tokens) or tokens[index + 1].type != "paragraph_open":
                continue
            line = doc.lines[token.map[0]]
            rest, column, _ = strip_container(line)
            hit = _bold_question(rest, item=True)
            number = int(token.info) if token.info.isdigit() else None
            if hit is not None:
                found.append(_Found(token.map[0], hit[0], number, hit[1], column, True))
                continue
            text = strip_invisible(tokens[index + 2].content).strip()
            if question_like(text) and not text.startswith(("#", ">", "|")):
                end = tokens[index + 1].map[1] if tokens[index + 1].map else token.map[0] + 1
                item = _Found(token.map[0], join_lines(text.split("\n")), number, None, column, True, end)
                plain.setdefault(current_list, []).append((item, _holds_blocks(tokens, index)))
    # Plain question items count in a list where some of them hold an indented answer.
    for items in plain.values():
        if any(answered for _, answered in items):
            found += [item for item, _ in items]
    found.sort(key=lambda item: item.line)
    # In a document of bold question paragraphs, a bold paragraph that does not read as a question (a topic
    # phrase: "**Precision-recall trade-off ⭐️**") is one of them too.
    if standalone >= 3 and standalone >= 3 * len(weak):
        found = sorted(found + weak, key=lambda item: item.line)
    _auto_numbers(found, tokens)
    return found


def _holds_blocks(tokens, index: int) -> bool:
    """Whether the list item opening at tokens[index] holds more blocks after its first paragraph (an answer)."""
    item = tokens[index]
    depth = 0
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.type == "list_item_close" and token.level == item.level:
            return False
        if token.level == item.level + 1 and token.nesting >= 0 and position > index + 3:
            return True
        depth += token.nesting
    return False


def _bold_question(line: str, item: bool) -> tuple[str, str | None] | None:
    """(question, rest of the line or None) when the line opens with a bold question."""
    line = strip_invisible(line).strip()
    if line.startswith(("#", ">", "|")):
        return None
    bold = whole_bold(line)
    if bold is not None:
        if question_like(bold) or split_numbered(bold) is not None:
            return bold, None
        return None
    opening = leading_bold(line)
    if opening is not None and opening[1] and opening[0].rstrip().endswith(("?", "？")) and question_like(opening[0]):
        return opening[0], opening[1]
    return None


def _auto_numbers(found: list[_Found], tokens) -> None:
    """A list written all `1.` numbers its items 1, 2, 3 (as Markdown shows them)."""
    numbers = [f.number for f in found if f.item]
    if len(numbers) > 1 and len(set(numbers)) == 1 and numbers[0] is not None:
        counter = numbers[0]
        for position, item in enumerate(found):
            if item.item:
                found[position] = _Found(item.line, item.question, counter, item.head, item.dedent, item.item)
                counter += 1
