"""TitleBar: the title line at the top of every screen, as Textual's Header draws it, in one widget.

Header is four widgets (the icon, the title, the clock's space and itself), each composed, styled and laid out before
a screen's first frame; the quiz shows no clock and the icon does nothing here (there is no command palette). This is
one line: the icon, then the title and sub-title (App.format_title) centred between the icon's and the clock's cells,
cut with an ellipsis when the terminal is narrow, redrawn when a title changes.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_CELLS = 8  # Header's icon: one cell of padding, the icon, the rest of its 8 cells
CLOCK_CELLS = 10  # the space Header keeps on the right for its clock


class TitleBar(Widget, can_focus=False):
    """The app's (or screen's) title and sub-title, centred on one line."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def title_content(self) -> Content:
        """What the bar shows between the icon and the clock's space: title — sub-title."""
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title)

    def render(self) -> Content:
        width = self.size.width
        middle = max(0, width - ICON_CELLS - CLOCK_CELLS)
        title = self.title_content().truncate(middle, ellipsis=True)
        left = (middle - title.cell_length) // 2
        icon = Content(f" {ICON}").pad_right(max(0, min(ICON_CELLS, width) - 2))
        return Content.assemble(icon, title.pad(left, middle - title.cell_length - left), " " * CLOCK_CELLS)

    def on_mount(self) -> None:
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self._title_changed, init=False)
            self.watch(owner, "sub_title", self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()
