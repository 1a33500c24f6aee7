"""The progress store: round trips, undo, the append-only review log, migrations, refusals, exercise results, and
the notes of linked documents (tui/notes.py)."""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui import notes, paths, store, store_db
from tui.scheduling import StudyOptions, make_scheduler, rate

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
SCHEDULER = make_scheduler(StudyOptions())
CARD_A = ("pytorch-part3", 21)
CARD_B = ("pytorch-part3", 22)
CARD_OTHER_DECK = ("my-notes", 21)


@pytest.fixture
def conn(tmp_path):
    connection = store.open_store(tmp_path)
    yield connection
    connection.close()


def review(conn, key, rating, when, duration_ms=None):
    """Rate `key` from its stored state and record it; return (review id, state before, state after)."""
    before = store.card_states(conn).get(key)
    after, log = rate(SCHEDULER, before, rating, when)
    return store.record_review(conn, key, before, after, log, duration_ms), before, after


def as_dicts(states):
    return {key: card.to_dict() for key, card in states.items()}


# --- opening ------------------------------------------------------------------------------------------------------


def test_open_creates_a_durable_wal_database_at_the_current_schema(tmp_path):
    conn = store.open_store(tmp_path)
    try:
        assert (tmp_path / store.DB_FILENAME).is_file()
        assert store.schema_version(conn) == store.SCHEMA_VERSION == len(store.MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.DEFAULT_BUSY_TIMEOUT_MS
    finally:
        conn.close()


def test_open_creates_a_missing_data_directory(tmp_path):
    conn = store.open_store(tmp_path / "new" / "dir")
    conn.close()
    assert (tmp_path / "new" / "dir" / store.DB_FILENAME).is_file()


def test_reopening_keeps_everything(tmp_path):
    conn = store.open_store(tmp_path)
    review(conn, CARD_A, 3, T0)
    store.set_setting(conn, "retention", "0.85")
    conn.close()
    again = store.open_store(tmp_path)
    try:
        assert CARD_A in store.card_states(again)
        assert len(store.reviews(again)) == 1
        assert store.get_setting(again, "retention") == "0.85"
    finally:
        again.close()


# --- card states and the review log -------------------------------------------------------------------------------


def test_card_state_round_trips_through_the_database(tmp_path):
    conn = store.open_store(tmp_path)
    _, _, after = review(conn, CARD_A, 3, T0)
    _, _, after2 = review(conn, CARD_A, 4, T0 + timedelta(minutes=12))
    conn.close()
    conn = store.open_store(tmp_path)
    try:
        states = store.card_states(conn)
        assert as_dicts(states) == {CARD_A: after2.to_dict()}
        assert states[CARD_A].due.tzinfo is not None
        assert after.to_dict() != after2.to_dict()
    finally:
        conn.close()


def test_card_states_can_be_limited_to_one_deck(conn):
    review(conn, CARD_A, 3, T0)
    review(conn, CARD_OTHER_DECK, 1, T0)
    assert set(store.card_states(conn)) == {CARD_A, CARD_OTHER_DECK}
    assert set(store.card_states(conn, deck="my-notes")) == {CARD_OTHER_DECK}


def test_review_rows_describe_each_rating(conn):
    first, _, _ = review(conn, CARD_A, 3, T0, duration_ms=4200)
    second, _, _ = review(conn, CARD_A, 1, T0 + timedelta(minutes=10))
    rows = store.reviews(conn)
    assert [row.id for row in rows] == [first, second]
    assert rows[0] == store.ReviewRow(first, "pytorch-part3", 21, 3, T0, 4200, False, None)
    assert rows[1].state_before == fsrs.State.Learning and rows[1].rating == 1 and rows[1].duration_ms is None
    assert rows[1].key == CARD_A
    assert [row.id for row in store.reviews(conn, since=T0 + timedelta(minutes=5))] == [second]


# Each corpus: a list of (card, rating, minutes after T0), recorded in order then undone in reverse.
UNDO_CORPORA = {
    "one new card": [(CARD_A, 3, 0)],
    "learning steps of one card": [(CARD_A, 1, 0), (CARD_A, 3, 1), (CARD_A, 3, 11), (CARD_A, 2, 60 * 24 * 3)],
    "interleaved cards and decks": [
        (CARD_A, 3, 0), (CARD_B, 1, 1), (CARD_OTHER_DECK, 4, 2), (CARD_B, 3, 3), (CARD_A, 1, 15), (CARD_B, 4, 20),
    ],
}


@pytest.mark.parametrize("ratings", UNDO_CORPORA.values(), ids=UNDO_CORPORA.keys())
def test_undo_walks_back_any_number_of_ratings(conn, ratings):
    history = []  # (review id, every state just before that rating)
    for key, rating, minutes in ratings:
        snapshot = as_dicts(store.card_states(conn))
        review_id, _, _ = review(conn, key, rating, T0 + timedelta(minutes=minutes))
        history.append((review_id, snapshot))
    for review_id, snapshot in reversed(history):
        store.undo_review(conn, review_id)
        assert as_dicts(store.card_states(conn)) == snapshot
    assert store.card_states(conn) == {}
    assert store.reviews(conn) == []
    kept = store.reviews(conn, include_undone=True)
    assert [row.id for row in kept] == [review_id for review_id, _ in history]
    assert all(row.undone for row in kept)


def test_undo_returns_the_restored_state(conn):
    first, before_first, after_first = review(conn, CARD_A, 3, T0)
    second, before_second, _ = review(conn, CARD_A, 3, T0 + timedelta(minutes=10))
    assert before_first is None
    assert store.undo_review(conn, second).to_dict() == after_first.to_dict() == before_second.to_dict()
    assert store.undo_review(conn, first) is None


def test_undo_refuses_unknown_repeated_and_superseded_reviews(conn):
    first, _, _ = review(conn, CARD_A, 3, T0)
    second, _, _ = review(conn, CARD_A, 3, T0 + timedelta(minutes=10))
    with pytest.raises(ValueError, match="not the latest"):
        store.undo_review(conn, first)
    store.undo_review(conn, second)
    with pytest.raises(ValueError, match="already undone"):
        store.undo_review(conn, second)
    with pytest.raises(ValueError, match="no review"):
        store.undo_review(conn, 9999)
    assert len(store.reviews(conn)) == 1  # the refused undos changed nothing


def test_the_review_log_cannot_be_deleted(conn):
    review_id, _, _ = review(conn, CARD_A, 3, T0)
    store.undo_review(conn, review_id)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM reviews")
    assert [row.id for row in store.reviews(conn, include_undone=True)] == [review_id]


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.tuples(st.sampled_from([CARD_A, CARD_B]), st.integers(1, 4)), st.just("undo")),
                max_size=14))
