"""The in-quiz drill driven by Textual's Pilot: a fake `grade drill` (tests/drill_support.py) and a clock the test
moves, so the clock shown, the re-grade after a save, the proposed rating, the override, the record, undo and
giving up are all checked exactly; one slow test drives the real grader on a task of topic 26."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import pytest
from drill_support import items  # noqa: F401 - a fixture
from drill_support import ITEMS, PASS_MARKER, FakeClock, enrol, fake_grade_command, saved_drill_reviews
from quiz_support import (
    NOW,
    SIZE,
    frozen_builtin_decks,  # noqa: F401 (autouse fixture)
    plain,
    sync,
    wait_for,
)

from tui import drills, store, store_drills
from tui.app import create_app
from tui.drills import AGAIN, EASY, GOOD, HARD
from tui.scheduling import StudyOptions
from tui.screens.drill import DrillScreen

REAL_DRILL_ITEMS = drills.drill_items  # the tasks of grader/topics (the app tests' fixture freezes others)


def app_with(data_dir, tmp_path, mode="ok", clock=None):
    command, root, log = fake_grade_command(tmp_path, mode)
    clock = clock or FakeClock(NOW)
    return create_app(data_dir, clock=clock, grade_command=command), clock, root, log


def status(app) -> str:
    return plain(app.screen.query_one("#drill-status"))


def shown(app, part: str) -> str:
    return plain(app.screen.query_one(f"#drill-{part}"))


async def open_drill_from_home(pilot) -> DrillScreen:
    await pilot.press("D")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DrillScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.phase in ("running", "error"))
    return screen


async def save(pilot, screen: DrillScreen, text: str, attempts: int) -> None:
    """Write the drill file as an editor would, and wait until the quiz has graded it."""
    path = screen.progress.drill_file
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    await wait_for(pilot, lambda: screen.progress.attempts >= attempts and "grading" not in shown(pilot.app, "verdict"))


@sync
async def test_home_lists_due_drills_and_a_drill_is_graded_on_save_proposed_overridden_recorded_and_undone(
        data_dir, tmp_path, items):
    enrol(data_dir, "26.2", "27.1", at=NOW - timedelta(days=2))
    app, clock, root, log = app_with(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Drills:" in plain(app.screen.query_one("#home-drills")))
        line = plain(app.screen.query_one("#home-drills"))
        assert "Drills: 0 due · 2 new today" in line
        assert "26.2 cross_entropy (par 10 min)" in line and "27.1 rnn_cell (par 20 min)" in line
        screen = await open_drill_from_home(pilot)
        assert screen.item.task_id == "26.2" and screen.phase == "running"
        drill_file = screen.progress.drill_file
        assert drill_file.startswith(str(root / "drills"))
        assert "Write cross_entropy from memory." in shown(app, "text")
        assert drill_file in shown(app, "file")
        assert "par 10:00" in status(app) and "⏱ 0:00" in status(app)

        clock.advance(125)
        await wait_for(pilot, lambda: "⏱ 2:05" in status(app))  # the clock runs by the app's clock

        await save(pilot, screen, "def cross_entropy(x, t):\n    return 0\n", attempts=1)
        assert screen.phase == "running"
        assert "attempt 1: ✗ fail" in shown(app, "verdict") and "max abs diff 0.31" in shown(app, "verdict")
        assert "attempts 1" in status(app)

        clock.advance(60)  # 3:05 in all: within half of par (5:00), no hint -> Easy
        await save(pilot, screen, f"def cross_entropy(x, t):\n    return 1  {PASS_MARKER}\n", attempts=2)
        await wait_for(pilot, lambda: screen.phase == "finished")
        outcome = shown(app, "outcome")
        assert "Easy: passed in 3:05, within half of par 10:00" in outcome
        assert "Proposed: Easy    Your rating: Easy" in outcome
        clock.advance(30)  # the drill's clock stopped when it passed
        await pilot.pause(0.6)
        assert "⏱ 3:05" in status(app)

        await pilot.press("3")  # the learner thinks it was Good
        assert "Proposed: Easy    Your rating: Good" in shown(app, "outcome")
        assert saved_drill_reviews(data_dir) == []  # nothing is recorded before enter
        await pilot.press("enter")
        assert screen.phase == "recorded"
        [row] = saved_drill_reviews(data_dir)
        assert (row.task_id, row.rating, row.proposed_rating, row.seconds, row.hints, row.attempts) == (
            "26.2", GOOD, EASY, 185.0, 0, 2)
        assert (row.verdict, row.gave_up, row.source, row.drill_file) == ("pass", False, "quiz", drill_file)
        conn = store.open_store(data_dir)
        assert "26.2" in store_drills.drill_states(conn)
        conn.close()

        await pilot.press("u")  # undo: the rating is taken back, and can be chosen again
        assert screen.phase == "finished"
        assert saved_drill_reviews(data_dir) == []
        assert [r.undone for r in saved_drill_reviews(data_dir, include_undone=True)] == [True]
        conn = store.open_store(data_dir)
        assert "26.2" not in store_drills.drill_states(conn)  # new again
        conn.close()
        await pilot.press("4", "enter")
        assert [(r.rating, r.proposed_rating) for r in saved_drill_reviews(data_dir)] == [(EASY, EASY)]
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        await wait_for(pilot, lambda: "Drills: 0 due · 1 new today" in plain(app.screen.query_one("#home-drills")))
    calls = [json.loads(line)["argv"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert [call[call.index("drill"):call.index("--json")] for call in calls] == [
        ["drill", "26", "--task", "26.2", "--prepare"],
        ["drill", "26", "--task", "26.2", "--check", drill_file],
        ["drill", "26", "--task", "26.2", "--check", drill_file],
    ]
    assert all(json.loads(line)["data_dir"] == str(data_dir) for line in log.read_text().splitlines())
    assert (root / "drills").is_dir() and open(drill_file).read().endswith(f"{PASS_MARKER}\n")  # never deleted


@sync
async def test_a_hint_makes_a_pass_within_par_hard_and_hints_run_out(data_dir, tmp_path, items):
    enrol(data_dir, "26.2", at=NOW - timedelta(days=1))
    app, clock, _, _ = app_with(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drill_from_home(pilot)
        for _ in range(3):
            await pilot.press("h")
        hints = shown(app, "hints")
        assert "Hint 1: start from log_softmax" in hints and "Hint 3: weights" in hints
        assert "hints 3/3" in status(app)
        await pilot.press("h")  # no fourth hint: the count stays
        assert screen.progress.hints == 3
        clock.advance(60)
        await pilot.press("r")  # re-grade by hand: the stub fails
        await wait_for(pilot, lambda: screen.progress.attempts == 1)
        await save(pilot, screen, PASS_MARKER + "\n", attempts=2)
        await wait_for(pilot, lambda: screen.phase == "finished")
        assert "Hard: passed in 1:00 after 3 hints" in shown(app, "outcome")
        await pilot.press("enter")
        [row] = saved_drill_reviews(data_dir)
        assert (row.rating, row.proposed_rating, row.hints, row.attempts) == (HARD, HARD, 3, 2)


@sync
async def test_giving_up_from_a_card_proposes_again_and_records_it(data_dir, tmp_path, items):
    enrol(data_dir, "26.1", "26.2", at=NOW - timedelta(days=1))
    app, clock, _, _ = app_with(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        cards = [card for card in app.cards if card.topic == 26]
        app.start_review(only=cards)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        await pilot.press("D")  # the card's topic 26: its most urgent drill, 26.1 (enrolled first, task order)
        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.phase == "running")
        assert screen.item.task_id == "26.1"
        clock.advance(40)
        await pilot.press("x")
        assert screen.phase == "finished"
        assert "Again: given up after 0:40" in shown(app, "outcome")
        await pilot.press("enter")
        [row] = saved_drill_reviews(data_dir)
        assert (row.task_id, row.rating, row.proposed_rating, row.gave_up, row.verdict, row.attempts) == (
            "26.1", AGAIN, AGAIN, True, "gave-up", 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")


@sync
async def test_on_a_card_with_no_drill_due_d_says_so_and_a_second_press_drills_ahead(data_dir, tmp_path, items):
    enrol(data_dir, "26.2", at=NOW - timedelta(days=3))
    conn = store.open_store(data_dir)
    # rated Easy yesterday: a Review-state drill due in days
    drills.record_drill(conn, items["26.2"], EASY, drills.DrillOutcome(True, 100.0), NOW - timedelta(days=1),
                        StudyOptions(), "grade")
    assert store_drills.drill_states(conn)["26.2"].due > NOW + timedelta(days=2)
    conn.close()
    app, _, _, _ = app_with(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.start_review(only=[card for card in app.cards if card.topic == 26])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        await pilot.press("D")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert any("No drill of topic 26 is due. Press D again to drill 26.2" in str(n.message)
                   for n in app._notifications)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen))
        assert app.screen.item.task_id == "26.2"
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        app.pop_screen()  # a topic where no task has passed: D says so, nothing starts
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        app.start_review(only=[card for card in app.cards if card.topic == 23])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        await pilot.press("D")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert any("Topic 23 has no drills yet" in str(n.message) for n in app._notifications)


@sync
async def test_the_graders_errors_are_shown_in_its_words_never_a_crash(data_dir, tmp_path, items):
    enrol(data_dir, "26.2", at=NOW - timedelta(days=1))
    app, _, _, _ = app_with(data_dir, tmp_path, mode="prepare-fails")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drill_from_home(pilot)
        assert screen.phase == "error"
        assert "no stub for task 26.2: the topic folder is missing" in shown(app, "text")
        await pilot.press("x", "enter")  # nothing to give up or record
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
    assert saved_drill_reviews(data_dir) == []

    (tmp_path / "second").mkdir()
    broken, _, _, _ = app_with(data_dir, tmp_path / "second", mode="check-crashes")
    async with broken.run_test(size=SIZE) as pilot:
        screen = await open_drill_from_home(pilot)
        await save(pilot, screen, PASS_MARKER, attempts=1)
        assert screen.phase == "running"
        assert "the fake grader broke" in shown(broken, "verdict")

    missing = create_app(data_dir, clock=FakeClock(NOW), grade_command=[str(tmp_path / "no-such-grader")])
    async with missing.run_test(size=SIZE) as pilot:
        screen = await open_drill_from_home(pilot)
        assert screen.phase == "error" and "could not start the grader" in shown(missing, "text")


REAL_SOFTMAX = '''

def softmax(x, dim=-1):
    shifted = x - x.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x, dim=-1):
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
'''


@pytest.mark.slow
@sync
async def test_a_drill_of_topic_26_with_the_real_grader_passes_once_a_correct_body_is_saved(
        data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("GRADE_NO_SERVER", "1")
    monkeypatch.setattr(drills, "drill_items", REAL_DRILL_ITEMS)
    enrol(data_dir, "26.1", at=NOW - timedelta(days=1))
    clock = FakeClock(NOW)
    app = create_app(data_dir, clock=clock, grade_command=[sys.executable, "-m", "grader.cli"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drill_from_home(pilot)
        assert screen.phase == "running", shown(app, "text")
        assert screen.item.task_id == "26.1"
        path = screen.progress.drill_file
        assert path.startswith(str(tmp_path / "workspace" / "drills"))
        assert "softmax" in shown(app, "text")
        stub = open(path, encoding="utf-8").read()
        clock.advance(90)
        with open(path, "w", encoding="utf-8") as out:
            out.write(stub + REAL_SOFTMAX)
        await wait_for(pilot, lambda: screen.phase == "finished" or screen.progress.attempts >= 1, timeout=240)
        await wait_for(pilot, lambda: screen.phase == "finished", timeout=5)
        assert "Easy: passed in 1:30" in shown(app, "outcome"), shown(app, "verdict")
        await pilot.press("enter")
    [row] = saved_drill_reviews(data_dir)
    assert (row.task_id, row.verdict, row.rating, row.source, row.drill_file) == ("26.1", "pass", EASY, "quiz", path)
    assert open(path, encoding="utf-8").read().endswith(REAL_SOFTMAX)


@sync
async def test_a_store_that_refuses_the_rating_is_reported_and_the_outcome_kept(data_dir, tmp_path, items,
                                                                                  monkeypatch):
    enrol(data_dir, "26.2", at=NOW - timedelta(days=1))
    app, clock, _, _ = app_with(data_dir, tmp_path)
    real = drills.record_drill

    def locked(*args, **kwargs):
        raise store.StoreError(data_dir / "progress.sqlite3", "the progress database is locked by another program")

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_drill_from_home(pilot)
        clock.advance(30)
        await pilot.press("x")
        monkeypatch.setattr(drills, "record_drill", locked)
        await pilot.press("enter")
        assert screen.phase == "finished"  # still there to record
        assert any("The rating was not recorded" in str(n.message) and "locked" in str(n.message)
                   for n in app._notifications)
        monkeypatch.setattr(drills, "record_drill", real)
        await pilot.press("enter")
        assert screen.phase == "recorded"
    assert [(row.rating, row.seconds) for row in saved_drill_reviews(data_dir)] == [(AGAIN, 30.0)]
