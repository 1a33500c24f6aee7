"""The Markdown layer under the deck parser: markdown-it-py tokens reduced to headings, numbered entries and code.

Everything here works on normalised text (see `normalize_source`) whose line numbers are the ones markdown-it's
`token.map` reports, so callers can slice the source by line and get back exactly what the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

# "21. ", "21．", "21、", "21：", "21)", "Q21:", "问题21：", "第21题", optionally inside **bold**. The separator is
# required (a bare "2023 notes" is not a question) and may not be followed by a digit ("2.5", "21:00").
NUMBER_START = re.compile(
    r"(?P<wrap>\*\*|__)?[ \t]*"
    r"(?:(?:Q|q|问题|题目|第)[ \t]*)?"
    r"(?P<number>\d{1,9})[ \t]*"
    r"(?:题[ \t]*[.．、:：]?|[.．、:：)）](?!\d))"
)
# A list entry that is only a link to another document is a table-of-contents line, not a question.
_LINK_ONLY = re.compile(r"\[(?P<text>[^\[\]]*)\]\((?P<target>[^()\s]*)(?:\s+\"[^\"]*\")?\)")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@dataclass(frozen=True)
class Heading:
    """A top-level heading: its level, raw inline source, plain text and 0-based [start, end) line span."""

    level: int
    content: str
    plain: str
    start: int
    end: int


@dataclass(frozen=True)
class NumberedEntry:
    """A numbered line outside the question sections, e.g. an item of the question list: `21. 如何...`."""

    number: int
    text: str
    line: int  # 0-based
    linked: bool = False  # written as a link to a section, `21. [如何...](#21)`: a table of contents before the title


@dataclass(frozen=True)
class CodeSpan:
    """A fenced or indented code block: info-string language, code, 0-based opening line."""

    language: str
    code: str
    line: int


@cache
def markdown_parser() -> MarkdownIt:
    """The shared CommonMark parser with tables and `$..$` / `$$..$$` math."""
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)


def normalize_source(text: str) -> str:
    """Drop a leading BOM and normalise line breaks and NULs exactly as markdown-it does, so lines match token.map."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return re.sub(r"\r\n?", "\n", text).replace("\0", "\ufffd")


def tokenize(text: str) -> list[Token]:
    """Block tokens of normalised text."""
    return markdown_parser().parse(text)


def split_numbered(content: str) -> tuple[int, str] | None:
    """`(21, "如何...")` when a heading or line starts with a question number, else None."""
    match = NUMBER_START.match(content.lstrip())
    if match is None:
        return None
    rest = content.lstrip()[match.end() :].strip()
    wrap = match.group("wrap")
    if wrap:
        if rest.startswith(wrap):  # **21.** 如何...
            rest = rest[len(wrap) :]
        elif rest.endswith(wrap):  # **21. 如何...**
            rest = rest[: -len(wrap)]
    return int(match.group("number")), rest.strip()


def join_lines(lines: Sequence[str]) -> str:
    """One line from hard-wrapped ones: no space is inserted between CJK characters."""
    joined = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if joined and not (_CJK.match(joined[-1]) and _CJK.match(line[0])):
            joined += " "
        joined += line
    return joined


def top_level_headings(tokens: Sequence[Token]) -> list[Heading]:
    """Headings outside lists, quotes and other containers, in document order."""
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            inline = tokens[index + 1]
            plain = join_lines([inline_text(inline.children or [])])
            headings.append(Heading(int(token.tag[1]), inline.content, plain, token.map[0], token.map[1]))
    return headings


def inline_text(children: Sequence[Token]) -> str:
    """The text an inline token shows, without Markdown syntax (escapes and entities resolved)."""
    parts = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.nesting == 0:
            parts.append(child.content)
    return "".join(parts)


def numbered_entries(tokens: Sequence[Token], start: int, end: int) -> Iterator[NumberedEntry]:
    """Numbered entries among the top-level blocks lying in lines [start, end): list items and numbered lines.

    Ordered list items take their number from their marker; a list written all `1.` (auto-numbered) counts up from
    its first marker. Bullet items that start with a number (`- 21. 如何...`) count too. Paragraph lines such as `21．如何...` or `21.如何` (not lists in CommonMark) are split at each
    numbered line; a following unnumbered line continues the entry.
    """
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or not token.map or token.map[0] < start or token.map[0] >= end:
            index += 1
            continue
        closing = _closing_index(tokens, index)
        if token.type == "ordered_list_open":
            yield from _ordered_items(tokens[index:closing])
        elif token.type == "bullet_list_open":
            yield from _bullet_items(tokens[index:closing])
        elif token.type == "paragraph_open":
            yield from _numbered_lines(tokens[index + 1].content, token.map[0])
        index = closing + 1