def test_any_mix_of_ratings_and_undos_matches_a_replay_of_the_surviving_ratings(operations):
    with tempfile.TemporaryDirectory() as directory:
        conn = store.open_store(Path(directory))
        try:
            stack, written = [], 0
            for step, operation in enumerate(operations):
                if operation == "undo":
                    if stack:
                        store.undo_review(conn, stack.pop()[0])
                    continue
                key, rating = operation
                review_id, _, after = review(conn, key, rating, T0 + timedelta(minutes=step))
                stack.append((review_id, key, after))
                written += 1
            expected = {key: after.to_dict() for _, key, after in stack}  # the last surviving state per card
            assert as_dicts(store.card_states(conn)) == expected
            assert [row.id for row in store.reviews(conn)] == [review_id for review_id, _, _ in stack]
            assert len(store.reviews(conn, include_undone=True)) == written
        finally:
            conn.close()


def test_new_cards_today_counts_first_reviews_of_that_day_only(conn):
    yesterday, today = T0 - timedelta(days=1), T0
    review(conn, CARD_OTHER_DECK, 3, yesterday)  # new yesterday
    review(conn, CARD_OTHER_DECK, 3, today)  # not new any more
    review(conn, CARD_A, 3, today)  # new today
    review(conn, CARD_A, 3, today + timedelta(minutes=10))  # same card again
    undone, _, _ = review(conn, CARD_B, 3, today)  # new today, then undone
    store.undo_review(conn, undone)
    assert store.new_cards_today(conn, T0.date(), tz=timezone.utc) == 1
    assert store.new_cards_today(conn, yesterday.date(), tz=timezone.utc) == 1
    assert store.new_cards_today(conn, T0.date() + timedelta(days=1), tz=timezone.utc) == 0


