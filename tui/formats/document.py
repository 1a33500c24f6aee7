"""A document prepared once for every reader: normalised lines, markdown-it tokens, front matter, code lines,
`<details>` spans and headings.

Line numbers are 0-based here (markdown-it's token.map); cards and problems report them 1-based. YAML front matter
(`---` ... `---` at the top) is blanked before tokenising, so its lines keep their numbers but never read as a
setext heading; the series' reader tokenises the text as it is (its behaviour predates front matter support).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from tui.card_parts import DETAILS_CLOSE, DETAILS_OPEN
from tui.markdown_blocks import Heading, normalize_source, tokenize, top_level_headings
from tui.formats.text import Q_MARKER, leading_bold, question_like, strip_invisible, tag_text, whole_bold

# A line's container prefix: blockquote markers, a list marker, a task checkbox.
CONTAINER = re.compile(
    r"(?P<quote>[ \t]*(?:>[ \t]?)*)(?P<indent>[ \t]*)(?P<marker>(?:[-*+]|\d{1,9}[.)])[ \t]+)?"
    r"(?P<box>(?<=[ \t])\[[ xX]\][ \t]+)?"
)
_FRONT_KEY = re.compile(r"[A-Za-z_][\w -]*:(?:\s.*)?$|\s*-\s.*|\s*#.*|\s*$")
_TAGS_KEY = re.compile(r"(?:tags?|keywords)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_TITLE_KEY = re.compile(r"title\s*:\s*(?P<value>.+)$", re.IGNORECASE)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_OPENERS = ("***", "___", "**", "__", "*", "_", "")


def deck_name(source: str, name: str | None = None) -> str:
    """The deck id: `name` when given, else the stem of the source path."""
    return name or Path(source).stem or "deck"


def strip_container(line: str) -> tuple[str, int, bool]:
    """(the line without blockquote/list/checkbox prefix, the column a list item's content starts at (a task
    checkbox is content), whether a list marker was there)."""
    match = CONTAINER.match(line)
    if not match.group("marker"):
        return line[match.end("indent") :], match.end("indent"), False
    return line[match.end() :], match.end("marker"), True


def opens_with(line: str, pattern: re.Pattern) -> tuple[str, int, bool] | None:
    """(text after the marker, its column, whether the line is in a blockquote) when the line opens, after any list
    marker, checkbox, quote marker and emphasis, with `pattern` (a Q or A marker: text.Q_MARKER, text.A_MARKER)."""
    rest, column, _ = strip_container(line)
    quoted = line.lstrip().startswith(">")
    text = strip_invisible(rest)
    offset = len(rest) - len(text)
    stripped = text.lstrip()
    offset += len(text) - len(stripped)
    if stripped.startswith("#"):
        return None
    for opener in _OPENERS:
        if not stripped.startswith(opener):
            continue
        body = stripped[len(opener) :]
        match = pattern.match(body)
        if match is None or not match.group(0).strip():
            continue
        after = body[match.end() :]
        if opener and after.startswith(opener):  # **Q:** text
            after = after[len(opener) :]
        elif opener and after.rstrip().endswith(opener):  # **Q: text**
            after = after.rstrip()[: -len(opener)]
        return after.strip(), column + offset + len(opener) + match.end(), quoted
    return None


def without_inline_code(line: str) -> str:
    """The line with `inline code` spans blanked out (their `::`, `==` or `**` are not markup)."""
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


@dataclass
class Document:
    """One document's text and structure, shared by the readers (see the module docstring)."""

    raw: str
    source: str = "<text>"
    name: str | None = None
    front_matter: tuple[int, int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.raw = normalize_source(self.raw)
        self.raw_lines = self.raw.split("\n")
        self.front_matter = _front_matter(self.raw_lines)
        lines = list(self.raw_lines)
        if self.front_matter is not None:
            start, end = self.front_matter
            lines[start:end] = [""] * (end - start)
        self.lines = lines
        self.text = "\n".join(lines)

    @property
    def deck_id(self) -> str:
        """The deck id of this document."""
        return deck_name(self.source, self.name)

    @cached_property
    def tokens(self):
        """Block tokens of the text (front matter blanked)."""
        return tokenize(self.text)

    @cached_property
    def raw_tokens(self):
        """Block tokens of the text as written (what the series' reader sees)."""
        return self.tokens if self.front_matter is None else tokenize(self.raw)

    @cached_property
    def code_lines(self) -> frozenset[int]:
        """Lines inside fenced or indented code blocks, at any depth (fences included)."""
        lines: set[int] = set()
        for token in self.tokens:
            if token.type in ("fence", "code_block") and token.map:
                lines.update(range(*token.map))
        return frozenset(lines)

    @cached_property
    def details_spans(self) -> tuple[tuple[int, int], ...]:
        """[open line, line after the close) of every top-level `<details>` block (to the end when never closed)."""
        spans = []
        depth, opened = 0, 0
        for token in self.tokens:
            if token.type != "html_block" or token.level != 0 or not token.map:
                continue
            events = sorted([(m.start(), 1) for m in DETAILS_OPEN.finditer(token.content)]
                            + [(m.start(), -1) for m in DETAILS_CLOSE.finditer(token.content)])
            for position, step in events:
                line = token.map[0] + token.content[:position].count("\n")
                if step > 0 and depth == 0:
                    opened = line
                depth = max(0, depth + step)
                if step < 0 and depth == 0:
                    spans.append((opened, line + 1))
        if depth > 0:
            spans.append((opened, len(self.lines)))
        return tuple(spans)

    def in_details(self, line: int) -> bool:
        """Whether a line lies strictly inside a `<details>` block (after its opening line)."""
        return any(start < line < end for start, end in self.details_spans)

    @cached_property
    def headings(self) -> tuple[Heading, ...]:
        """Top-level headings outside code and outside `<details>` blocks."""
        return tuple(h for h in top_level_headings(self.tokens) if not self.in_details(h.start))

    @cached_property
    def front_matter_tags(self) -> tuple[str, ...]:
        """The tags the front matter lists (`tags: [a, b]`, `tags: a b`, or a `- a` list under `tags:`)."""
        if self.front_matter is None:
            return ()
        start, end = self.front_matter
        tags: list[str] = []
        collecting = False
        for line in self.raw_lines[start + 1 : end - 1]:
            match = _TAGS_KEY.match(line)
            if match:
                value = match.group("value").strip().strip("[]")
                tags += [t.strip(" '\"#") for t in re.split(r"[,\s]+", value) if t.strip(" '\"#")]
                collecting = not value
            elif collecting and line.lstrip().startswith("- "):
                tags.append(line.strip()[2:].strip(" '\"#"))
            else:
                collecting = False
        return tuple(tags)

    @cached_property
    def front_matter_title(self) -> str:
        """The front matter's `title:` ("" when none)."""
        if self.front_matter is None:
            return ""
        start, end = self.front_matter
        for line in self.raw_lines[start + 1 : end - 1]:
            match = _TITLE_KEY.match(line)
            if match:
                return match.group("value").strip().strip("'\"")
        return ""

    @cached_property
    def inline_question_lines(self) -> frozenset[int]:
        """Lines that open a question written inside the text (not as a heading): a bold question line, a bold
        question opening a line, a Q marker, an Obsidian `front::back` line or a `?`/`??` separator."""
        found = set()
        for index, line in enumerate(self.lines):
            if index in self.code_lines or not line.strip():
                continue
            rest, _, _ = strip_container(line)
            rest = strip_invisible(rest).strip()
            if rest.startswith("#"):
                continue
            bold = whole_bold(rest)
            opening = leading_bold(rest)
            if ((bold is not None and question_like(bold)) or (opening is not None and question_like(opening[0])
                                                              and opening[0].rstrip().endswith(("?", "？")))
                    or (Q_MARKER.match(rest.lstrip("*_ ")) and len(rest) > 3)
                    or "::" in without_inline_code(rest) or rest in ("?", "??")):
                found.add(index)
        return frozenset(found)

    def tags_above(self, line: int) -> tuple[str, ...]:
        """The headings above a line (the nearest of each shallower level, outermost first), the title left out, as
        tags."""
        chain: list = []
        title = next((h for h in self.headings if h.level == 1), None)
        for heading in self.headings:
            if heading.start >= line:
                break
            while chain and chain[-1].level >= heading.level:
                chain.pop()
            chain.append(heading)
        return tuple(tag_text(h.plain) for h in chain if h is not title)

    def section_of(self, line: int) -> int | None:
        """The start line of the heading section a line is in (None before the first heading)."""
        before = [h.start for h in self.headings if h.start < line]
        return before[-1] if before else None

    def first_heading_title(self, questions: set[int] = frozenset()) -> str:
        """The title: the front matter's, else the first level-1 heading that is not a question (by start line)."""
        if self.front_matter_title:
            return self.front_matter_title
        for heading in self.headings:
            if heading.level == 1 and heading.start not in questions:
                return heading.plain
        return ""


def _front_matter(lines: list[str]) -> tuple[int, int] | None:
    """[0, line after the closing ---) of YAML front matter at the very top, else None."""
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, min(len(lines), 200)):
        if lines[index].strip() in ("---", "..."):
            body = lines[1:index]
            if body and all(_FRONT_KEY.match(line) or line.startswith((" ", "\t")) for line in body):
                return (0, index + 1)
            return None
    return None
