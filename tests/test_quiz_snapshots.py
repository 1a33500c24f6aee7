"""Snapshots (pytest-textual-snapshot) of the quiz's screens at 100x30: home, review, revealed answer with math and
code (card 26), typed answer, stats (without drills, and with drills of three tasks); and, over the new-format
series fixture at 80x24 and 100x30, a card's core, its expanded details, and the learner's linked notes beside the
reference. Deterministic: frozen clock, fresh data
directory, fixed review history.

Update after an intended change with `pytest tests/test_quiz_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

import fsrs
import pytest
from quiz_support import (  # noqa: F401 (frozen_builtin_decks: autouse fixture)
    BUILTIN_DECK,
    NOW,
    SERIES,
    SIZE,
    frozen_builtin_decks,
    make_app,
    review_state,
    use_series,
    wait_for,
)

from tui import drills, store
from tui.deck import read_deck
from tui.drills import DrillItem, DrillOutcome, record_drill
from tui.linking import import_document
from tui.scheduling import StudyOptions

SIZES = {"80x24": (80, 24), "100x30": (100, 30)}


def history(data_dir) -> None:
    """A fixed week of reviews: some cards learned, one due, one lapsed, exercise 26 half done."""
    conn = store.open_store(data_dir)
    before = review_state(4.0, NOW - timedelta(days=12), NOW - timedelta(days=6), 1)
    for days_ago, number, rating, due_in in ((6, 21, 3, 9), (5, 22, 3, 4), (5, 23, 1, -1), (3, 24, 4, 20),
                                             (2, 25, 3, 12), (1, 21, 2, 15), (1, 28, 3, 2)):
        when = NOW - timedelta(days=days_ago)
        after = review_state(6.0 + number % 5, when, NOW + timedelta(days=due_in), number)
        log = fsrs.ReviewLog(card_id=number, rating=fsrs.Rating(rating), review_datetime=when, review_duration=9000)
        store.record_review(conn, (BUILTIN_DECK, number), before, after, log)
    store.record_exercise_results(conn, 26, 4, [("26.1", "pass", "", 0.2), ("26.2", "pass", "", 0.3),
                                                ("26.3", "fail", "values differ", 0.2), ("26.4", "error", "", 0.1)])
    store.record_exercise_results(conn, 21, 2, [("21.1", "pass", "", 0.2), ("21.2", "pass", "", 0.3)])
    conn.close()


def card(app, number: int):
    return next(c for c in app.cards if c.deck == BUILTIN_DECK and c.number == number)


async def study(pilot, number: int) -> None:
    app = pilot.app
    app.start_review(only=[card(app, number)])
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
    await pilot.pause()


async def reveal(pilot) -> None:
    screen = pilot.app.screen
    await pilot.press("space")
    await wait_for(pilot, lambda: screen.revealed)
    await pilot.pause(0.3)  # let the Markdown blocks lay out


def test_home_screen(snap_compare, data_dir):
    history(data_dir)
    assert snap_compare(make_app(data_dir), terminal_size=SIZE)


def test_review_screen_question(snap_compare, data_dir):
    history(data_dir)

    async def run_before(pilot):
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ReviewScreen")
        await pilot.pause()

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)


def test_revealed_answer_with_math(snap_compare, data_dir):
    async def run_before(pilot):
        await study(pilot, 26)
        await reveal(pilot)

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)


def test_revealed_answer_with_code(snap_compare, data_dir):
    async def run_before(pilot):
        await study(pilot, 26)
        await reveal(pilot)
        screen = pilot.app.screen
        fence = screen.query("MarkdownFence").first()
        screen.query_one("#card-scroll").scroll_to_widget(fence, animate=False, top=True)
        await pilot.pause(0.2)

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)


def test_typed_answer_compared_with_the_reference(snap_compare, data_dir):
    conn = store.open_store(data_dir)
    store.set_setting(conn, "review.typed_mode", "1")
    conn.close()

    async def run_before(pilot):
        await study(pilot, 26)
        screen = pilot.app.screen
        await wait_for(pilot, lambda: bool(screen.query("#typed-input")))
        screen.query_one("#typed-input").insert("交叉熵用 nn.CrossEntropyLoss，输入未归一化的 logits；数值稳定靠 log_softmax。")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.revealed)
        await pilot.pause(0.3)

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)


def test_stats_screen(snap_compare, data_dir):
    history(data_dir)

    async def run_before(pilot):
        await pilot.press("s")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "StatsScreen")
        await pilot.pause()

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)


DRILL_ITEMS = (DrillItem("21.1", "box_iou", 8.0), DrillItem("26.1", "softmax", 5.0),
               DrillItem("26.2", "cross_entropy", 10.0))


def drill_history(data_dir) -> None:
    """Drills over the same week: 26.2 failed once then passed faster and faster, 26.1 within half of par, 21.1 over
    par after a hint, then failed."""
    conn = store.open_store(data_dir)
    items = {item.task_id: item for item in DRILL_ITEMS}
    for days_ago, task, passed, seconds, hints, rating in (
        (6, "26.2", False, 900, 0, 1), (5, "26.2", True, 720, 0, 2), (3, "26.2", True, 540, 0, 3),
        (1, "26.2", True, 410, 0, 3), (4, "26.1", True, 140, 0, 4), (2, "21.1", True, 610, 1, 2),
        (0, "21.1", False, 300, 0, 1),
    ):
        outcome = DrillOutcome(passed, float(seconds), hints, verdict="pass" if passed else "fail")
        record_drill(conn, items[task], rating, outcome, NOW - timedelta(days=days_ago, hours=1), StudyOptions(),
                     "quiz")
    conn.close()


def test_stats_screen_with_drills(snap_compare, data_dir, monkeypatch):
    history(data_dir)
    drill_history(data_dir)
    monkeypatch.setattr(drills, "drill_items", lambda folder=None: DRILL_ITEMS)

    async def run_before(pilot):
        await pilot.press("s")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "StatsScreen")
        await pilot.pause()

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)


# --- the new card format (tests/fixtures/series) ---------------------------------------------------------------


def series_card(app, deck: str, number: int):
    return next(c for c in app.cards if c.deck == deck and c.number == number)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_core_view(snap_compare, data_dir, monkeypatch, size):
    use_series(monkeypatch)

    async def run_before(pilot):
        pilot.app.start_review(only=[series_card(pilot.app, "pytorch-part2", 17)])
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ReviewScreen")
        await pilot.pause()
        await reveal(pilot)

    assert snap_compare(make_app(data_dir), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_expanded_details_view(snap_compare, data_dir, monkeypatch, size):
    use_series(monkeypatch)

    async def run_before(pilot):
        pilot.app.start_review(only=[series_card(pilot.app, "pytorch-part2", 17)])
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ReviewScreen")
        await pilot.pause()
        await reveal(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#details").expanded)
        await pilot.pause(0.3)

    assert snap_compare(make_app(data_dir), terminal_size=SIZES[size], run_before=run_before)


def test_linked_notes_beside_the_reference(snap_compare, data_dir, monkeypatch, tmp_path):
    use_series(monkeypatch)
    copy = tmp_path / "pytorch-part3.md"
    copy.write_text("# PyTorch知识点总结之三\n\n## 22. 如何在PyTorch中实现图像分割模型？\n"
                    "我的笔记：**UNet** 编码器-解码器，跳连拼接；损失 `nn.CrossEntropyLoss`，标签是类别下标。\n",
                    encoding="utf-8")
    import_document(copy, data_dir)
    assert read_deck(SERIES / "pytorch-part3.md").cards[1].number == 22

    async def run_before(pilot):
        pilot.app.start_review(only=[series_card(pilot.app, "pytorch-part3", 22)])
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ReviewScreen")
        await pilot.pause()
        await reveal(pilot)

    assert snap_compare(make_app(data_dir), terminal_size=SIZE, run_before=run_before)
