"""Drills in the progress store: which tasks are drills, their FSRS states, and the drill log (plain functions).

A task becomes a drill the first time it passes (tui.store.record_exercise_results enrols it). A drill rating is
recorded with what the learner did (seconds, hints, attempts, the verdict) and, like a card's, is durable when its
function returns and can be undone (the row stays, marked).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import fsrs

from tui.store_db import card_from_json, card_json, day_bounds, iso_utc, now_utc, parse_time, sqlite_errors, writing


@dataclass(frozen=True)
class DrillReviewRow:
    """One rated drill in the drill log."""

    id: int
    task_id: str
    rating: int
    proposed_rating: int
    reviewed_at: datetime  # timezone-aware, UTC
    seconds: float
    hints: int
    attempts: int
    verdict: str  # pass | fail | error | timeout | forbidden | gave-up
    gave_up: bool
    drill_file: str
    source: str  # where it was rated: "grade", "quiz", "mock"
    undone: bool
    state_before: int | None  # fsrs.State before the rating; None = the drill was new

    @property
    def topic(self) -> int:
        """The exercise the task belongs to."""
        return int(self.task_id.split(".")[0])


def _card_from_json(conn: sqlite3.Connection, task_id: str, text: str) -> fsrs.Card:
    return card_from_json(conn, f"drill {task_id}", text)


def _topic_of(task_id: str) -> int:
    head, dot, tail = task_id.partition(".")
    if not (dot and head.isdigit() and tail.isdigit()):
        raise ValueError(f"a task id is N.k (e.g. 26.2), got {task_id!r}")
    return int(head)


def enrol_drill(conn: sqlite3.Connection, task_id: str, passed_at: datetime | None = None) -> bool:
    """Make `task_id` a drill from `passed_at` on (no-op when it already is one); True when it was enrolled now."""
    with writing(conn):
        cursor = conn.execute(
            "INSERT OR IGNORE INTO drill_tasks (task_id, topic, first_passed_at) VALUES (?, ?, ?)",
            (task_id, _topic_of(task_id), iso_utc(passed_at or now_utc())),
        )
    return cursor.rowcount > 0


def drill_tasks(conn: sqlite3.Connection) -> dict[str, datetime]:
    """Every drill's task id and when that task first passed, in task order of enrolment."""
    with sqlite_errors(conn):
        rows = conn.execute("SELECT task_id, first_passed_at FROM drill_tasks ORDER BY first_passed_at, task_id")
        return {task: parse_time(at) for task, at in rows.fetchall()}


def drill_states(conn: sqlite3.Connection) -> dict[str, fsrs.Card]:
    """The FSRS state of every drill that has been rated at least once, by task id."""
    with sqlite_errors(conn):
        rows = conn.execute("SELECT task_id, card_json FROM drill_state").fetchall()
    return {task: _card_from_json(conn, task, text) for task, text in rows}


def _put_state(conn: sqlite3.Connection, task_id: str, card: fsrs.Card | None) -> None:
    if card is None:
        conn.execute("DELETE FROM drill_state WHERE task_id = ?", (task_id,))
        return
    conn.execute(
        """INSERT INTO drill_state (task_id, card_json, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (task_id) DO UPDATE SET card_json = excluded.card_json, updated_at = excluded.updated_at""",
        (task_id, card_json(card), iso_utc(now_utc())),
    )


