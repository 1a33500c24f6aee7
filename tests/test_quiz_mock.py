"""The mock interview: its plan and report (tui/mock.py, pure) and a Pilot session with a clock the test moves,
where the budget runs out, every rating lands in the usual schedule, and the report says what to study next."""

from __future__ import annotations

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

from tui import drills, store
from tui.app import create_app
from tui.cards import Card
from tui.drills import AGAIN, EASY, GOOD, HARD, DueDrill
from tui.mock import CARD_PAR_SECONDS, ItemResult, mock_report, plan_mock, report_text
from tui.screens.drill import DrillScreen
from tui.screens.mock import MockScreen

BY_ID = {item.task_id: item for item in ITEMS}


def card(number: int) -> Card:
    return Card("pytorch-part3", number, f"问题 {number}", "答案", (), "questions/pytorch-part3.md", number, number)


CARDS = [card(n) for n in range(21, 31)]


def due(task_id: str) -> DueDrill:
    return DueDrill(BY_ID[task_id], NOW, 0.7)


# --- the plan -----------------------------------------------------------------------------------------------------


def kinds(plan) -> list[object]:
    return [item.key for item in plan.items]


def test_a_plan_fills_the_budget_with_cards_at_card_par_around_the_drills():
    plan = plan_mock(CARDS, [due("26.2"), due("27.1")], 45, drill_count=1)
    assert plan.budget_seconds == 2700
    # 45 min - 10 min of drill = 35 min: 17 cards at 2 min, but only 10 are due; the drill in the middle
    assert kinds(plan) == [c.key for c in CARDS[:5]] + ["26.2"] + [c.key for c in CARDS[5:]]
    two = plan_mock(CARDS, [due("26.2"), due("27.1")], 45, drill_count=2)
    # 45 - 10 - 20 = 15 min: 7 cards, in three runs (3, 2, 2)
    assert kinds(two) == [c.key for c in CARDS[:3]] + ["26.2"] + [c.key for c in CARDS[3:5]] + ["27.1"] + [
        c.key for c in CARDS[5:7]]
    assert [item.par_seconds for item in two.items if item.kind == "drill"] == [600.0, 1200.0]
    assert all(item.par_seconds == CARD_PAR_SECONDS for item in two.items if item.kind == "card")


def test_a_plan_keeps_drills_within_the_budget_but_always_one_and_cards_when_there_is_no_drill():
    # 25 min: the 20-minute drill is first; the 10-minute one would not fit beside it
    plan = plan_mock(CARDS, [due("27.1"), due("26.2")], 25, drill_count=2)
    assert kinds(plan) == [CARDS[0].key, "27.1", CARDS[1].key]
    assert kinds(plan_mock(CARDS, [due("27.1")], 5, drill_count=1)) == ["27.1"]  # over budget alone: still taken
    assert kinds(plan_mock(CARDS, [], 1, drill_count=2)) == [CARDS[0].key]  # under one card's par: one card
    assert kinds(plan_mock(CARDS[:2], [due("26.2")], 45, drill_count=0)) == [CARDS[0].key, CARDS[1].key]
    assert plan_mock([], [], 45).items == ()
    with pytest.raises(ValueError):
        plan_mock(CARDS, [], 0)


def test_the_report_marks_recalled_slow_and_unreached_items_and_ranks_what_to_study_next():
    plan = plan_mock(CARDS[:4], [due("26.2")], 18, drill_count=1)
    assert kinds(plan) == [CARDS[0].key, CARDS[1].key, "26.2", CARDS[2].key, CARDS[3].key]
    results = {0: ItemResult(GOOD, 60.0), 1: ItemResult(HARD, 200.0), 2: ItemResult(AGAIN, 400.0, passed=False),
               3: ItemResult(AGAIN, 30.0)}
    report = mock_report(plan, results, 690.0)
    assert [(line.status, line.slow) for line in report.lines] == [
        ("recalled", False), ("recalled", True), ("not recalled", False), ("not recalled", False),
        ("not reached", False)]
    assert (report.recalled, report.done) == (2, 4)
    assert report.study_next == (
        "topic 23: card 23 not recalled",
        "topic 26: drill 26.2 not recalled",
        "topic 22: card 22 slow (3:20 for par 2:00)",
    )  # card 24, not reached, stays due: it is not a finding
    text = report_text(report)
    assert text.splitlines()[0] == "Mock interview: 2 of 5 recalled, 4 answered, time 11:30 of 18:00"
    assert "  ✓  card 22: 问题 22  recalled, Hard, 3:20 / par 2:00  slow" in text
    assert "  ✗  drill 26.2 cross_entropy  not recalled, Again, 6:40 / par 10:00" in text
    assert "  –  card 24: 问题 24  not reached (par 2:00)" in text
    assert "  (1 item not reached: they stay due)" in text
    # a drill that passed is recalled whatever the learner rated it; a card rated Again is not
    assert ItemResult(AGAIN, 1.0, passed=True).recalled and not ItemResult(AGAIN, 1.0).recalled
    clean = mock_report(plan, {i: ItemResult(GOOD, 10.0, passed=True if i == 2 else None) for i in range(5)}, 50)
    assert clean.study_next == () and "nothing stood out" in report_text(clean)


