"""Line breaking between CJK characters for Rich and Textual.

Rich and Textual wrap text only at whitespace, so a run of Chinese (which has no spaces) is one "word": a paragraph
breaks early, leaving ragged lines, or the run is folded mid-line. Chinese may break between any two characters, so
we give the wrappers a word splitter in which each CJK character is its own word. Closing punctuation stays with
the character before it and opening punctuation with the one after (no line starts with "，" or ends with "（").

`install()` swaps the module-level patterns `rich._wrap.re_word` and `textual._wrap.re_chunk`, which their word
iterators read at call time (calling `.match(text, pos)` and using `.span()` / `.group(0)`); if a future release
renames them, `install()` does nothing and wrapping falls back to the libraries' own behaviour. The splitter is a
small Python object rather than a regular expression because compiling character classes with the CJK ranges takes
tens of milliseconds, paid at every start.
"""

from __future__ import annotations

import re
from bisect import bisect_right

CJK_RANGES = (
    (0x1100, 0x115F), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3041, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6),
)  # fmt: skip
_STARTS = [start for start, _ in CJK_RANGES]
CLOSING = frozenset("、。，．：；？！）］｝〉》」』】〕〗〙〛・ー…‥,.;:!?)]}%")
OPENING = frozenset("（［｛〈《「『【〔〖〘〚")


def is_cjk(ch: str) -> bool:
    """Whether a character is CJK (a line may break before or after it)."""
    code = ord(ch)
    index = bisect_right(_STARTS, code) - 1
    return index >= 0 and code <= CJK_RANGES[index][1]


def unit_end(text: str, start: int, end: int) -> int:
    """End of the unbreakable unit at text[start] (not a space): one CJK character or a run of other characters,
    with opening punctuation before it and closing punctuation after it; never beyond `end`."""
    i = start
    while i < end and text[i] in OPENING:
        i += 1
    if i < end and is_cjk(text[i]):
        i += 1
    else:
        while i < end and not text[i].isspace() and not is_cjk(text[i]):
            i += 1
    i = max(i, start + 1)
    while i < end and text[i] in CLOSING:
        i += 1
    return i


class _Match:
    """The part of re.Match the wrappers use."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError("no such group")
        return self._text[self._start:self._end]


class CJKWords:
    """Stands in for a compiled word pattern: `base` finds a whitespace-delimited word, which is then cut at the
    first CJK break opportunity inside it."""

    def __init__(self, base: re.Pattern[str]) -> None:
        self.base = base
        self.pattern = base.pattern

    def match(self, text: str, pos: int = 0):
        found = self.base.match(text, pos)
        if found is None:
            return None
        start, end = found.span()
        if found.group(0).isascii():
            return found
        word_start = start
        while word_start < end and text[word_start].isspace():
            word_start += 1
        word_end = end
        while word_end > word_start and text[word_end - 1].isspace():
            word_end -= 1
        if word_start == word_end:
            return found  # whitespace only
        cut = unit_end(text, word_start, word_end)
        if cut >= word_end:
            return found
        return _Match(text, start, cut)


RICH_WORDS = CJKWords(re.compile(r"\s*\S+\s*"))
TEXTUAL_CHUNKS = CJKWords(re.compile(r"\S+\s*|\s+"))

_installed = False


def install() -> bool:
    """Make Rich and Textual break lines between CJK characters; True when the splitters are in place."""
    global _installed
    if _installed:
        return True
    import rich._wrap
    import textual._wrap

    if not (hasattr(rich._wrap, "re_word") and hasattr(textual._wrap, "re_chunk")):
        return False
    rich._wrap.re_word = RICH_WORDS
    textual._wrap.re_chunk = TEXTUAL_CHUNKS
    _installed = True
    return True