def _closing_index(tokens: Sequence[Token], index: int) -> int:
    """Index of the token closing the block opened at `index` (itself for self-contained blocks)."""
    if tokens[index].nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _items(list_tokens: Sequence[Token]) -> Iterator[tuple[Token, str | None]]:
    """(list_item_open, first paragraph's content or None) for the direct items of one list."""
    for index, token in enumerate(list_tokens):
        if token.type == "list_item_open" and token.level == 1:
            following = list_tokens[index + 1] if index + 1 < len(list_tokens) else None
            has_paragraph = following is not None and following.type == "paragraph_open"
            yield token, list_tokens[index + 2].content if has_paragraph else None


def _ordered_items(list_tokens: Sequence[Token]) -> Iterator[NumberedEntry]:
    items = list(_items(list_tokens))
    markers = [int(item.info) if item.info.isdigit() else None for item, _ in items]
    auto_numbered = len(markers) > 1 and len(set(markers)) == 1 and markers[0] is not None
    for position, ((item, content), marker) in enumerate(zip(items, markers)):
        if marker is None or content is None or not item.map:
            continue
        question = _question_text(content)
        if question is not None:
            yield NumberedEntry(marker + position if auto_numbered else marker, question[0], item.map[0], question[1])


def _bullet_items(list_tokens: Sequence[Token]) -> Iterator[NumberedEntry]:
    """`- 21. 如何...` (an ordered list inside the bullet) and `- **21.** 如何...` (a numbered paragraph)."""
    for index, token in enumerate(list_tokens):
        if token.type != "list_item_open" or token.level != 1 or not token.map:
            continue
        following = list_tokens[index + 1 : index + 4]
        kinds = [t.type for t in following]
        if kinds[:3] == ["ordered_list_open", "list_item_open", "paragraph_open"] and following[1].info.isdigit():
            number, content = int(following[1].info), list_tokens[index + 4].content
        elif kinds[:1] == ["paragraph_open"] and (numbered := split_numbered(list_tokens[index + 2].content)):
            number, content = numbered
        else:
            continue
        question = _question_text(content)
        if question is not None:
            yield NumberedEntry(number, question[0], token.map[0], question[1])


def _numbered_lines(content: str, first_line: int) -> Iterator[NumberedEntry]:
    current: list = []  # [number, line, [text lines]] of the entry being read
    for offset, line in enumerate(content.split("\n")):
        numbered = split_numbered(line)
        if numbered is not None:
            if current:
                yield _entry(*current)
            current = [numbered[0], first_line + offset, [numbered[1]]]
        elif current:
            current[2].append(line)
    if current:
        yield _entry(*current)


def _entry(number: int, line: int, lines: list[str]) -> NumberedEntry:
    text, linked = _question_text("\n".join(lines)) or ("", False)
    return NumberedEntry(number, text, line, linked)


def _question_text(content: str) -> tuple[str, bool] | None:
    """(question, written as a link) of an entry: a link to a section keeps its text, one to another file is None."""
    text = join_lines(content.split("\n"))
    link = _LINK_ONLY.fullmatch(text)
    if link is None:
        return text, False
    if not link.group("target").startswith("#"):
        return None
    return link.group("text").strip(), True


def code_spans(tokens: Sequence[Token], start: int, end: int) -> list[CodeSpan]:
    """Code blocks (at any nesting depth) that open in lines [start, end), blank edge lines dropped."""
    spans = []
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map and start <= token.map[0] < end:
            words = token.info.split()
            spans.append(CodeSpan(words[0] if words else "", trim_blank_lines(token.content), token.map[0]))
    return spans


def trim_blank_lines(text: str, blank: str | None = None) -> str:
    """Text without leading and trailing lines made only of `blank` characters (default: any whitespace)."""
    lines = text.split("\n")
    while lines and not lines[0].strip(blank):
        lines.pop(0)
    while lines and not lines[-1].strip(blank):
        lines.pop()
    return "\n".join(lines)


def ends_open(markdown: str) -> bool:
    """True when `markdown` leaves a block open (unclosed fence, comment, ...) that would swallow a following heading."""
    probe = markdown + "\n\n# end\n"
    last_line = probe.count("\n") - 1
    return not any(h.start == last_line for h in top_level_headings(tokenize(probe)))