# --- a session ----------------------------------------------------------------------------------------------------


def mock_clock(app) -> str:
    return plain(app.screen.query_one("#mock-clock"))


def card_reviews(data_dir) -> list[tuple[int, int, int | None]]:
    conn = store.open_store(data_dir)
    try:
        return [(row.number, row.rating, row.duration_ms) for row in store.reviews(conn)]
    finally:
        conn.close()


@sync
async def test_a_mock_session_runs_out_of_time_and_reports_every_item_rated_into_the_schedule(
        data_dir, tmp_path, items):
    enrol(data_dir, "26.2", at=NOW - timedelta(days=1))
    command, _, _ = fake_grade_command(tmp_path)
    clock = FakeClock(NOW)
    app = create_app(data_dir, clock=clock, grade_command=command)
    app.mock_at_start = (16, 1)  # what `quiz mock --minutes 16 --drills 1` asks for
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen))
        mock = app.screen
        # 16 min - 10 min of drill: 3 cards at 2 min; two before the drill, one after
        assert [item.key for item in mock.plan.items] == [("pytorch-part3", 21), ("pytorch-part3", 22), "26.2",
                                                          ("pytorch-part3", 23)]
        await wait_for(pilot, lambda: "16:00 left of 16:00" in mock_clock(app))
        assert "item 1 of 4" in mock_clock(app) and "card par 2:00" in mock_clock(app)
        assert plain(mock.query_one("#mock-question")).startswith("21. ")

        clock.advance(60)
        await wait_for(pilot, lambda: "15:00 left" in mock_clock(app))
        await pilot.press("3")  # not revealed yet: no rating
        assert card_reviews(data_dir) == []
        await pilot.press("space", "3")
        assert card_reviews(data_dir) == [(21, GOOD, 60_000)]

        assert plain(mock.query_one("#mock-question")).startswith("22. ")
        clock.advance(200)  # slow
        await pilot.press("space", "1")
        assert card_reviews(data_dir) == [(21, GOOD, 60_000), (22, AGAIN, 200_000)]

        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen))
        drill = app.screen
        await wait_for(pilot, lambda: drill.phase == "running")
        assert drill.source == "mock"
        assert "mock: 11:40 left" in plain(drill.query_one("#drill-status"))
        clock.advance(300)
        with open(drill.progress.drill_file, "w", encoding="utf-8") as out:
            out.write(PASS_MARKER + "\n")
        await wait_for(pilot, lambda: drill.phase == "finished")
        assert "Proposed: Easy" in plain(drill.query_one("#drill-outcome"))  # 5:00: half of par, no hint
        await pilot.press("enter")  # record
        await pilot.press("enter")  # and go on
        await wait_for(pilot, lambda: app.screen is mock)
        [row] = saved_drill_reviews(data_dir)
        assert (row.task_id, row.rating, row.seconds, row.source) == ("26.2", EASY, 300.0, "mock")

        assert plain(mock.query_one("#mock-question")).startswith("23. ")
        clock.advance(500)  # past the budget, card 23 unanswered
        await wait_for(pilot, lambda: mock.phase == "report")
        report = plain(mock.query_one("#mock-report"))
        assert report.splitlines()[0] == "Mock interview: 2 of 4 recalled, 3 answered, time 16:00 of 16:00"
        assert "(par: 2:00 per card; a drill's par is its task's)" in report
        assert "✓  card 21: " in report and "recalled, Good, 1:00 / par 2:00" in report
        assert "✗  card 22: " in report and "not recalled, Again, 3:20 / par 2:00  slow" in report
        assert "✓  drill 26.2 cross_entropy  recalled, Easy, 5:00 / par 10:00" in report
        assert "–  card 23: " in report and "not reached" in report
        study = report[report.index("Study next:"):].splitlines()
        assert study[1:] == ["  topic 22: card 22 not recalled", "", "Escape goes home."]
        assert "time is up" in mock_clock(app)
        await pilot.press("3")  # the report takes no ratings
        assert len(card_reviews(data_dir)) == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
    conn = store.open_store(data_dir)
    try:  # the same schedule as outside a mock interview
        assert {("pytorch-part3", 21), ("pytorch-part3", 22)} == set(store.card_states(conn))
    finally:
        conn.close()


