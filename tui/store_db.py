"""Opening the progress database: schema migrations, integrity checks, transactions and clear errors.

The data functions over the open connection are in tui/store.py (which re-exports what callers need from here).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

DB_FILENAME = "progress.sqlite3"
DEFAULT_BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """A progress database that cannot be used; the message names the file and what to do about it."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class StoreConnection(sqlite3.Connection):
    """A sqlite3 connection that remembers which file it is, for error messages."""

    store_path: str = "<progress database>"


# --- schema -------------------------------------------------------------------------------------------------------
# Each migration moves the schema from version i to i + 1; they run in order inside one transaction.
# Never edit a released migration: append a new one.


def _migration_1_core(conn: sqlite3.Connection) -> None:
    """v1: card states, the review log and settings."""
    for statement in (
        """CREATE TABLE card_state (
               deck TEXT NOT NULL,
               number INTEGER NOT NULL,
               card_json TEXT NOT NULL,
               updated_at TEXT NOT NULL,
               PRIMARY KEY (deck, number))""",
        """CREATE TABLE reviews (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               deck TEXT NOT NULL,
               number INTEGER NOT NULL,
               rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
               reviewed_at TEXT NOT NULL,
               duration_ms INTEGER,
               state_before INTEGER,
               card_before TEXT,
               card_after TEXT NOT NULL,
               undone_at TEXT)""",
        "CREATE INDEX reviews_by_card ON reviews (deck, number)",
        "CREATE INDEX reviews_by_time ON reviews (reviewed_at)",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ):
        conn.execute(statement)


def _migration_2_answers_exercises(conn: sqlite3.Connection) -> None:
    """v2: the learner's own answers, the grader's results, and an append-only guard on the review log."""
    for statement in (
        """CREATE TABLE user_answers (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               deck TEXT NOT NULL,
               number INTEGER NOT NULL,
               text TEXT NOT NULL,
               saved_at TEXT NOT NULL)""",
        "CREATE INDEX user_answers_by_card ON user_answers (deck, number)",
        """CREATE TABLE exercise_runs (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               topic INTEGER NOT NULL,
               total_tasks INTEGER NOT NULL CHECK (total_tasks >= 0),
               graded_at TEXT NOT NULL)""",
        """CREATE TABLE exercise_results (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               run_id INTEGER NOT NULL REFERENCES exercise_runs (id),
               topic INTEGER NOT NULL,
               task_id TEXT NOT NULL,
               status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error', 'timeout', 'forbidden')),
               message TEXT NOT NULL,
               seconds REAL)""",
        "CREATE INDEX exercise_results_by_task ON exercise_results (topic, task_id)",
        """CREATE TRIGGER reviews_are_never_deleted BEFORE DELETE ON reviews
           BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END""",
    ):
        conn.execute(statement)


def _migration_3_linked_notes(conn: sqlite3.Connection) -> None:
    """v3: the learner's own copies of parts of the series, linked to the built-in decks, and their answers as notes."""
    for statement in (
        """CREATE TABLE linked_documents (
               deck TEXT PRIMARY KEY,
               origin TEXT NOT NULL,
               title TEXT NOT NULL,
               sha256 TEXT NOT NULL,
               questions INTEGER NOT NULL,
               answered INTEGER NOT NULL,
               linked_at TEXT NOT NULL)""",
        """CREATE TABLE notes (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               deck TEXT NOT NULL,
               number INTEGER NOT NULL,
               text TEXT NOT NULL,
               origin TEXT NOT NULL,
               saved_at TEXT NOT NULL)""",
        "CREATE INDEX notes_by_card ON notes (deck, number)",
    ):
        conn.execute(statement)


def _migration_4_drills(conn: sqlite3.Connection) -> None:
    """v4: drills (a passed task written again from memory): enrolment, FSRS state and an append-only drill log.

    Every task that had already passed before this version is enrolled at the time it first passed.
    """
    for statement in (
        """CREATE TABLE drill_tasks (
               task_id TEXT PRIMARY KEY,
               topic INTEGER NOT NULL,
               first_passed_at TEXT NOT NULL)""",
        """CREATE TABLE drill_state (
               task_id TEXT PRIMARY KEY REFERENCES drill_tasks (task_id),
               card_json TEXT NOT NULL,
               updated_at TEXT NOT NULL)""",
        """CREATE TABLE drill_reviews (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               task_id TEXT NOT NULL,
               rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
               proposed_rating INTEGER NOT NULL CHECK (proposed_rating BETWEEN 1 AND 4),
               reviewed_at TEXT NOT NULL,
               seconds REAL NOT NULL CHECK (seconds >= 0),
               hints INTEGER NOT NULL CHECK (hints >= 0),
               attempts INTEGER NOT NULL CHECK (attempts >= 0),
               verdict TEXT NOT NULL,
               gave_up INTEGER NOT NULL DEFAULT 0,
               drill_file TEXT NOT NULL DEFAULT '',
               source TEXT NOT NULL DEFAULT '',
               state_before INTEGER,
               card_before TEXT,
               card_after TEXT NOT NULL,
               undone_at TEXT)""",
        "CREATE INDEX drill_reviews_by_task ON drill_reviews (task_id)",
        "CREATE INDEX drill_reviews_by_time ON drill_reviews (reviewed_at)",
        """CREATE TRIGGER drill_reviews_are_never_deleted BEFORE DELETE ON drill_reviews
           BEGIN SELECT RAISE(ABORT, 'the drill log is append-only'); END""",
        """INSERT INTO drill_tasks (task_id, topic, first_passed_at)
           SELECT r.task_id, r.topic, MIN(runs.graded_at) FROM exercise_results AS r
           JOIN exercise_runs AS runs ON runs.id = r.run_id
           WHERE r.status = 'pass' GROUP BY r.task_id""",
    ):
        conn.execute(statement)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migration_1_core,
    _migration_2_answers_exercises,
    _migration_3_linked_notes,
    _migration_4_drills,
)
SCHEMA_VERSION: int = len(MIGRATIONS)


