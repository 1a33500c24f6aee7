"""Pure presentation helpers for cards: math to Unicode, CJK unwrapping, key terms of an answer.

No textual import here (the parser-side layers must stay UI-free); pylatexenc (through tui.latex) and markdown-it are
imported lazily so that showing a question costs nothing until an answer is revealed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from tui.cell_text import display_path, percent, truncate_cells  # noqa: F401 - re-exported

__all__ = [
    "math_to_unicode", "latex_to_unicode", "unwrap_cjk", "key_terms", "mark_terms", "term_variants", "prepare_markdown",
    "truncate_cells", "percent", "display_path", "compare_terms", "TermComparison",
]


# --------------------------------------------------------------------------------------------------------------------
# Math in Markdown
# --------------------------------------------------------------------------------------------------------------------

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def latex_to_unicode(latex: str) -> str:
    """One LaTeX math expression (without its $ delimiters) as readable Unicode (see tui.latex, imported on use)."""
    from tui.latex import latex_to_unicode as convert

    return convert(latex)


def _escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _split_fences(markdown: str) -> list[tuple[bool, str]]:
    """(is_code, chunk) pieces of the document, fenced code blocks separate and verbatim."""
    chunks: list[tuple[bool, str]] = []
    buf: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            if buf:
                chunks.append((False, "".join(buf)))
            buf = [line]
            fence = match.group(1)
        elif fence is not None:
            buf.append(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) and not line.strip(
            ).lstrip(fence[0]):
                chunks.append((True, "".join(buf)))
                buf, fence = [], None
        else:
            buf.append(line)
    if buf:
        chunks.append((fence is not None, "".join(buf)))
    return chunks


# Code spans first (their contents are never math), then escaped dollars, display math, inline math.
_MATH_RE = re.compile(
    r"(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<escaped>\\\$)"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<inline>[^\s$](?:[^$\n]|\n(?!\s*\n))*?)(?<![\s\\])\$(?!\d)",
    re.DOTALL,
)


def math_to_unicode(markdown: str) -> str:
    """The Markdown with every `$..$` and `$$..$$` replaced by readable Unicode; code spans and fences untouched."""
    if "$" not in markdown:
        return markdown

    def replace(match: re.Match) -> str:
        if match.group("code") or match.group("escaped"):
            return match.group(0)
        latex = match.group("display") if match.group("display") is not None else match.group("inline")
        return _escape_markdown(latex_to_unicode(latex))

    return "".join(chunk if is_code else _MATH_RE.sub(replace, chunk) for is_code, chunk in _split_fences(markdown))


# --------------------------------------------------------------------------------------------------------------------
# CJK line unwrapping
# --------------------------------------------------------------------------------------------------------------------

_BLOCK_START_RE = re.compile(
    r"^ {0,3}(?:#{1,6}(?:\s|$)|[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|\$\$|<|(?:[-*_]\s*){3,}$|=+\s*$)"
)
_LIST_ITEM_RE = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])\s+\S")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _is_wide_punctuation(ch: str) -> bool:
    return _is_wide(ch) and unicodedata.category(ch).startswith("P")


def _joiner(before: str, after: str) -> str:
    """What a soft line break between these two characters becomes (CSS Text 3 segment-break rule)."""
    if (_is_wide(before) and _is_wide(after)) or _is_wide_punctuation(before) or _is_wide_punctuation(after):
        return ""
    return " "


def _hard_break(line: str) -> bool:
    return line.endswith("  ") or line.rstrip().endswith("\\")


def unwrap_cjk(markdown: str) -> str:
    """Join hard-wrapped lines inside paragraphs and list items; no space is inserted between CJK characters."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    joinable = False  # out[-1] is paragraph text that a following line continues
    after_blank = True
    fence: str | None = None
    in_display_math = False
    for line in text.split("\n"):
        if fence is not None:
            out.append(line)
            match = _FENCE_RE.match(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        match = _FENCE_RE.match(line)
        if match:
            out.append(line)
            fence, joinable = match.group(1), False
            continue
        stripped = line.strip()
        if in_display_math:
            out.append(line)
            in_display_math = not stripped.endswith("$$")
            continue
        if not stripped:
            out.append(line)
            joinable, after_blank = False, True
            continue
        if stripped.startswith("$$"):
            out.append(line)
            in_display_math = not (len(stripped) > 2 and stripped.endswith("$$"))
            joinable, after_blank = False, False
            continue
        indented_code = after_blank and (line.startswith("    ") or line.startswith("\t")) and not out_is_list(out)
        if indented_code or "|" in stripped or _BLOCK_START_RE.match(line):
            out.append(line)
            joinable = bool(_LIST_ITEM_RE.match(line)) and "|" not in stripped
            after_blank = False
            continue
        if joinable and not _hard_break(out[-1]):
            previous = out[-1].rstrip()
            out[-1] = previous + _joiner(previous[-1], stripped[0]) + stripped
        else:
            out.append(line)
            joinable = True
        after_blank = False
    return "\n".join(out)


def out_is_list(lines: list[str]) -> bool:
    """Whether the nearest non-blank line above belongs to a list item (indented text there continues the item)."""
    for line in reversed(lines):
        if line.strip():
            return bool(_LIST_ITEM_RE.match(line)) or line.startswith((" ", "\t"))
    return False


# --------------------------------------------------------------------------------------------------------------------
# Key terms of a reference answer, and which of them a typed answer mentions
# --------------------------------------------------------------------------------------------------------------------

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED_RE = re.compile(rf"(?<![A-Za-z0-9_.]){_IDENT}(?:\.{_IDENT})+(?:\(\))?(?![A-Za-z0-9_.])")
_NOT_CODE_SUFFIXES = {"py", "md", "pt", "pth", "txt", "json", "csv", "onnx", "com", "org", "io", "net", "html", "png",
                      "jpg", "yaml", "toml", "ipynb"}  # fmt: skip
_HEAD_SEPARATORS = re.compile(r"[：:]")
_MAX_HEAD_CELLS = 30


def _clean_term(term: str) -> str:
    term = term.strip().strip("，,。.;；、")
    if term.endswith("()"):
        term = term[:-2]
    return term.strip()


def _prose_identifiers(text: str) -> list[str]:
    found = []
    for match in _DOTTED_RE.finditer(text):
        word = match.group(0)
        parts = word.rstrip("()").split(".")
        if parts[-1].lower() in _NOT_CODE_SUFFIXES or all(len(p) == 1 for p in parts):
            continue
        found.append(word)
    return found


def _list_item_head(inline_text: str) -> str | None:
    match = _HEAD_SEPARATORS.search(inline_text)
    if match and 0 < match.start() <= _MAX_HEAD_CELLS:
        return inline_text[: match.start()]
    if len(inline_text) <= 16 and not re.search(r"[。，,.;；]", inline_text):
        return inline_text
    return None


def key_terms(answer_markdown: str) -> list[str]:
    """The terms an answer should mention: inline-code identifiers, dotted API names, **bold** terms, list-item heads.

    Terms keep their first spelling and order; duplicates (case-insensitive) are dropped; fenced code is skipped.
    """
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(answer_markdown)
    terms: list[str] = []
    in_item = 0
    item_head_pending = False
    for token in tokens:
        if token.type == "list_item_open":
            in_item += 1
            item_head_pending = True
            continue
        if token.type == "list_item_close":
            in_item -= 1
            item_head_pending = False
            continue
        if token.type != "inline":
            continue
        children = token.children or []
        plain_parts: list[str] = []
        bold_depth = 0
        bold_buf: list[str] = []
        for child in children:
            if child.type == "code_inline":
                terms.append(child.content)
                plain_parts.append(child.content)
            elif child.type == "strong_open":
                bold_depth += 1
                bold_buf = []
            elif child.type == "strong_close":
                bold_depth -= 1
                terms.append("".join(bold_buf))
            elif child.type == "text":
                if bold_depth:
                    bold_buf.append(child.content)
                plain_parts.append(child.content)
                terms.extend(_prose_identifiers(child.content))
            elif child.type in ("softbreak", "hardbreak"):
                plain_parts.append(" ")
        if in_item and item_head_pending:
            item_head_pending = False
            head = _list_item_head("".join(plain_parts).strip())
            if head:
                terms.append(head)
    seen: set[str] = set()
    unique = []
    for term in map(_clean_term, terms):
        norm = _normalise(term)
        if norm and norm not in seen:
            seen.add(norm)
            unique.append(term)
    return unique


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


_PAREN_RE = re.compile(r"^(?P<outer>[^（(]+)[（(](?P<inner>[^）)]+)[）)]\s*$")


def term_variants(term: str) -> list[str]:
    """Spellings of a term that count as mentioning it: the term, each side of `X（Y）`, a dotted name's last part."""
    variants = [term]
    match = _PAREN_RE.match(unicodedata.normalize("NFKC", term))
    if match:
        variants += [match.group("outer").strip(), match.group("inner").strip()]
    if "." in term and " " not in term:
        last = term.rsplit(".", 1)[-1]
        if len(last) >= 6 and (any(c.isupper() for c in last) or "_" in last):
            variants.append(last)
    return [v for v in variants if v]


def mark_terms(user_text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """Each term with whether the user's text mentions it (case-insensitive, ignoring spacing and width)."""
    haystack = _normalise(user_text)
    return [(term, any(_normalise(v) and _normalise(v) in haystack for v in term_variants(term))) for term in terms]


@dataclass(frozen=True)
class TermComparison:
    """The accepted answer a typed answer was compared with ("" = the reference, else e.g. "your notes") and the
    (term, found) marks against its key terms."""

    label: str
    marks: tuple[tuple[str, bool], ...]


def compare_terms(user_text: str, accepted: Iterable[tuple[str, str]]) -> TermComparison:
    """Mark the key terms of the accepted answer (label, Markdown) that the typed text covers best.

    The first accepted answer is the reference (the card's core); others (the learner's notes) count as well: a
    typed answer that says what the learner's own notes say is not marked wrong for leaving out the reference's
    wording. Ties go to the earlier answer; an answer without key terms is skipped unless none has any.
    """
    best: TermComparison | None = None
    best_share = -1.0
    for label, markdown in accepted:
        marks = mark_terms(user_text, key_terms(markdown))
        if not marks:
            best = best or TermComparison(label, ())
            continue
        share = sum(found for _, found in marks) / len(marks)
        if share > best_share:
            best, best_share = TermComparison(label, tuple(marks)), share
    return best if best is not None else TermComparison("", ())


# --------------------------------------------------------------------------------------------------------------------
# Small text helpers for the screens
# --------------------------------------------------------------------------------------------------------------------


def prepare_markdown(markdown: str) -> str:
    """An answer's Markdown ready for the Markdown widget: math as Unicode, CJK hard wraps joined."""
    return unwrap_cjk(math_to_unicode(markdown))
