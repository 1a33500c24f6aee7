"""KeyFooter: Textual's Footer, rebuilt only when the keys it shows change.

The stock Footer recomposes itself (a new widget per key, each restyled) whenever the screen's bindings are
refreshed, which the review screen does on every card. Here the footer compares what it would show with what it
shows: the same keys with other enabled states are updated in place, and an unchanged footer is left alone.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[tuple[str, str, str, str, bool], ...]  # (key, key display, description, action, enabled)


class KeyFooter(Footer):
    """Every key of the focused chain's shown bindings, compact, clickable; recomposed only when they change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, show_command_palette=False, compact=True)
        self._shown: Shown = ()

    def _bindings_to_show(self) -> Shown:
        shown = []
        seen_actions: set[str] = set()
        for _, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            shown.append(
                (binding.key, self.app.get_key_display(binding), binding.description, binding.action, enabled)
            )
        return tuple(shown)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._bindings_to_show()
        classes = "-compact" if self.compact else ""
        for key, display, description, action, enabled in self._shown:
            yield FooterKey(key, display, description, action, disabled=not enabled, classes=classes)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not (self.is_attached and screen is self.screen):
            return
        shown = self._bindings_to_show()
        if shown == self._shown:
            return
        same_keys = [s[:4] for s in shown] == [s[:4] for s in self._shown]
        keys = list(self.query(FooterKey))
        if same_keys and len(keys) == len(shown):
            for widget, (*_, enabled) in zip(keys, shown):
                widget._disabled = not enabled
                widget.set_class(not enabled, "-disabled")
            self._shown = shown
            return
        self._shown = shown
        self.call_after_refresh(self.recompose)
