"""SettingsScreen: the interview date, desired retention and new cards per day (a modal returning StudyOptions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.scheduling import StudyOptions
from tui.widgets.key_footer import KeyFooter
from tui.screens import screen_css


def parse_settings(until: str, retention: str, new_per_day: str, base: StudyOptions) -> StudyOptions | str:
    """The options the form describes, or a message saying which field is wrong and why."""
    until = until.strip()
    try:
        until_date = date.fromisoformat(until) if until else None
    except ValueError:
        return f"Interview date: {until!r} is not a date like 2026-12-20 (leave empty for none)."
    try:
        retention_value = float(retention.strip().rstrip("%")) if retention.strip() else base.desired_retention
    except ValueError:
        return f"Desired retention: {retention!r} is not a number."
    if retention_value > 1:
        retention_value /= 100  # typed as a percentage
    if not 0.7 <= retention_value <= 0.97:
        return f"Desired retention: {retention_value:g} is outside 0.70-0.97 (FSRS schedules poorly beyond)."
    try:
        new_value = int(new_per_day.strip()) if new_per_day.strip() else base.new_per_day
    except ValueError:
        return f"New cards per day: {new_per_day!r} is not a whole number."
    try:
        return replace(base, until=until_date, desired_retention=retention_value, new_per_day=new_value)
    except ValueError as error:
        return str(error)


class SettingsScreen(ModalScreen[StudyOptions | None]):
    """Edit the study options; enter saves (dismisses with the new options), escape cancels (None)."""

    DEFAULT_CSS = screen_css("dialogs.tcss")
    SCOPED_CSS = False

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, options: StudyOptions) -> None:
        super().__init__()
        self.options = options

    def compose(self) -> ComposeResult:
        options = self.options
        with Vertical(id="settings-dialog", classes="dialog"):
            yield Static("Study settings", classes="dialog-title")
            yield Static("With an interview date, due work is ordered by how likely you are to recall it on that "
                         "day, and cards you would forget by then come back early.", classes="dialog-hint")
            yield Label("Interview date, YYYY-MM-DD (empty: none)")
            yield Input(options.until.isoformat() if options.until else "", placeholder="none", id="until")
            yield Label("Desired retention (0.70-0.97)")
            yield Input(f"{options.desired_retention:g}", id="retention")
            yield Label("New cards per day")
            yield Input(str(options.new_per_day), id="new-per-day")
            yield Static(id="settings-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#until", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        result = parse_settings(
            self.query_one("#until", Input).value,
            self.query_one("#retention", Input).value,
            self.query_one("#new-per-day", Input).value,
            self.options,
        )
        if isinstance(result, str):
            self.query_one("#settings-error", Static).update(result)
            return
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