@sync
async def test_when_the_time_runs_out_in_a_drill_it_ends_unpassed_and_the_report_follows(data_dir, tmp_path, items):
    enrol(data_dir, "26.2", at=NOW - timedelta(days=1))
    command, _, _ = fake_grade_command(tmp_path)
    clock = FakeClock(NOW)
    app = create_app(data_dir, clock=clock, grade_command=command)
    async with app.run_test(size=SIZE) as pilot:
        app.start_mock(10, 1)  # the drill's par is the whole budget: no card
        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen))
        drill = app.screen
        await wait_for(pilot, lambda: drill.phase == "running")
        clock.advance(601)
        await wait_for(pilot, lambda: drill.phase == "finished")
        outcome = plain(drill.query_one("#drill-outcome"))
        assert "Again: the mock interview's time ran out after 10:00" in outcome
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen) and app.screen.phase == "report")
        report = plain(app.screen.query_one("#mock-report"))
        assert report.splitlines()[0] == "Mock interview: 0 of 1 recalled, 1 answered, time 10:00 of 10:00"
        assert "topic 26: drill 26.2 not recalled" in report
    [row] = saved_drill_reviews(data_dir)
    assert (row.rating, row.proposed_rating, row.verdict, row.source, row.seconds) == (AGAIN, AGAIN, "fail", "mock",
                                                                                         600.0)


@sync
async def test_in_typed_mode_a_mock_card_is_typed_then_compared_and_rated(data_dir, tmp_path, items):
    command, _, _ = fake_grade_command(tmp_path)
    clock = FakeClock(NOW)
    app = create_app(data_dir, clock=clock, grade_command=command)
    async with app.run_test(size=SIZE) as pilot:
        app.set_typed_mode(True)
        app.start_mock(4, 0)  # two cards, no drill
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen))
        mock = app.screen
        assert [item.key for item in mock.plan.items] == [("pytorch-part3", 21), ("pytorch-part3", 22)]
        await wait_for(pilot, lambda: mock.query("#typed-input"))
        await pilot.press("I", "o", "U")
        clock.advance(90)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: mock.phase == "revealed")
        assert plain(mock.query_one("#mock-yours")) == "Your answer:\nIoU"
        assert mock.query_one("#mock-answer").source.startswith("目标检测")
        await pilot.press("2")
        assert card_reviews(data_dir) == [(21, HARD, 90_000)]
        await pilot.press("escape")  # end early: the report, card 22 not reached
        assert mock.phase == "report"
        report = plain(mock.query_one("#mock-report"))
        assert report.splitlines()[0] == "Mock interview: 1 of 2 recalled, 1 answered, time 1:30 of 4:00"
        assert "ended early" in mock_clock(app) and "(1 item not reached: they stay due)" in report


def test_quiz_mock_takes_minutes_and_one_or_two_drills(capsys):
    from tui import cli

    args = cli.build_parser().parse_args(["mock", "--minutes", "30", "--drills", "2"])
    assert (args.run, args.minutes, args.drills) == (cli._run_mock, 30.0, 2)
    defaults = cli.build_parser().parse_args(["mock"])
    assert (defaults.minutes, defaults.drills) == (45.0, 1)
    for bad in (["mock", "--minutes", "0"], ["mock", "--minutes", "soon"], ["mock", "--drills", "3"]):
        assert cli.main(bad) == 2
    assert "is not a number of minutes" in capsys.readouterr().err