def record_drill_review(
    conn: sqlite3.Connection,
    task_id: str,
    before: fsrs.Card | None,
    after: fsrs.Card,
    log: fsrs.ReviewLog,
    *,
    proposed_rating: int,
    seconds: float,
    hints: int,
    attempts: int,
    verdict: str,
    gave_up: bool = False,
    drill_file: str = "",
    source: str = "",
) -> int:
    """Append a drill rating (enrolling the task if it was not yet a drill) and save its new state; durable on
    return. Returns the drill review id."""
    topic = _topic_of(task_id)
    with writing(conn):
        when = iso_utc(log.review_datetime)
        conn.execute("INSERT OR IGNORE INTO drill_tasks (task_id, topic, first_passed_at) VALUES (?, ?, ?)",
                     (task_id, topic, when))
        cursor = conn.execute(
            """INSERT INTO drill_reviews (task_id, rating, proposed_rating, reviewed_at, seconds, hints, attempts,
                                          verdict, gave_up, drill_file, source, state_before, card_before, card_after)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (task_id, int(log.rating), int(proposed_rating), when, float(seconds), int(hints), int(attempts),
             str(verdict), int(bool(gave_up)), str(drill_file), str(source),
             None if before is None else int(before.state), None if before is None else card_json(before),
             card_json(after)),
        )
        _put_state(conn, task_id, after)
    return int(cursor.lastrowid)


def undo_drill_review(conn: sqlite3.Connection, review_id: int) -> fsrs.Card | None:
    """Mark a drill rating undone (the row stays) and restore the state from before it; None = the drill is new again.

    Only the latest not-undone rating of a drill can be undone. Raises ValueError otherwise.
    """
    with writing(conn):
        row = conn.execute("SELECT task_id, card_before, undone_at FROM drill_reviews WHERE id = ?",
                           (review_id,)).fetchone()
        if row is None:
            raise ValueError(f"there is no drill review with id {review_id}")
        task_id, before_json, undone_at = row
        if undone_at is not None:
            raise ValueError(f"drill review {review_id} was already undone")
        later = conn.execute(
            "SELECT id FROM drill_reviews WHERE task_id = ? AND id > ? AND undone_at IS NULL LIMIT 1",
            (task_id, review_id),
        ).fetchone()
        if later is not None:
            raise ValueError(f"drill review {review_id} is not the latest of {task_id}; undo {later[0]} first")
        conn.execute("UPDATE drill_reviews SET undone_at = ? WHERE id = ?", (iso_utc(now_utc()), review_id))
        before = None if before_json is None else _card_from_json(conn, task_id, before_json)
        _put_state(conn, task_id, before)
    return before


def drill_reviews(conn: sqlite3.Connection, since: datetime | None = None, include_undone: bool = False,
                  task_id: str | None = None) -> list[DrillReviewRow]:
    """The drill log in the order it was written (from `since` on, of one task if given)."""
    query = ("SELECT id, task_id, rating, proposed_rating, reviewed_at, seconds, hints, attempts, verdict, gave_up, "
             "drill_file, source, undone_at, state_before FROM drill_reviews")
    clauses, params = [], []
    if since is not None:
        clauses.append("reviewed_at >= ?")
        params.append(iso_utc(since))
    if not include_undone:
        clauses.append("undone_at IS NULL")
    if task_id is not None:
        clauses.append("task_id = ?")
        params.append(task_id)
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    with sqlite_errors(conn):
        rows = conn.execute(query + " ORDER BY id", params).fetchall()
    return [
        DrillReviewRow(id=i, task_id=t, rating=r, proposed_rating=p, reviewed_at=parse_time(at), seconds=s,
                       hints=h, attempts=a, verdict=v, gave_up=bool(g), drill_file=f, source=src,
                       undone=undone is not None, state_before=state)
        for i, t, r, p, at, s, h, a, v, g, f, src, undone, state in rows
    ]


def new_drills_today(conn: sqlite3.Connection, today: date | None = None, tz: tzinfo | None = None) -> int:
    """Drills first rated (as new, not undone) on calendar day `today`: the drills' own new-per-day count."""
    start, end = day_bounds(today or datetime.now().date(), tz)
    with sqlite_errors(conn):
        return conn.execute(
            """SELECT COUNT(DISTINCT task_id) FROM drill_reviews
               WHERE state_before IS NULL AND undone_at IS NULL AND reviewed_at >= ? AND reviewed_at < ?""",
            (iso_utc(start), iso_utc(end)),
        ).fetchone()[0]
