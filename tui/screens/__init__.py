"""Screens of the quiz app, one per module; a screen's own layout is in the .tcss file beside it."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def screen_css(name: str) -> str:
    """The rules of tui/screens/`name`, for a screen's DEFAULT_CSS (with SCOPED_CSS off, so they read as written).

    Textual parses a screen's DEFAULT_CSS the first time the screen is shown, and only that; a CSS_PATH would make it
    re-parse every stylesheet of the app and restyle every widget then, and the app-wide quiz.tcss would make every
    start parse the rules of screens it does not show.
    """
    return (_HERE / name).read_text(encoding="utf-8")