# --- errors and transactions --------------------------------------------------------------------------------------


def path_of(conn: sqlite3.Connection) -> str:
    """Return the database file of a store connection, for messages."""
    return getattr(conn, "store_path", "<progress database>")


def _explain(path: str | Path, error: sqlite3.Error) -> StoreError:
    """Turn a sqlite3 error into a StoreError that says what happened and what the user can do."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StoreError(
            path,
            f"the progress database is locked by another program ({text}). Close other `quiz` or `grade` "
            "processes (or any tool that has this file open) and try again.",
        )
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text or "malformed" in text:
        return _corrupt(path, text)
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        return StoreError(path, f"cannot open the progress database for writing ({text}). Check the file's "
                                "permissions, or pass another --data-dir.")
    if name.startswith("SQLITE_FULL"):
        return StoreError(path, f"the disk is full ({text}); free some space and try again.")
    return StoreError(path, f"database error ({text}). The file was left as it is.")


def _corrupt(path: str | Path, detail: str) -> StoreError:
    return StoreError(
        path,
        f"this is not a readable progress database ({detail}). It was left untouched: move it aside "
        f"(for example rename it to {Path(path).name}.broken) to start with fresh progress, or restore a backup.",
    )


@contextmanager
def sqlite_errors(conn: sqlite3.Connection) -> Iterator[None]:
    """Re-raise any sqlite3 error inside the block as a StoreError naming the file and what to do."""
    try:
        yield
    except sqlite3.Error as error:
        raise _explain(path_of(conn), error) from error


@contextmanager
def writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, committed before the block's caller returns; rolled back on any error."""
    with sqlite_errors(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


# --- FSRS states as stored text ----------------------------------------------------------------------------------


def card_json(card) -> str:
    """An fsrs.Card as the JSON text the store keeps."""
    import json

    return json.dumps(card.to_dict(), ensure_ascii=False, sort_keys=True)


def card_from_json(conn: sqlite3.Connection, what: str, text: str):
    """The fsrs.Card stored as `text`; a StoreError naming `what` (e.g. "card pytorch-part3#26") when unreadable."""
    import json

    import fsrs

    try:
        return fsrs.Card.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as error:
        raise StoreError(path_of(conn), f"the saved state of {what} is unreadable ({error}). "
                                         "The file was left as it is; restore a backup or report a bug.") from error


# --- time helpers: stored as fixed-width ISO UTC text so that text order is time order -----------------------------


def iso_utc(moment: datetime) -> str:
    """Format a datetime (naive = local time) as fixed-width ISO text in UTC."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    """Parse text written by iso_utc back into an aware datetime."""
    return datetime.fromisoformat(text)


def now_utc() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def day_bounds(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """Return the [start, end) of calendar day `day` in `tz` (None = the local time zone) as UTC datetimes."""
    def start_of(d: date) -> datetime:
        midnight = datetime.combine(d, time())
        local = midnight.replace(tzinfo=tz) if tz is not None else midnight.astimezone()
        return local.astimezone(timezone.utc)

    return start_of(day), start_of(day + timedelta(days=1))


# --- opening ------------------------------------------------------------------------------------------------------


def open_store(data_dir: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open (creating or migrating as needed) data_dir/progress.sqlite3 and return its connection.

    Raises StoreError, without writing to the file, when it is not a database, fails an integrity check, was
    written by a newer version of the program, or is locked by another process for longer than busy_timeout_ms.
    """
    directory = Path(data_dir)
    path = directory / DB_FILENAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(path, f"cannot create the data directory ({error}); pass another --data-dir.") from error
    try:
        conn = sqlite3.connect(
            path,
            timeout=busy_timeout_ms / 1000,
            isolation_level=None,  # transactions are explicit: see writing
            check_same_thread=False,  # the UI may record from a worker thread; calls are never concurrent
            factory=StoreConnection,
        )
    except sqlite3.Error as error:
        raise _explain(path, error) from error
    conn.store_path = str(path)
    try:
        _prepare(conn, path, busy_timeout_ms)
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, path: Path, busy_timeout_ms: int) -> None:
    with sqlite_errors(conn):
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # Read-only checks first: nothing may be written to a file we do not understand.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
        if problems != ["ok"]:
            raise _corrupt(path, "integrity check failed: " + "; ".join(problems))
        _refuse_newer(path, version)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    _migrate(conn, path)


def _refuse_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            path,
            f"this progress database has schema version {version}, but this version of torchprep only knows up "
            f"to version {SCHEMA_VERSION}. Upgrade torchprep (e.g. `pip install -U torchprep`, or `git pull` and "
            "`make quiz`) to use it; the file was not modified.",
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    # BEGIN IMMEDIATE also proves at start-up that we can write: a locked database is reported now,
    # not at the first rating.
    with writing(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _refuse_newer(path, version)  # another process may have upgraded it since the check above
        for migration in MIGRATIONS[version:]:
            migration(conn)
        if version != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database."""
    with sqlite_errors(conn):
        return conn.execute("PRAGMA user_version").fetchone()[0]