def test_day_bounds_follow_the_time_zone():
    tokyo = timezone(timedelta(hours=9))
    start, end = store.day_bounds(date(2026, 3, 2), tokyo)
    assert start == datetime(2026, 3, 1, 15, 0, tzinfo=timezone.utc)
    assert end - start == timedelta(days=1)


# --- user answers and settings ------------------------------------------------------------------------------------


def test_user_answers_keep_history_and_show_the_latest(conn):
    assert store.user_answer(conn, CARD_A) is None
    store.save_user_answer(conn, CARD_A, "用 nn.RNN")
    store.save_user_answer(conn, CARD_A, "用 nn.LSTM，注意 batch_first")
    store.save_user_answer(conn, CARD_B, "卷积 + 池化")
    assert store.user_answer(conn, CARD_A) == "用 nn.LSTM，注意 batch_first"
    assert store.user_answers(conn) == {CARD_A: "用 nn.LSTM，注意 batch_first", CARD_B: "卷积 + 池化"}
    store.save_user_answer(conn, CARD_B, "  ")
    assert store.user_answer(conn, CARD_B) is None
    assert CARD_B not in store.user_answers(conn)
    assert conn.execute("SELECT COUNT(*) FROM user_answers").fetchone()[0] == 4  # nothing written is lost


def test_settings_round_trip_with_defaults(conn):
    assert store.get_setting(conn, "typed_mode") is None
    assert store.get_setting(conn, "typed_mode", "off") == "off"
    store.set_setting(conn, "typed_mode", "on")
    store.set_setting(conn, "typed_mode", "off")
    assert store.get_setting(conn, "typed_mode", "on") == "off"


# --- exercise results ---------------------------------------------------------------------------------------------

# Each corpus: grading runs of topic 27 as (total_tasks, [(task, status)]) -> expected (passed, total).
EXERCISE_CORPORA = {
    "everything passes at once": ([(3, [("a", "pass"), ("b", "pass"), ("c", "pass")])], (3, 3)),
    "a later partial run fixes a failing task": (
        [(3, [("a", "pass"), ("b", "fail"), ("c", "pass")]), (3, [("b", "pass")])], (3, 3)),
    "a later regression overrides an earlier pass": ([(2, [("a", "pass"), ("b", "pass")]), (2, [("a", "fail")])], (1, 2)),
    "only pass counts": (
        [(5, [("a", "fail"), ("b", "error"), ("c", "timeout"), ("d", "forbidden"), ("e", "pass")])], (1, 5)),
    "never graded task": ([(4, [("a", "pass")])], (1, 4)),
    "the total follows the latest run": ([(3, [("a", "pass"), ("b", "pass"), ("c", "pass")]), (2, [("a", "pass")])],
                                         (2, 2)),
}


