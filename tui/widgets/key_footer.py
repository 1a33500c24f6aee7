"""KeyFooter: the screen's keys on one line, drawn from the bindings active when it is drawn.

Textual's Footer is a container with one FooterKey widget per key: it composes nothing until the screen first
publishes its bindings, then recomposes (every key a new widget, each styled and laid out) whenever they change, which
the review screen does on every card. So the keys came one frame after the rest of a screen, and a new card cost a
recompose. This widget is a single line: it reads the active bindings whenever it renders, so its first frame is the
screen's first frame, and a change of bindings is a repaint of one line. It looks like the compact Footer (key in
bold, then its description; unavailable keys greyed), and a click on a key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

KEY_GAP = 1  # cells between one key's description and the next key


class ShownKey(NamedTuple):
    """One key as the footer shows it."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """Every shown binding of the focused chain (the first binding of each action), compact, clickable."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--hover {
        color: $footer-key-foreground;
        background: $block-hover-background;
    }
    """
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--hover"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, ShownKey]] = []  # (first cell, end cell, key) as last drawn
        self._hovered: str | None = None

    def shown_keys(self) -> list[ShownKey]:
        """The keys the footer shows now, left to right (greyed ones have enabled False)."""
        shown: list[ShownKey] = []
        seen_actions: set[str] = set()
        for _, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            shown.append(ShownKey(binding.key, self.app.get_key_display(binding), binding.description,
                                  binding.action, bool(enabled)))
        return shown

    def key_offset(self, key: str) -> int:
        """The cell where `key` is drawn (ValueError when the footer does not show it)."""
        start = 0
        for shown in self.shown_keys():
            if shown.key == key:
                return start
            start += self._cells(shown) + KEY_GAP
        raise ValueError(f"the footer does not show {key!r}")

    @staticmethod
    def _cells(shown: ShownKey) -> int:
        return Text(shown.display).cell_len + (1 + Text(shown.description).cell_len if shown.description else 0)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        hover_style = self.get_component_rich_style("key-footer--hover")
        dim = Style(dim=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, ShownKey]] = []
        for shown in self.shown_keys():
            start = line.cell_len
            extra = hover_style if shown.key == self._hovered else Style()
            if not shown.enabled:
                extra += dim
            line.append(shown.display, key_style + extra)
            if shown.description:
                line.append(" " + shown.description, description_style + extra)
            spans.append((start, line.cell_len, shown))
            line.append(" " * KEY_GAP)
        self._spans = spans
        return line

    def _key_at(self, x: int) -> ShownKey | None:
        return next((shown for start, end, shown in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        shown = self._key_at(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        shown = self._key_at(event.x)
        hovered = None if shown is None else shown.key
        if hovered != self._hovered:
            self._hovered = hovered
            self.refresh()

    def on_leave(self) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()
