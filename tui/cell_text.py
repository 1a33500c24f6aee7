"""Short text for table cells and status lines: cut to a width in terminal cells, shares as percentages, paths.

Kept apart from tui.render (whose Markdown and term helpers compile their patterns at import) because the home
screen uses these while it is first drawn.
"""

from __future__ import annotations


def truncate_cells(text: str, width: int) -> str:
    """`text` cut to at most `width` terminal cells (wide CJK characters count 2), ending in … when cut."""
    from rich.cells import cell_len

    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def percent(value: float | None) -> str:
    """A share as a whole percentage, or an em dash when there is none."""
    return "—" if value is None else f"{value * 100:.0f}%"


def display_path(path: str) -> str:
    """A path as short as it can be read: relative to the working directory when inside it, else from ~."""
    from pathlib import Path

    full = Path(path)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(full.resolve().relative_to(base.resolve()))
        except (ValueError, OSError):
            continue
    return str(path)