@pytest.mark.parametrize("runs, expected", EXERCISE_CORPORA.values(), ids=EXERCISE_CORPORA.keys())
def test_exercise_status_counts_tasks_whose_latest_result_passes(conn, runs, expected):
    for minute, (total, results) in enumerate(runs):
        store.record_exercise_results(conn, 27, total, [(task, status, f"{task}: {status}", 0.5)
                                                        for task, status in results],
                                      graded_at=T0 + timedelta(minutes=minute))
    status = store.exercise_status(conn)
    assert set(status) == {27}
    assert (status[27].passed, status[27].total) == expected
    assert status[27].graded_at == T0 + timedelta(minutes=len(runs) - 1)
    assert status[27].all_passed == (expected[0] == expected[1])
    rows = conn.execute("SELECT COUNT(*) FROM exercise_results").fetchone()[0]
    assert rows == sum(len(results) for _, results in runs)  # every result row is kept


def test_exercise_topics_are_independent_and_latest_results_are_listed(conn):
    store.record_exercise_results(conn, 27, 2, [("rnn_forward", "pass", "", 0.1), ("rnn_grad", "fail", "grad off", 0.2)])
    store.record_exercise_results(conn, 28, 1, [("conv", "pass", "", 0.3)])
    store.record_exercise_results(conn, 27, 2, [("rnn_grad", "timeout", "over 10 s", 10.0)])
    status = store.exercise_status(conn)
    assert (status[27].passed, status[28].passed) == (1, 1)
    latest = store.latest_exercise_results(conn, 27)
    assert [(r.task_id, r.status, r.message) for r in latest] == [("rnn_forward", "pass", ""),
                                                                  ("rnn_grad", "timeout", "over 10 s")]


def test_an_unknown_exercise_status_is_refused_and_nothing_is_written(conn):
    with pytest.raises(ValueError, match="passed"):
        store.record_exercise_results(conn, 27, 2, [("a", "pass", "", 0.1), ("b", "passed", "", 0.1)])
    assert store.exercise_status(conn) == {}
    assert conn.execute("SELECT COUNT(*) FROM exercise_results").fetchone()[0] == 0


# --- migrations ---------------------------------------------------------------------------------------------------

# The schema exactly as version 1 shipped it, written by hand: a migration test must not depend on the migration code.
V1_SCHEMA = """
CREATE TABLE card_state (deck TEXT NOT NULL, number INTEGER NOT NULL, card_json TEXT NOT NULL,
                         updated_at TEXT NOT NULL, PRIMARY KEY (deck, number));
CREATE TABLE reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, deck TEXT NOT NULL, number INTEGER NOT NULL,
                      rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4), reviewed_at TEXT NOT NULL,
                      duration_ms INTEGER, state_before INTEGER, card_before TEXT, card_after TEXT NOT NULL,
                      undone_at TEXT);
CREATE INDEX reviews_by_card ON reviews (deck, number);
CREATE INDEX reviews_by_time ON reviews (reviewed_at);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 1;
"""


def build_v1_database(directory: Path) -> fsrs.Card:
    """Write a version-1 database holding one reviewed card; return that card's state."""
    after, log = rate(SCHEDULER, None, 3, T0)
    raw = sqlite3.connect(directory / store.DB_FILENAME)
    raw.executescript(V1_SCHEMA)
    raw.execute("INSERT INTO card_state VALUES ('pytorch-part3', 21, ?, ?)", (after.to_json(), T0.isoformat()))
    raw.execute(
        "INSERT INTO reviews (deck, number, rating, reviewed_at, duration_ms, state_before, card_before, card_after)"
        " VALUES ('pytorch-part3', 21, 3, ?, 3000, NULL, NULL, ?)",
        (store.iso_utc(log.review_datetime), after.to_json()),
    )
    raw.execute("INSERT INTO settings VALUES ('new_per_day', '15')")
    raw.commit()
    raw.close()
    return after


