"""The quiz's progress store: plain functions over one SQLite file (stdlib sqlite3).

Holds FSRS card states, the full review log (never deleted; undo only marks a row), the learner's own answers,
the grader's exercise results and settings. Every write commits (WAL, synchronous=FULL) before its function
returns, so a killed process loses nothing that was already recorded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import fsrs

from tui.store_db import (  # re-exported: the store's public API lives in this module
    DB_FILENAME,
    DEFAULT_BUSY_TIMEOUT_MS,
    MIGRATIONS,
    SCHEMA_VERSION,
    StoreConnection,
    StoreError,
    card_from_json,
    card_json,
    day_bounds,
    iso_utc,
    now_utc,
    open_store,
    parse_time,
    path_of,
    schema_version,
    sqlite_errors,
    writing,
)

EXERCISE_STATUSES = ("pass", "fail", "error", "timeout", "forbidden")

Key = tuple[str, int]


@dataclass(frozen=True)
class ReviewRow:
    """One rating in the review log."""

    id: int
    deck: str
    number: int
    rating: int
    reviewed_at: datetime  # timezone-aware, UTC
    duration_ms: int | None
    undone: bool
    state_before: int | None  # fsrs.State value before the rating; None = the card was new

    @property
    def key(self) -> Key:
        """The (deck, number) identity of the reviewed card."""
        return (self.deck, self.number)


@dataclass(frozen=True)
class ExerciseStatus:
    """How far the learner is with exercise `topic`: tasks whose latest result passed, out of `total`."""

    topic: int
    passed: int
    total: int
    graded_at: datetime  # time of the latest grading run, UTC

    @property
    def all_passed(self) -> bool:
        """True when every task of the exercise currently passes."""
        return self.total > 0 and self.passed >= self.total


@dataclass(frozen=True)
class ExerciseResult:
    """The latest result of one task of an exercise."""

    topic: int
    task_id: str
    status: str
    message: str
    seconds: float | None
    graded_at: datetime


# --- card states and the review log -------------------------------------------------------------------------------


def _card_from_json(conn: sqlite3.Connection, key: Key, text: str) -> fsrs.Card:
    return card_from_json(conn, f"card {key[0]}#{key[1]}", text)


def _put_state(conn: sqlite3.Connection, key: Key, card: fsrs.Card | None) -> None:
    if card is None:
        conn.execute("DELETE FROM card_state WHERE deck = ? AND number = ?", key)
        return
    conn.execute(
        """INSERT INTO card_state (deck, number, card_json, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (deck, number) DO UPDATE SET card_json = excluded.card_json, updated_at = excluded.updated_at""",
        (key[0], key[1], card_json(card), iso_utc(now_utc())),
    )


def card_states(conn: sqlite3.Connection, deck: str | None = None) -> dict[Key, fsrs.Card]:
    """Return the FSRS state of every card that has been reviewed (of one deck if given), by (deck, number)."""
    with sqlite_errors(conn):
        if deck is None:
            rows = conn.execute("SELECT deck, number, card_json FROM card_state").fetchall()
        else:
            rows = conn.execute("SELECT deck, number, card_json FROM card_state WHERE deck = ?", (deck,)).fetchall()
    return {(d, n): _card_from_json(conn, (d, n), text) for d, n, text in rows}


def record_review(
    conn: sqlite3.Connection,
    key: Key,
    before: fsrs.Card | None,
    after: fsrs.Card,
    log: fsrs.ReviewLog,
    duration_ms: int | None = None,
) -> int:
    """Append a rating to the review log and save the card's new state; durable on return. Returns the review id."""
    deck, number = key
    if duration_ms is None:
        duration_ms = log.review_duration
    with writing(conn):
        cursor = conn.execute(
            """INSERT INTO reviews (deck, number, rating, reviewed_at, duration_ms, state_before, card_before,
                                    card_after)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                deck,
                number,
                int(log.rating),
                iso_utc(log.review_datetime),
                duration_ms,
                None if before is None else int(before.state),
                None if before is None else card_json(before),
                card_json(after),
            ),
        )
        _put_state(conn, key, after)
    return int(cursor.lastrowid)


def undo_review(conn: sqlite3.Connection, review_id: int) -> fsrs.Card | None:
    """Mark a review undone (the row stays) and restore the card's state from before it; None = the card is new again.

    Only the latest not-undone review of a card can be undone, so undoing in reverse order walks back any number
    of ratings. Raises ValueError for an unknown, already undone or superseded review.
    """
    with writing(conn):
        row = conn.execute(
            "SELECT deck, number, card_before, undone_at FROM reviews WHERE id = ?", (review_id,)
        ).fetchone()
        if row is None:
            raise ValueError(f"there is no review with id {review_id}")
        deck, number, before_json, undone_at = row
        if undone_at is not None:
            raise ValueError(f"review {review_id} was already undone")
        later = conn.execute(
            "SELECT id FROM reviews WHERE deck = ? AND number = ? AND id > ? AND undone_at IS NULL LIMIT 1",
            (deck, number, review_id),
        ).fetchone()
        if later is not None:
            raise ValueError(f"review {review_id} is not the latest of card {deck}#{number}; undo review {later[0]} first")
        conn.execute("UPDATE reviews SET undone_at = ? WHERE id = ?", (iso_utc(now_utc()), review_id))
        before = None if before_json is None else _card_from_json(conn, (deck, number), before_json)
        _put_state(conn, (deck, number), before)
    return before


def reviews(conn: sqlite3.Connection, since: datetime | None = None, include_undone: bool = False) -> list[ReviewRow]:
    """Return the review log in the order it was written, from `since` on (inclusive) if given."""
    query = "SELECT id, deck, number, rating, reviewed_at, duration_ms, undone_at, state_before FROM reviews"
    clauses, params = [], []
    if since is not None:
        clauses.append("reviewed_at >= ?")
        params.append(iso_utc(since))
    if not include_undone:
        clauses.append("undone_at IS NULL")
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    with sqlite_errors(conn):
        rows = conn.execute(query + " ORDER BY id", params).fetchall()
    return [
        ReviewRow(
            id=i, deck=d, number=n, rating=r, reviewed_at=parse_time(at), duration_ms=ms,
            undone=undone_at is not None, state_before=state,
        )
        for i, d, n, r, at, ms, undone_at, state in rows
    ]


def new_cards_today(conn: sqlite3.Connection, today: date | None = None, tz: tzinfo | None = None) -> int:
    """Count the cards first reviewed (as new, and not undone) on calendar day `today` (default: today, local time)."""
    start, end = day_bounds(today or datetime.now().date(), tz)
    with sqlite_errors(conn):
        return conn.execute(
            """SELECT COUNT(*) FROM (SELECT DISTINCT deck, number FROM reviews
                                     WHERE state_before IS NULL AND undone_at IS NULL
                                       AND reviewed_at >= ? AND reviewed_at < ?)""",
            (iso_utc(start), iso_utc(end)),
        ).fetchone()[0]


# --- the learner's own answers (kept as a history; the latest is shown) --------------------------------------------


def save_user_answer(conn: sqlite3.Connection, key: Key, text: str) -> None:
    """Save the learner's answer to a card; earlier versions are kept. An empty text clears the shown answer."""
    with writing(conn):
        conn.execute(
            "INSERT INTO user_answers (deck, number, text, saved_at) VALUES (?, ?, ?, ?)",
            (key[0], key[1], text, iso_utc(now_utc())),
        )


def user_answer(conn: sqlite3.Connection, key: Key) -> str | None:
    """Return the learner's latest answer to a card, or None if there is none (or it was cleared)."""
    with sqlite_errors(conn):
        row = conn.execute(
            "SELECT text FROM user_answers WHERE deck = ? AND number = ? ORDER BY id DESC LIMIT 1", key
        ).fetchone()
    return row[0] if row is not None and row[0].strip() else None


def user_answers(conn: sqlite3.Connection) -> dict[Key, str]:
    """Return every card's latest non-empty user answer, by (deck, number)."""
    with sqlite_errors(conn):
        rows = conn.execute(
            """SELECT deck, number, text FROM user_answers
               WHERE id IN (SELECT MAX(id) FROM user_answers GROUP BY deck, number)"""
        ).fetchall()
    return {(d, n): text for d, n, text in rows if text.strip()}


# --- exercise results (written by the grader) ---------------------------------------------------------------------


def record_exercise_results(
    conn: sqlite3.Connection,
    topic: int,
    total_tasks: int,
    results: Iterable[tuple[str, str, str, float]],
    graded_at: datetime | None = None,
) -> None:
    """Append one grading run of exercise `topic`: (task_id, status, message, seconds) per task; all rows are kept."""
    rows = [(str(task), str(status), str(message), None if seconds is None else float(seconds))
            for task, status, message, seconds in results]
    for task, status, _, _ in rows:
        if status not in EXERCISE_STATUSES:
            raise ValueError(f"task {task!r}: status {status!r} is not one of {', '.join(EXERCISE_STATUSES)}")
    if total_tasks < 0:
        raise ValueError(f"total_tasks must be >= 0, got {total_tasks}")
    with writing(conn):
        run_id = conn.execute(
            "INSERT INTO exercise_runs (topic, total_tasks, graded_at) VALUES (?, ?, ?)",
            (topic, total_tasks, iso_utc(graded_at or now_utc())),
        ).lastrowid
        conn.executemany(
            "INSERT INTO exercise_results (run_id, topic, task_id, status, message, seconds) VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, topic, task, status, message, seconds) for task, status, message, seconds in rows],
        )
        # A task becomes a drill the first time it passes (tui.store_drills).
        conn.executemany(
            "INSERT OR IGNORE INTO drill_tasks (task_id, topic, first_passed_at) VALUES (?, ?, ?)",
            [(task, topic, iso_utc(graded_at or now_utc())) for task, status, _, _ in rows if status == "pass"],
        )


_LATEST_RESULTS = """
    SELECT r.topic, r.task_id, r.status, r.message, r.seconds, runs.graded_at
    FROM exercise_results AS r
    JOIN exercise_runs AS runs ON runs.id = r.run_id
    WHERE r.id IN (SELECT MAX(id) FROM exercise_results GROUP BY topic, task_id)
"""


def exercise_status(conn: sqlite3.Connection) -> dict[int, ExerciseStatus]:
    """Return, per graded topic, how many tasks currently pass (latest result per task) out of the latest total."""
    with sqlite_errors(conn):
        runs = conn.execute(
            """SELECT topic, total_tasks, graded_at FROM exercise_runs
               WHERE id IN (SELECT MAX(id) FROM exercise_runs GROUP BY topic)"""
        ).fetchall()
        passing = dict(conn.execute(
            f"SELECT topic, SUM(status = 'pass') FROM ({_LATEST_RESULTS}) GROUP BY topic"
        ).fetchall())
    # A task renamed or dropped since an earlier run may still count as passing; never report more than the total.
    return {
        topic: ExerciseStatus(topic, min(int(passing.get(topic) or 0), total), total, parse_time(at))
        for topic, total, at in runs
    }


def latest_exercise_results(conn: sqlite3.Connection, topic: int) -> list[ExerciseResult]:
    """Return the latest result of each task of exercise `topic`, by task id."""
    with sqlite_errors(conn):
        rows = conn.execute(f"SELECT * FROM ({_LATEST_RESULTS}) WHERE topic = ? ORDER BY task_id", (topic,)).fetchall()
    return [ExerciseResult(t, task, status, message, seconds, parse_time(at))
            for t, task, status, message, seconds, at in rows]


# --- settings -----------------------------------------------------------------------------------------------------


def get_setting(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    """Return a stored setting, or `default` when it was never set."""
    with sqlite_errors(conn):
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store a setting (text), replacing any earlier value."""
    with writing(conn):
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, str(value)),
        )
