"""Drill statistics per task (tui.drill_stats) with hand-computed answers, and the stats screen over a store holding
cards and drills (Pilot, frozen clock in Tokyo time)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import fsrs
import pytest
from quiz_support import (  # noqa: F401 (frozen_builtin_decks: autouse fixture)
    BUILTIN_DECK,
    FAKE_GRADER,
    NOW,
    SIZE,
    frozen_builtin_decks,
    plain,
    review_state,
    screen_text,
    sync,
    wait_for,
)
from rich.console import Console

from tui import drills, store, store_drills
from tui.app import create_app
from tui.drill_stats import FASTER, SLOWER, STEADY, TaskDrillStats, drill_task_stats, sparkline, time_trend
from tui.drills import DrillItem, DrillOutcome, record_drill
from tui.scheduling import StudyOptions, make_scheduler, retrievability
from tui.store_drills import DrillReviewRow

UTC = timezone.utc
TOKYO = timezone(timedelta(hours=9))
DAY = timedelta(days=1)
ITEMS = (DrillItem("21.1", "box_iou", 8.0), DrillItem("26.1", "softmax", 5.0),
         DrillItem("26.2", "cross_entropy", 10.0))


def drill(task_id, rating, seconds, verdict="pass", at=NOW, undone=False, _ids=iter(range(1, 10**6))):
    return DrillReviewRow(next(_ids), task_id, rating, rating, at, float(seconds), 0, 1, verdict, verdict == "gave-up",
                          "", "quiz", undone, None)


def reviewed(stability, days_ago):
    return fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability, difficulty=5.0, due=NOW,
                     last_review=NOW - days_ago * DAY)


# --- pure functions -------------------------------------------------------------------------------------------------


def test_drill_task_stats_counts_recall_times_and_trend_per_task():
    rows = [
        drill("26.2", 1, 900, verdict="fail"),
        drill("26.1", 4, 200),
        drill("26.2", 2, 700),
        drill("99.1", 3, 60),  # a task no longer in any topic.toml
        drill("26.2", 3, 480),
        drill("26.1", 3, 260),
        drill("26.2", 4, 100, undone=True),  # undone: as if it never happened
        drill("26.1", 1, 400, verdict="gave-up"),
    ]
    # FSRS predicts 90% recall when as many days passed as the stability, and 100% right after a review.
    states = {"26.2": reviewed(10.0, 10), "26.1": reviewed(3.0, 0)}
    assert drill_task_stats(ITEMS, rows, states, NOW) == [
        TaskDrillStats("26.1", "softmax", 300.0, drills=3, recalled=2, recall_now=pytest.approx(1.0),
                       last_seconds=400.0, last_passed=False, pass_seconds=(200.0, 260.0)),
        TaskDrillStats("26.2", "cross_entropy", 600.0, drills=3, recalled=2, recall_now=pytest.approx(0.9, abs=1e-3),
                       last_seconds=480.0, last_passed=True, pass_seconds=(700.0, 480.0)),
        TaskDrillStats("99.1", "", None, drills=1, recalled=1, recall_now=None, last_seconds=60.0, last_passed=True,
                       pass_seconds=(60.0,)),
    ]  # 21.1 was never drilled: no row


def test_task_stats_properties():
    stats = {s.task_id: s for s in drill_task_stats(ITEMS, [
        drill("26.1", 2, 300), drill("26.1", 1, 500, verdict="fail"), drill("26.1", 3, 330),
        drill("26.2", 1, 600, verdict="fail"), drill("26.2", 3, 500)], {}, NOW)}
    assert stats["26.1"].recalled_share == pytest.approx(2 / 3) and stats["26.1"].trend == SLOWER
    assert stats["26.2"].recalled_share == 0.5 and stats["26.2"].trend is None  # one pass: no trend yet
    assert drill_task_stats(ITEMS, [], {}, NOW) == []
    assert drill_task_stats(ITEMS, [drill("26.1", 3, 10, undone=True)], {}, NOW) == []


TRENDS = {
    "no pass": ([], None),
    "one pass": ([300], None),
    "exactly 10% faster": ([300, 270], FASTER),
    "just under 10% faster": ([300, 271], STEADY),
    "exactly 10% slower": ([300, 330], SLOWER),
    "just under 10% slower": ([300, 329], STEADY),
    "the latest against the first, not the middle": ([300, 100, 310], STEADY),
    "much faster": ([1200, 900, 400], FASTER),
    "zero to zero": ([0, 0], STEADY),
    "zero to something": ([0, 5], SLOWER),
}


@pytest.mark.parametrize("seconds, expected", TRENDS.values(), ids=TRENDS.keys())
def test_time_trend(seconds, expected):
    assert time_trend(seconds) == expected


def test_time_trend_with_another_threshold():
    assert time_trend([300, 250], threshold=0.2) == STEADY and time_trend([300, 240], threshold=0.2) == FASTER


def test_sparkline():
    assert sparkline([10, 20, 30]) == "▁▅█"
    assert sparkline([300, 200]) == "█▁"  # faster: the last bar is lower
    assert sparkline([5, 5, 5]) == "▄▄▄" and sparkline([]) == "" and sparkline([7]) == "▄"
    assert sparkline(range(1, 13), width=10) == sparkline(range(3, 13)) and len(sparkline(range(40))) == 10


def test_drill_and_study_statistics_load_neither_textual_nor_torch():
    code = ("import sys, tui.drill_stats, tui.stats, tui.study_calendar\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'grader')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- the stats screen (Pilot) -----------------------------------------------------------------------------------------


def tokyo_clock():
    return NOW.astimezone(TOKYO)  # 2026-03-02 18:00 in Tokyo


def make_app(data_dir):
    return create_app(data_dir, clock=tokyo_clock, grade_command=[sys.executable, str(FAKE_GRADER)])


@pytest.fixture
def items(monkeypatch):
    monkeypatch.setattr(drills, "drill_items", lambda folder=None: ITEMS)
    return ITEMS


def rendered(widget, width=96) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.content if hasattr(widget, "content") else widget.renderable)
    return console.export_text()


def fill(data_dir, drills_done=True) -> None:
    """Card reviews on 2 and 1 days ago and today (Tokyo), drills of 26.1 and 26.2; one drill undone."""
    conn = store.open_store(data_dir)
    before = review_state(5.0, NOW - 9 * DAY, NOW - 2 * DAY, 5)
    for when, number in ((NOW - 2 * DAY, 21), (NOW - DAY, 22), (NOW - timedelta(hours=3), 23)):
        after = review_state(8.0, when, NOW + 3 * DAY, number)
        log = fsrs.ReviewLog(card_id=number, rating=fsrs.Rating(3), review_datetime=when, review_duration=None)
        store.record_review(conn, (BUILTIN_DECK, number), before, after, log)
    store.record_exercise_results(conn, 26, 2, [("26.1", "pass", "", 0.2), ("26.2", "pass", "", 0.3)])
    if drills_done:
        softmax, cross_entropy = ITEMS[1], ITEMS[2]
        options = StudyOptions()
        # 20:00 UTC on 28 February is 05:00 on 1 March in Tokyo; 16:00 UTC on 1 March is 01:00 on 2 March there.
        for item, at, outcome, rating in (
            (cross_entropy, datetime(2026, 2, 24, 10, 0, tzinfo=UTC), DrillOutcome(True, 700.0), 2),
            (cross_entropy, datetime(2026, 2, 26, 10, 0, tzinfo=UTC), DrillOutcome(False, 900.0, verdict="fail"), 1),
            (cross_entropy, datetime(2026, 2, 28, 20, 0, tzinfo=UTC), DrillOutcome(True, 480.0), 3),
            (softmax, datetime(2026, 3, 1, 16, 0, tzinfo=UTC), DrillOutcome(True, 200.0), 4),
        ):
            record_drill(conn, item, rating, outcome, at, options, "quiz")
        review_id, _ = record_drill(conn, softmax, 1, DrillOutcome(False, 60.0, gave_up=True), NOW, options, "quiz")
        store_drills.undo_drill_review(conn, review_id)
    conn.close()


@sync
async def test_stats_screen_shows_the_heatmap_and_the_drills_per_task(data_dir, items):
    fill(data_dir)
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StatsScreen")
        screen = app.screen
        heatmap = screen.query_one("#heatmap").heatmap
        per_day = {cell.day.isoformat(): (cell.cards, cell.drills) for cell in heatmap.cells() if cell.count}
        assert per_day == {"2026-02-24": (0, 1), "2026-02-26": (0, 1), "2026-02-28": (1, 0), "2026-03-01": (1, 1),
                           "2026-03-02": (1, 1)}  # Tokyo's days; the undone drill is not there
        assert heatmap.last.isoformat() == "2026-03-02" and heatmap.total == 7
        summary = plain(screen.query_one("#stats-summary"))
        assert "drills: 4 in all, 1 today" in summary and "Studied 5 days in all · streak 3 days, longest 3" in summary
        table = rendered(screen.query_one("#stats-drills"))
        assert "Drills per task: 4 drills of 2 tasks (2 enrolled), 75% recalled" in table
        lines = {line.split()[0]: line for line in table.splitlines() if line.strip()[:4] in ("26.1", "26.2")}
        recall = retrievability(make_scheduler(StudyOptions()), store_drills.drill_states(app.conn)["26.2"], NOW)
        assert 0.5 < recall < 0.995  # drilled 37 hours ago
        assert lines["26.2"].split()[1:5] == ["cross_entropy", "3", "67%", f"{recall:.0%}"]
        assert "8:00/10:00" in lines["26.2"] and "█▁ faster" in lines["26.2"]
        assert lines["26.1"].split()[1:5] == ["softmax", "1", "100%", "100%"]
        assert "3:20/5:00" in lines["26.1"] and "▄" in lines["26.1"] and "faster" not in lines["26.1"]
        text = screen_text(app)
        assert "Last 24 weeks: 7 reviews on 5 days" in text and "Mon" in text and "Mar" in text
        assert "■ none  ■ 1  ■ 2" in text  # the legend: the busiest days had 2 reviews (levels 2 and 4)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


@sync
async def test_stats_screen_without_drills_says_so(data_dir, items):
    fill(data_dir, drills_done=False)
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StatsScreen")
        screen = app.screen
        assert "2 tasks are drills, none drilled yet" in rendered(screen.query_one("#stats-drills"))
        assert screen.query_one("#heatmap").heatmap.total == 3
        conn = app.conn
        conn.execute("DELETE FROM drill_tasks")
        conn.commit()
        await pilot.press("r")
        await pilot.pause()
        assert "No drills yet: a task becomes a drill the first time it passes" in rendered(
            screen.query_one("#stats-drills"))


@sync
async def test_stats_screen_with_many_drilled_tasks(data_dir, monkeypatch):
    many = tuple(DrillItem(f"{topic}.{k}", f"task {topic}.{k}", 10.0) for topic in range(21, 31) for k in (1, 2, 3, 4))
    monkeypatch.setattr(drills, "drill_items", lambda folder=None: many)
    conn = store.open_store(data_dir)
    for i, item in enumerate(many):
        record_drill(conn, item, 3, DrillOutcome(True, 300.0 + i), NOW - (i % 20) * DAY, StudyOptions(), "grade")
    conn.close()
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StatsScreen")
        screen = app.screen
        assert len(screen.query_one("#heatmap").heatmap.weeks) == 24
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: len(screen.query_one("#heatmap").heatmap.weeks) == 14)  # fewer weeks fit
        table = rendered(screen.query_one("#stats-drills"), width=76)
        assert "40 drills of 40 tasks" in table and "30.4" in table and "21.1" in table
        assert screen.query_one("#heatmap").heatmap.total == 40  # the last 20 days
        scroll = screen.query_one("#stats-scroll")
        scroll.scroll_end(animate=False)
        await pilot.pause()
        assert scroll.scroll_y > 0 and "Per topic" in screen_text(app)
