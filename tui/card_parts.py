"""An answer's parts: the recitable core, the details in a `<details>` block, and a `<!-- same-as: N -->` marker.

Pure (no textual, no torch); works on the markdown-it tokens of the whole document so that problems carry the
document's line numbers. Only top-level HTML blocks count: a `<details>` or a marker inside a code block, a list or a
quote is text. A card without `<details>` has its whole answer as its core and no details (old decks and the
learner's own documents read as before); an answer that is all inside a `<details>` whose summary only labels it
("Answer", "Show answer", "答案") has that content as its core and no details.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from tui.markdown_blocks import normalize_source, tokenize, trim_blank_lines

DETAILS_OPEN = _OPEN = re.compile(r"<details(?=[\s>/])[^>]*>", re.IGNORECASE)
DETAILS_CLOSE = _CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary(?=[\s>])[^>]*>.*?</summary\s*>", re.IGNORECASE | re.DOTALL)
_MARKER = re.compile(r"<!--\s*same[-_ ]as\s*[:：=]?\s*(?P<value>.*?)\s*-->", re.IGNORECASE | re.DOTALL)
MARKER_EXAMPLE = "<!-- same-as: 17 -->"
_ANSWER_LABEL = re.compile(r"(?:show |see |reveal |click to (?:show|see|reveal) )?(?:the )?(?:answers?|solutions?)"
                           r"|答案|参考答案|查看答案|点击查看答案|解答|解析")


@dataclass(frozen=True)
class AnswerParts:
    """Core and details Markdown, the same-as number (None: not a repeat) and its 1-based line, and problems as
    (1-based line, message)."""

    core: str
    details: str
    same_as: int | None
    marker_line: int | None = None
    problems: tuple[tuple[int, str], ...] = ()


def answer_parts(lines: Sequence[str], tokens: Sequence[Token], start: int, end: int) -> AnswerParts:
    """The parts of the answer in document lines [start, end) (0-based), from the document's block tokens."""
    blocks = [t for t in tokens if t.type == "html_block" and t.level == 0 and t.map and start <= t.map[0] < end]
    problems: list[tuple[int, str]] = []
    same_as, marker_line = _same_as(blocks, problems)
    opener, closer = _details_span(blocks, problems)

    def text(first: int, last: int) -> str:
        return trim_blank_lines("\n".join(lines[first:last]), blank=" \t")

    if opener is None:
        return AnswerParts(text(start, end), "", same_as, marker_line, tuple(problems))
    core = text(start, opener.map[0])
    pieces = [_residue(opener.content)]
    if closer is None:
        pieces.append(text(opener.map[1], end))
    elif closer is opener:  # `<details><summary>详解</summary> ... </details>` in one HTML block
        pieces.append(text(closer.map[1], end))
    else:
        pieces += [text(opener.map[1], closer.map[0]), _residue(closer.content), text(closer.map[1], end)]
    details = "\n\n".join(piece for piece in pieces if piece)
    if not core and details and _labels_answer(opener.content):
        core, details = details, ""  # the whole answer is folded away under "Answer": it is the core
    return AnswerParts(core, details, same_as, marker_line, tuple(problems))


def split_answer(answer: str) -> AnswerParts:
    """The parts of an answer given on its own (a Card built in code rather than parsed); lines count from 1."""
    text = normalize_source(answer)
    lines = text.split("\n")
    return answer_parts(lines, tokenize(text), 0, len(lines))


def _same_as(blocks: Sequence[Token], problems: list[tuple[int, str]]) -> tuple[int | None, int | None]:
    """(number, 1-based line) of the first well-formed marker; a malformed or second marker is a problem."""
    found: int | None = None
    first_line: int | None = None
    for block in blocks:
        for match in _MARKER.finditer(block.content):
            line = block.map[0] + 1 + block.content[: match.start()].count("\n")
            value = match.group("value")
            if not value.isdigit():
                problems.append((line, f"the same-as marker needs a question number, e.g. {MARKER_EXAMPLE}"
                                       f" (found {value!r})"))
            elif found is None:
                found, first_line = int(value), line
            elif int(value) != found:
                problems.append((line, f"a second same-as marker ({value}); line {first_line} already says "
                                       f"same-as {found}: keep one"))
    return found, first_line


def _details_span(blocks: Sequence[Token], problems: list[tuple[int, str]]) -> tuple[Token | None, Token | None]:
    """The HTML block opening the first `<details>` and the one closing it (None when it is never closed)."""
    opener: Token | None = None
    depth = 0
    for block in blocks:
        events = sorted([(m.start(), 1) for m in _OPEN.finditer(block.content)]
                        + [(m.start(), -1) for m in _CLOSE.finditer(block.content)])
        for position, step in events:
            line = block.map[0] + 1 + block.content[:position].count("\n")
            if step < 0 and depth == 0:
                problems.append((line, "</details> without an opening <details> above it"))
                continue
            if step > 0 and opener is None:
                opener = block
            depth += step
            if depth == 0 and opener is not None:
                return opener, block
    if opener is not None:
        problems.append((opener.map[0] + 1, "<details> is never closed: end the details with a line </details> "
                                            "(after a blank line)"))
    return opener, None


def _labels_answer(html: str) -> bool:
    """Whether a `<details>` block's summary only labels an answer ("Answer", "Show answer", "答案")."""
    summary = _SUMMARY.search(html)
    if summary is None:
        return False
    text = re.sub(r"<[^>]+>", "", summary.group(0)).strip().strip("*_ ").casefold()
    return bool(_ANSWER_LABEL.fullmatch(text))


def _residue(html: str) -> str:
    """What an opening or closing HTML block holds besides the details/summary tags (usually nothing)."""
    return trim_blank_lines(_CLOSE.sub("", _SUMMARY.sub("", _OPEN.sub("", html)))).strip()
