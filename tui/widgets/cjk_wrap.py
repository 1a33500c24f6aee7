"""Line breaking between CJK characters for Rich and Textual.

Rich and Textual wrap text only at whitespace, so a run of Chinese (which has no spaces) is one "word": a paragraph
breaks early, leaving ragged lines, or the run is folded mid-line. Chinese may break between any two characters, so
we give the wrappers a word pattern in which each CJK character is its own word. Closing punctuation stays with
the character before it and opening punctuation with the one after (no line starts with "，" or ends with "（").

`install()` swaps the module-level patterns `rich._wrap.re_word` and `textual._wrap.re_chunk`, which their word
iterators read at call time; if a future release renames them, `install()` does nothing and wrapping falls back to
the libraries' own behaviour.
"""

from __future__ import annotations

import re

CJK = (
    "\u1100-\u115f\u2e80-\u2fdf\u3000-\u303f\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
CLOSING = "、。，．：；？！）］｝〉》」』】〕〗〙〛・ー…‥,.;:!?)\\]}%"
OPENING = "（［｛〈《「『【〔〖〘〚"

_UNIT = rf"(?:[{OPENING}]*(?:[{CJK}]|[^\s{CJK}]+)[{CLOSING}]*)"
RICH_WORD = re.compile(rf"\s*{_UNIT}\s*")
TEXTUAL_CHUNK = re.compile(rf"{_UNIT}\s*|\s+")

_installed = False


def install() -> bool:
    """Make Rich and Textual break lines between CJK characters; True when the patterns were installed."""
    global _installed
    if _installed:
        return True
    import rich._wrap
    import textual._wrap

    if not (hasattr(rich._wrap, "re_word") and hasattr(textual._wrap, "re_chunk")):
        return False
    rich._wrap.re_word = RICH_WORD
    textual._wrap.re_chunk = TEXTUAL_CHUNK
    _installed = True
    return True