def test_a_version_1_database_is_migrated_keeping_its_data(tmp_path):
    old_state = build_v1_database(tmp_path)
    conn = store.open_store(tmp_path)
    try:
        assert store.schema_version(conn) == store.SCHEMA_VERSION
        assert as_dicts(store.card_states(conn)) == {CARD_A: old_state.to_dict()}
        [row] = store.reviews(conn)
        assert (row.key, row.rating, row.duration_ms, row.reviewed_at) == (CARD_A, 3, 3000, T0)
        assert store.get_setting(conn, "new_per_day") == "15"
        store.save_user_answer(conn, CARD_A, "mine")  # tables added by later migrations work
        notes.save_link(conn, linked_part3(), {21: "笔记"}, range(21, 31))
        assert notes.note(conn, CARD_A).text == "笔记"
        store.record_exercise_results(conn, 21, 1, [("t", "pass", "", 0.1)])
        assert store.exercise_status(conn)[21].passed == 1
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM reviews")
    finally:
        conn.close()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    build_v1_database(tmp_path)

    def broken_migration(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration 3 failed")

    monkeypatch.setattr(store_db, "MIGRATIONS", (*store_db.MIGRATIONS, broken_migration))
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", len(store_db.MIGRATIONS))
    with pytest.raises(RuntimeError, match="migration 3"):
        store.open_store(tmp_path)
    raw = sqlite3.connect(tmp_path / store.DB_FILENAME)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "user_answers" not in tables and "half_done" not in tables
    finally:
        raw.close()


def test_a_database_from_a_newer_version_is_refused_and_not_modified(tmp_path):
    store.open_store(tmp_path).close()
    db = tmp_path / store.DB_FILENAME
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    raw.close()
    before = db.read_bytes()
    with pytest.raises(store.StoreError) as caught:
        store.open_store(tmp_path)
    message = str(caught.value)
    assert str(db) in message and "Upgrade torchprep" in message and f"version {store.SCHEMA_VERSION + 1}" in message
    assert db.read_bytes() == before


# --- damaged and locked files -------------------------------------------------------------------------------------

GARBAGE = {
    "random bytes": random.Random(7).randbytes(8192),
    "a text file": "这不是数据库\nnot a database either\n".encode() * 200,
    "a truncated sqlite header": b"SQLite format 3\x00" + b"\xff" * 84,
}


@pytest.mark.parametrize("content", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_file_that_is_not_a_database_is_reported_and_left_untouched(tmp_path, content):
    db = tmp_path / store.DB_FILENAME
    db.write_bytes(content)
    with pytest.raises(store.StoreError) as caught:
        store.open_store(tmp_path)
    assert caught.value.path == str(db)
    assert str(db) in str(caught.value) and "move it aside" in str(caught.value)
    assert db.read_bytes() == content
    assert sorted(os.listdir(tmp_path)) == [store.DB_FILENAME]


def test_a_database_with_damaged_pages_fails_the_integrity_check_and_is_left_untouched(tmp_path):
    conn = store.open_store(tmp_path)
    for minute in range(100):
        review(conn, ("deck", minute), 3, T0 + timedelta(minutes=minute))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    db = tmp_path / store.DB_FILENAME
    data = bytearray(db.read_bytes())
    assert len(data) > 6 * page_size
    for page in range(2, len(data) // page_size):  # keep page 1 (header and schema), scramble the b-tree pages
        data[page * page_size: page * page_size + 64] = random.Random(page).randbytes(64)
    db.write_bytes(bytes(data))
    with pytest.raises(store.StoreError) as caught:
        store.open_store(tmp_path)
    assert str(db) in str(caught.value) and "left untouched" in str(caught.value)
    assert db.read_bytes() == bytes(data)


def test_an_unreadable_card_state_is_reported_with_the_card_and_file(conn, tmp_path):
    review(conn, CARD_A, 3, T0)
    conn.execute("UPDATE card_state SET card_json = '{\"state\": 2}'")  # as a buggy tool or a bad disk might leave it
    with pytest.raises(store.StoreError, match="pytorch-part3#21") as caught:
        store.card_states(conn)
    assert caught.value.path == str(tmp_path / store.DB_FILENAME)


def test_a_locked_database_is_reported_at_open_and_on_write(tmp_path):
    conn = store.open_store(tmp_path, busy_timeout_ms=50)
    holder = sqlite3.connect(tmp_path / store.DB_FILENAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(store.StoreError, match="locked") as caught:
            store.open_store(tmp_path, busy_timeout_ms=50)
        assert str(tmp_path / store.DB_FILENAME) in str(caught.value)
        with pytest.raises(store.StoreError, match="Close other"):
            review(conn, CARD_A, 3, T0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    review(conn, CARD_A, 3, T0)  # works again once the other program lets go
    assert len(store.reviews(conn)) == 1
    conn.close()


# --- where the data lives -----------------------------------------------------------------------------------------


def test_data_dir_prefers_the_override_then_the_environment_then_the_platform(tmp_path, monkeypatch):
    monkeypatch.setattr(paths.platformdirs, "user_data_dir", lambda *args, **kwargs: str(tmp_path / "platform"))
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    assert paths.data_dir() == tmp_path / "platform"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env"
    assert paths.data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert all((tmp_path / name).is_dir() for name in ("platform", "env", "flag"))


# --- notes of linked documents (tui/notes.py) ---------------------------------------------------------------------


def linked_part3(origin: str = "/home/me/part3.md", digest: str = "a" * 64, answered: int = 1):
    return notes.LinkedDocument("pytorch-part3", origin, "PyTorch知识点总结之三", digest, 10, answered, T0)


def test_linking_saves_notes_and_the_document(conn):
    changes = notes.save_link(conn, linked_part3(answered=2), {21: "我的 21", 22: "我的 22"}, range(21, 31))
    assert changes == notes.NoteChanges(added=(21, 22))
    assert {key: note.text for key, note in notes.notes(conn).items()} == {CARD_A: "我的 21", CARD_B: "我的 22"}
    assert notes.note(conn, CARD_A).origin == "/home/me/part3.md"
    assert notes.note(conn, ("pytorch-part3", 23)) is None
    (document,) = notes.linked_documents(conn)
    assert (document.deck, document.answered, document.linked_at) == ("pytorch-part3", 2, T0)
    assert notes.linked_document(conn, "pytorch-part4") is None
    assert store.user_answer(conn, CARD_A) is None  # notes are not the answers written in the app


def test_relinking_appends_changes_only_and_clears_dropped_notes(conn):
    notes.save_link(conn, linked_part3(), {21: "一", 22: "二"}, range(21, 31))
    again = notes.save_link(conn, linked_part3(digest="b" * 64), {21: "一", 22: "二（改）", 23: "三"}, range(21, 31))
    assert again == notes.NoteChanges(added=(23,), updated=(22,))
    dropped = notes.save_link(conn, linked_part3(digest="c" * 64), {23: "三"}, range(21, 31))
    assert dropped == notes.NoteChanges(cleared=(21, 22)) and dropped.any
    assert {key[1]: note.text for key, note in notes.notes(conn).items()} == {23: "三"}
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 6
    assert notes.save_link(conn, linked_part3(digest="c" * 64), {23: "三"}, range(21, 31)) == notes.NoteChanges()
    assert notes.linked_document(conn, "pytorch-part3").sha256 == "c" * 64


def test_a_failing_link_leaves_notes_and_documents_as_they_were(conn):
    notes.save_link(conn, linked_part3(), {21: "一"}, range(21, 31))
    broken = notes.LinkedDocument("pytorch-part3", None, "t", "d" * 64, 10, 2, T0)  # origin NOT NULL: fails last
    with pytest.raises(store.StoreError):
        notes.save_link(conn, broken, {21: "二", 22: "新"}, range(21, 31))
    assert {key[1]: note.text for key, note in notes.notes(conn).items()} == {21: "一"}
    assert notes.linked_document(conn, "pytorch-part3").sha256 == "a" * 64
