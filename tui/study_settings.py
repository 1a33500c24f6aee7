"""The study options kept in the progress store (interview date, desired retention, new per day): read and written
by the quiz and by `grade drill`, so cards and drills share one schedule. No textual here."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

from tui import store
from tui.scheduling import StudyOptions

SETTING_UNTIL = "study.until"
SETTING_RETENTION = "study.desired_retention"
SETTING_NEW_PER_DAY = "study.new_per_day"


def saved_options(conn: sqlite3.Connection, options: StudyOptions | None = None) -> StudyOptions:
    """`options` (default StudyOptions()) with saved settings filled in wherever it holds the default value."""
    options = options or StudyOptions()
    default = StudyOptions()
    changes: dict[str, object] = {}
    saved_until = store.get_setting(conn, SETTING_UNTIL)
    if options.until is None and saved_until:
        try:
            changes["until"] = date.fromisoformat(saved_until)
        except ValueError:
            pass
    saved_retention = store.get_setting(conn, SETTING_RETENTION)
    if options.desired_retention == default.desired_retention and saved_retention:
        try:
            value = float(saved_retention)
            if 0 < value < 1:
                changes["desired_retention"] = value
        except ValueError:
            pass
    saved_new = store.get_setting(conn, SETTING_NEW_PER_DAY)
    if options.new_per_day == default.new_per_day and saved_new and saved_new.isdigit():
        changes["new_per_day"] = int(saved_new)
    return replace(options, **changes) if changes else options


def save_options(conn: sqlite3.Connection, options: StudyOptions) -> None:
    """Keep these options for the next start of the quiz or of `grade drill`."""
    store.set_setting(conn, SETTING_UNTIL, options.until.isoformat() if options.until else "")
    store.set_setting(conn, SETTING_RETENTION, repr(options.desired_retention))
    store.set_setting(conn, SETTING_NEW_PER_DAY, str(options.new_per_day))
