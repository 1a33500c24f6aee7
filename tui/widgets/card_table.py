"""CardTable: a row-cursor DataTable whose enter key shows in the footer as "Study"."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class CardTable(DataTable):
    """The table of the home and browse screens; enter (or a click on the highlighted row) studies the row."""

    BINDINGS = [Binding("enter", "select_cursor", "Study", show=True)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
