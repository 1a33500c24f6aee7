"""Drills: the rating rules at every boundary, FSRS scheduling of tasks like the cards' (enrolment on first pass,
new-per-day counted apart from cards, the interview date, undo, migration), and the quiz's drill runner (the state
of a drill in progress, the grader's --prepare report, the home screen's line)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui import store, store_drills
from tui.drill_runner import (
    DrillRun,
    PreparedDrill,
    PrepareFailure,
    check_argv,
    drills_summary,
    prepare_argv,
    read_prepared,
    topic_drill,
)
from tui.drills import (
    due_drills,
    AGAIN,
    EASY,
    GOOD,
    HARD,
    DrillItem,
    DrillOutcome,
    DueDrill,
    drill_queue,
    propose_rating,
    rating_reason,
    record_drill,
)
from tui.grading import TaskVerdict, Verdict
from tui.scheduling import StudyOptions, rate
from tui.store_db import DB_FILENAME, MIGRATIONS

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
PAR = 600.0  # a 10-minute task
ITEMS = (
    DrillItem("26.1", "softmax and log_softmax", 5.0, ("h1", "h2")),
    DrillItem("26.2", "cross_entropy", 10.0),
    DrillItem("26.3", "binary_cross_entropy_with_logits", 10.0),
    DrillItem("27.1", "rnn_cell", 20.0),
)
BY_ID = {item.task_id: item for item in ITEMS}


@pytest.fixture
def conn(tmp_path):
    connection = store.open_store(tmp_path)
    yield connection
    connection.close()


def review_state(stability: float, last_review: datetime, due: datetime, card_id: int = 1) -> fsrs.Card:
    return fsrs.Card(card_id=card_id, state=fsrs.State.Review, stability=stability, difficulty=5.0, due=due,
                     last_review=last_review)


def put_drill_state(conn, task_id: str, state: fsrs.Card) -> None:
    """Record a drill rating that leaves `task_id` in `state`."""
    log = fsrs.ReviewLog(card_id=state.card_id, rating=fsrs.Rating.Good, review_datetime=state.last_review,
                         review_duration=None)
    store_drills.record_drill_review(conn, task_id, None, state, log, proposed_rating=GOOD, seconds=60.0, hints=0,
                                     attempts=1, verdict="pass")


# --- the rating rules ---------------------------------------------------------------------------------------------

RULES = {
    "failed, fast": (False, 10.0, 0, False, AGAIN),
    "failed, slow": (False, 5000.0, 0, False, AGAIN),
    "given up (even if it had passed)": (True, 10.0, 0, True, AGAIN),
    "given up at once": (False, 0.0, 0, True, AGAIN),
    "one hint, fast": (True, 1.0, 1, False, HARD),
    "hints, within half of par": (True, 300.0, 3, False, HARD),
    "just over par": (True, 600.001, 0, False, HARD),
    "far over par": (True, 3600.0, 0, False, HARD),
    "exactly par": (True, 600.0, 0, False, GOOD),
    "just over half of par": (True, 300.001, 0, False, GOOD),
    "exactly half of par": (True, 300.0, 0, False, EASY),
    "instantly": (True, 0.0, 0, False, EASY),
}


@pytest.mark.parametrize("passed, seconds, hints, gave_up, expected", RULES.values(), ids=RULES.keys())
def test_the_proposed_rating_follows_the_rules_at_every_boundary(passed, seconds, hints, gave_up, expected):
    assert propose_rating(passed, seconds, PAR, hints, gave_up) == expected
    outcome = DrillOutcome(passed=passed, seconds=seconds, hints=hints, gave_up=gave_up)
    assert outcome.proposed(PAR) == expected


REASONS = {
    AGAIN: (False, 125.0, 0, False, "Again: not passing after 2:05"),
    HARD: (True, 700.0, 0, False, "Hard: passed in 11:40, over par 10:00"),
    GOOD: (True, 420.0, 0, False, "Good: passed in 7:00, within par 10:00"),
    EASY: (True, 200.0, 0, False, "Easy: passed in 3:20, within half of par 10:00"),
}


@pytest.mark.parametrize("rating", REASONS)
def test_each_proposal_says_why(rating):
    passed, seconds, hints, gave_up, reason = REASONS[rating]
    assert propose_rating(passed, seconds, PAR, hints, gave_up) == rating
    assert rating_reason(rating, passed, seconds, PAR, hints, gave_up) == reason
    assert rating_reason(HARD, True, 10.0, PAR, 1) == "Hard: passed in 0:10 after 1 hint"
    assert rating_reason(AGAIN, True, 61.0, PAR, 0, True) == "Again: given up after 1:01"


@pytest.mark.parametrize("seconds, par, hints", [(-1.0, PAR, 0), (1.0, 0.0, 0), (1.0, PAR, -1)])
def test_impossible_outcomes_are_refused(seconds, par, hints):
    with pytest.raises(ValueError):
        propose_rating(True, seconds, par, hints)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(0, 10_000), st.floats(0, 10_000), st.floats(1, 3600), st.booleans(), st.integers(0, 3),
       st.booleans())
def test_the_proposal_never_rises_as_the_drill_takes_longer(a, b, par, passed, hints, gave_up):
    fast, slow = sorted((a, b))
    assert propose_rating(passed, fast, par, hints, gave_up) >= propose_rating(passed, slow, par, hints, gave_up)


# --- scheduling ---------------------------------------------------------------------------------------------------


def test_a_task_becomes_a_drill_the_first_time_it_passes(conn):
    store.record_exercise_results(conn, 26, 3, [("26.1", "fail", "off", 0.1)], graded_at=NOW - 3 * DAY)
    assert store_drills.drill_tasks(conn) == {}
    assert drill_queue(ITEMS, {}, {}, NOW, StudyOptions()) == []
    store.record_exercise_results(conn, 26, 3, [("26.1", "pass", "", 0.1), ("26.2", "fail", "x", 0.1)],
                                  graded_at=NOW - 2 * DAY)
    store.record_exercise_results(conn, 26, 3, [("26.1", "pass", "", 0.1)], graded_at=NOW - DAY)
    assert store_drills.drill_tasks(conn) == {"26.1": NOW - 2 * DAY}  # the first pass counts, not the latest
    queue = due_drills(conn, NOW, StudyOptions(), timezone.utc, ITEMS)
    assert [(d.item.task_id, d.due, d.recall) for d in queue] == [("26.1", None, 0.0)]


def test_new_drills_per_day_are_counted_apart_from_new_cards(conn):
    for task in ("26.1", "26.2", "26.3", "27.1"):
        store_drills.enrol_drill(conn, task, NOW - 5 * DAY)
    options = StudyOptions(new_per_day=2)
    card_after, card_log = rate(fsrs.Scheduler(), None, GOOD, NOW)
    store.record_review(conn, ("pytorch-part3", 21), None, card_after, card_log)  # a new card today
    assert store.new_cards_today(conn, NOW.date(), timezone.utc) == 1
    assert store_drills.new_drills_today(conn, NOW.date(), timezone.utc) == 0
    assert [d.item.task_id for d in due_drills(conn, NOW, options, timezone.utc, ITEMS)] == ["26.1", "26.2"]
    record_drill(conn, BY_ID["26.1"], EASY, DrillOutcome(True, 60.0), NOW, options, "quiz")
    assert store_drills.new_drills_today(conn, NOW.date(), timezone.utc) == 1
    assert store.new_cards_today(conn, NOW.date(), timezone.utc) == 1  # the cards' count is untouched
    # one new drill left today: 26.2 (26.1 was rated Easy, due in days)
    assert [d.item.task_id for d in due_drills(conn, NOW, options, timezone.utc, ITEMS)] == ["26.2"]
    assert [d.item.task_id for d in due_drills(conn, NOW + DAY, options, timezone.utc, ITEMS)] == ["26.2", "26.3"]


def test_due_drills_come_lowest_recall_first_then_new_ones(conn):
    for task in ITEMS:
        store_drills.enrol_drill(conn, task.task_id, NOW - 30 * DAY)
    put_drill_state(conn, "26.2", review_state(10.0, NOW - 20 * DAY, NOW - 10 * DAY, 1))  # recall ~0.85
    put_drill_state(conn, "27.1", review_state(2.0, NOW - 10 * DAY, NOW - 8 * DAY, 2))  # recall much lower
    put_drill_state(conn, "26.3", review_state(50.0, NOW - DAY, NOW + 20 * DAY, 3))  # not due
    queue = due_drills(conn, NOW, StudyOptions(), timezone.utc, ITEMS)
    assert [d.item.task_id for d in queue] == ["27.1", "26.2", "26.1"]
    assert queue[0].recall < queue[1].recall < 0.9 and queue[2].due is None
    assert queue[0].due == NOW - 8 * DAY


def test_an_interview_date_pulls_drills_forward(conn):
    store_drills.enrol_drill(conn, "26.2", NOW - 10 * DAY)
    store_drills.enrol_drill(conn, "26.3", NOW - 10 * DAY)
    put_drill_state(conn, "26.2", review_state(5.0, NOW - 3 * DAY, NOW + 2 * DAY, 1))  # ~73% in 30 days
    put_drill_state(conn, "26.3", review_state(2000.0, NOW - 3 * DAY, NOW + 300 * DAY, 2))  # safe
    assert due_drills(conn, NOW, StudyOptions(), timezone.utc, ITEMS) == []
    pulled = due_drills(conn, NOW, StudyOptions(until=(NOW + 30 * DAY).date()), timezone.utc, ITEMS)
    assert [d.item.task_id for d in pulled] == ["26.2"]


def test_undo_restores_the_drill_state_step_by_step(conn):
    item = BY_ID["26.2"]
    options = StudyOptions()
    first_id, first = record_drill(conn, item, GOOD, DrillOutcome(True, 400.0, attempts=2), NOW, options, "quiz")
    second_id, _ = record_drill(conn, item, AGAIN, DrillOutcome(False, 900.0, gave_up=True), NOW + DAY, options,
                                "mock")
    with pytest.raises(ValueError, match="not the latest"):
        store_drills.undo_drill_review(conn, first_id)
    assert store_drills.undo_drill_review(conn, second_id).to_dict() == first.to_dict()
    assert store_drills.drill_states(conn)["26.2"].to_dict() == first.to_dict()
    assert store_drills.undo_drill_review(conn, first_id) is None  # new again
    assert "26.2" not in store_drills.drill_states(conn)
    rows = store_drills.drill_reviews(conn, include_undone=True)
    assert [(r.id, r.undone, r.source) for r in rows] == [(first_id, True, "quiz"), (second_id, True, "mock")]
    assert store_drills.drill_reviews(conn) == []
    with pytest.raises(ValueError, match="already undone"):
        store_drills.undo_drill_review(conn, first_id)


def test_the_migration_enrols_tasks_that_had_passed_before(tmp_path):
    raw = sqlite3.connect(tmp_path / DB_FILENAME)
    for migration in MIGRATIONS[:3]:
        migration(raw)
    for run_id, at, results in ((1, NOW - 5 * DAY, [("26.1", "fail"), ("26.2", "pass")]),
                                (2, NOW - 2 * DAY, [("26.1", "pass"), ("26.2", "pass"), ("26.3", "error")])):
        raw.execute("INSERT INTO exercise_runs (id, topic, total_tasks, graded_at) VALUES (?, 26, 3, ?)",
                    (run_id, store.iso_utc(at)))
        raw.executemany("INSERT INTO exercise_results (run_id, topic, task_id, status, message) "
                        "VALUES (?, 26, ?, ?, '')", [(run_id, task, status) for task, status in results])
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    conn = store.open_store(tmp_path)
    try:
        assert store_drills.drill_tasks(conn) == {"26.2": NOW - 5 * DAY, "26.1": NOW - 2 * DAY}
        assert store_drills.drill_reviews(conn) == []
    finally:
        conn.close()


def test_topic_drill_is_the_topics_most_urgent_else_its_first_passed_task(conn):
    assert topic_drill(conn, 26, NOW, StudyOptions(), timezone.utc, ITEMS) == (None, None)
    store_drills.enrol_drill(conn, "26.3", NOW - 9 * DAY)
    store_drills.enrol_drill(conn, "26.2", NOW - 8 * DAY)
    due, ahead = topic_drill(conn, 26, NOW, StudyOptions(), timezone.utc, ITEMS)
    assert (due.item.task_id, ahead) == ("26.3", None)
    for task, card_id in (("26.2", 1), ("26.3", 2)):
        put_drill_state(conn, task, review_state(30.0, NOW - DAY, NOW + 20 * DAY, card_id))
    assert topic_drill(conn, 26, NOW, StudyOptions(), timezone.utc, ITEMS) == (None, BY_ID["26.2"])
    assert topic_drill(conn, 27, NOW, StudyOptions(), timezone.utc, ITEMS) == (None, None)


# --- a drill in progress and the grader's reports -----------------------------------------------------------------


def verdict(task: str, status: str, message: str = "") -> Verdict:
    return Verdict(26, (TaskVerdict(task, "t", status, message),), returncode=0 if status == "pass" else 1)


def test_a_drill_run_counts_attempts_and_hints_and_stops_its_clock_at_the_passing_save():
    run = DrillRun(BY_ID["26.1"], started_at=NOW, drill_file="/w/drills/26.1.py")
    assert run.elapsed(NOW + timedelta(seconds=42)) == 42.0 and not run.finished
    assert (run.next_hint(), run.next_hint(), run.next_hint()) == ("h1", "h2", None)
    assert not run.graded(verdict("26.1", "fail", "values differ"), NOW + timedelta(seconds=60))
    assert (run.attempts, run.verdict, run.message) == (1, "fail", "values differ")
    assert not run.graded(Verdict(26, message="could not start"), NOW + timedelta(seconds=70))
    assert (run.attempts, run.verdict, run.message) == (2, "error", "could not start")
    assert run.graded(verdict("26.1", "pass"), NOW + timedelta(seconds=100))
    assert run.finished and run.elapsed(NOW + timedelta(hours=1)) == 100.0
    run.give_up(NOW + timedelta(hours=1))  # too late: it passed
    assert run.outcome(NOW + timedelta(hours=1)) == DrillOutcome(True, 100.0, hints=2, attempts=3, verdict="pass",
                                                                 drill_file="/w/drills/26.1.py")
    assert run.outcome(NOW).proposed(BY_ID["26.1"].par_seconds) == HARD  # a hint was shown


def test_giving_up_or_running_out_of_time_ends_the_drill_unpassed():
    gave = DrillRun(BY_ID["26.2"], started_at=NOW)
    gave.give_up(NOW + timedelta(seconds=30))
    assert gave.outcome(NOW + DAY) == DrillOutcome(False, 30.0, gave_up=True)
    late = DrillRun(BY_ID["26.2"], started_at=NOW)
    late.time_up(NOW + timedelta(seconds=90))
    assert late.out_of_time and not late.gave_up and late.outcome(NOW + DAY).proposed(PAR) == AGAIN
    assert late.graded(verdict("26.2", "pass"), NOW + DAY) is False  # a grading after the end changes nothing
    assert late.attempts == 0


def test_the_grader_commands_follow_the_interface():
    assert prepare_argv(["grade"], "26.2", "/t/o.json") == ["grade", "drill", "26", "--task", "26.2", "--prepare",
                                                             "--json", "/t/o.json"]
    assert check_argv(["grade"], "26.2", "/w/d.py", "/t/o.json") == ["grade", "drill", "26", "--task", "26.2",
                                                                      "--check", "/w/d.py", "--json", "/t/o.json"]


def test_the_prepare_report_is_read_and_its_absence_explained_in_the_graders_words():
    report = {"task": "26.2", "exercise": 26, "title": "cross_entropy", "file": "/w/drills/26.2-1.py",
              "par_minutes": 10.0, "text": "write cross_entropy"}
    prepared = read_prepared(json.dumps(report), 0, "")
    assert prepared == PreparedDrill("26.2", 26, "cross_entropy", Path("/w/drills/26.2-1.py"),
                                     10.0, "write cross_entropy")
    missing = read_prepared(None, 2, "grade: unknown task 26.9; valid ids: 26.1, 26.2, 26.3\n")
    assert missing == PrepareFailure("grade: unknown task 26.9; valid ids: 26.1, 26.2, 26.3", 2)
    assert "status 2" in read_prepared("", 2, "").message
    broken = read_prepared('{"task": "26.2"}', 0, "")
    assert isinstance(broken, PrepareFailure) and "unreadable" in broken.message


def test_the_home_line_counts_due_and_new_drills_and_names_the_first_few():
    queue = [DueDrill(BY_ID["27.1"], NOW - DAY, 0.6), DueDrill(BY_ID["26.2"], NOW, 0.8),
             DueDrill(BY_ID["26.1"], None, 0.0), DueDrill(BY_ID["26.3"], None, 0.0)]
    text = drills_summary(queue)
    assert text.splitlines()[0] == "Drills: 2 due · 2 new today  —  D starts the next one"
    assert text.splitlines()[1] == ("27.1 rnn_cell (par 20 min)  ·  26.2 cross_entropy (par 10 min)  ·  "
                                    "26.1 softmax and log_softmax (par 5 min)  · +1 more")
    assert drills_summary([]).startswith("Drills: 0 due · 0 new today  (a task becomes a drill once it passes")


def test_the_drill_runner_and_the_mock_plan_load_neither_textual_nor_torch_nor_watchfiles():
    import subprocess
    import sys

    code = ("import sys, tui.drill_runner, tui.mock\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'torch', 'watchfiles', 'grader'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # watchfiles only once a drill runs; the grader only as a child process
