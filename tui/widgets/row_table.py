"""RowTable: a read-only table with a row cursor, drawn line by line from pre-styled cells.

The home screen's table is on screen at every start; Textual's DataTable measures and renders each cell through
Rich's layout machinery, which cost about 0.1 s at 100x30 with seven decks, most of the home screen's start-up
beyond a bare Textual app. This widget draws only the visible lines, each from its cells' Text (fixed column widths,
truncated with an ellipsis, left or right aligned, in each cell's own style), and caches them. It keeps the part of
DataTable's interface the screens and tests use: add_column, add_row (and add_rows, all at once), clear, get_row,
row_count, cursor_row, move_cursor, and a RowSelected message (enter, or a click on the highlighted row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

CELL_PADDING = 1


class Column(NamedTuple):
    """One column: its header label, width in cells (without padding) and key."""

    label: str
    width: int
    key: str


class RowTable(ScrollView, can_focus=True):
    """Rows of cells under a header line; up/down/page keys move the cursor, enter selects the highlighted row."""

    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
    }
    RowTable > .row-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    RowTable > .row-table--odd-row {
        background: $surface-lighten-1 20%;
    }
    RowTable > .row-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    RowTable:focus > .row-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    COMPONENT_CLASSES = {"row-table--header", "row-table--odd-row", "row-table--cursor"}
    BINDINGS = [
        Binding("enter", "select_cursor", "Study", show=True),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class RowSelected(Message):
        """Enter (or a click on the highlighted row) on the row whose key is `row_key`."""

        def __init__(self, table: RowTable, row_key: str) -> None:
            super().__init__()
            self.table = table
            self.row_key = row_key

        @property
        def control(self) -> RowTable:
            """The table the row belongs to."""
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[Column] = []
        self._rows: list[tuple[str, tuple[Text, ...]]] = []
        self._index: dict[str, int] = {}
        self._lines: dict[tuple[int, bool, int], Strip] = {}
        self._styles: dict[bool, tuple[Style, Style, Style, Style]] = {}

    # --- content ------------------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Number of rows (the header not counted)."""
        return len(self._rows)

    def clear(self, columns: bool = False) -> None:
        """Remove every row (and every column when `columns`)."""
        self._rows.clear()
        self._index.clear()
        if columns:
            self.columns.clear()
        self._changed()

    def add_column(self, label: str, *, width: int, key: str | None = None) -> None:
        """Append a column `width` cells wide (plus one cell of padding each side)."""
        self.columns.append(Column(label, max(1, width), key or label))
        self._changed()

    def add_row(self, *cells: Text | str, key: str) -> None:
        """Append a row; `key` identifies it for get_row and RowSelected."""
        self.add_rows([(key, cells)])

    def add_rows(self, rows: Iterable[tuple[str, Sequence[Text | str]]]) -> None:
        """Append (key, cells) rows, as add_row does one by one, with one redraw for them all."""
        for key, cells in rows:
            if key in self._index:
                raise ValueError(f"a row with key {key!r} is already in the table")
            self._index[key] = len(self._rows)
            self._rows.append((key, tuple(cell if isinstance(cell, Text) else Text(str(cell)) for cell in cells)))
        self._changed()

    def get_row(self, key: str) -> list[Text]:
        """The cells of the row with this key (KeyError if there is none)."""
        return list(self._rows[self._index[key]][1])

    def row_key(self, index: int) -> str | None:
        """The key of the row at `index`, or None outside the table."""
        return self._rows[index][0] if 0 <= index < len(self._rows) else None

    @property
    def cursor_key(self) -> str | None:
        """The key of the highlighted row (None when the table is empty)."""
        return self.row_key(self.cursor_row)

    def move_cursor(self, *, row: int) -> None:
        """Highlight row `row` (clamped to the table) and scroll it into view."""
        self.cursor_row = max(0, min(row, len(self._rows) - 1))

    def _changed(self) -> None:
        self._lines.clear()
        self.virtual_size = Size(self._columns_width(), len(self._rows) + 1)
        if self._rows and self.cursor_row >= len(self._rows):
            self.cursor_row = len(self._rows) - 1
        self.refresh()

    # --- cursor and keys ----------------------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._lines = {k: v for k, v in self._lines.items() if k[0] not in (old, new)}
        self._scroll_cursor_into_view()
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)  # lines under the header
        top = round(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page()

    def action_page_down(self) -> None:
        self.cursor_row += self._page()

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        row = round(self.scroll_offset.y) + event.y - 1
        if not 0 <= row < len(self._rows):
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.cursor_row = row

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._lines.clear()

    # --- drawing ------------------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._line(-1, width)
        row = round(self.scroll_offset.y) + y - 1
        if row >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        return self._line(row, width)

    def _line(self, row: int, width: int) -> Strip:
        key = (row, self.has_focus, width)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        base, header, odd, cursor = self._line_styles()
        if row < 0:
            style = base + header
            cells = tuple(Text(column.label) for column in self.columns)
        else:
            style = base
            if row % 2:
                style += odd
            if row == self.cursor_row:
                style += cursor
            cells = self._rows[row][1]
        strip = Strip(self._segments(cells, style), self._columns_width())
        x = round(self.scroll_offset.x)
        if x:  # the columns are wider than the screen and the table is scrolled sideways
            strip = strip.crop(x, x + width)
        if strip.cell_length != width:  # one Strip per line in the usual case: each costs Textual caches
            strip = strip.adjust_cell_length(width, style)
        self._lines[key] = strip
        return strip

    def _line_styles(self) -> tuple[Style, Style, Style, Style]:
        """(the widget's, the header's, an odd row's, the cursor's) styles, looked up once per focus state."""
        key = self.has_focus
        styles = self._styles.get(key)
        if styles is None:
            styles = self._styles[key] = (
                self.rich_style, self.get_component_rich_style("row-table--header"),
                self.get_component_rich_style("row-table--odd-row"), self.get_component_rich_style("row-table--cursor"),
            )
        return styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def _columns_width(self) -> int:
        return sum(column.width + 2 * CELL_PADDING for column in self.columns)

    def _segments(self, cells: tuple[Text, ...], style: Style) -> list[Segment]:
        console = self.app.console
        pad = " " * CELL_PADDING
        pieces: list[tuple[str, Style]] = []
        for column, cell in zip(self.columns, cells):
            pieces.append((pad, style))
            if not cell.spans:  # one style for the whole cell (every cell of the home table): no Rich layout
                cell_style = console.get_style(cell.style, default=Style.null()) if cell.style else None
                pieces.append((_fit(cell.plain, column.width, cell.justify),
                               style + cell_style if cell_style else style))
            else:
                text = cell.copy()
                text.no_wrap = True
                text.truncate(column.width, overflow="ellipsis", pad=False)
                text.align(cell.justify if cell.justify in ("left", "right", "center") else "left", column.width)
                pieces.extend((s.text, style + s.style if s.style else style) for s in text.render(console) if s.text)
            pieces.append((pad, style))
        # Neighbours of one style become one segment: fewer for the compositor to cut and the terminal to read
        # (a plain row is one segment instead of three per cell).
        segments: list[Segment] = []
        for text, piece_style in pieces:
            if segments and segments[-1].style == piece_style:
                segments[-1] = Segment(segments[-1].text + text, piece_style)
            else:
                segments.append(Segment(text, piece_style))
        return segments


def _fit(plain: str, width: int, justify: str | None) -> str:
    """`plain` in exactly `width` cells: cut with an ellipsis when longer, padded as `justify` says (as Rich's
    Text.truncate(overflow="ellipsis") and Text.align do)."""
    length = cell_len(plain)
    if length > width:
        plain = set_cell_size(plain, width - 1) + "…"
        length = cell_len(plain)
    excess = width - length
    if excess <= 0:
        return plain
    if justify == "right":
        return " " * excess + plain
    if justify == "center":
        left = excess // 2
        return " " * left + plain + " " * (excess - left)
    return plain + " " * excess
