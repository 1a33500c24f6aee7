"""The quiz app driven by Textual's Pilot, on the (frozen copy of the) built-in deck in a temporary data directory,
clock frozen. The new card format, repeats and linked notes are in tests/test_quiz_series.py."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date, timedelta

import fsrs
import pytest
from quiz_support import (
    BUILTIN_DECK,
    FROZEN_QUESTIONS,
    NOW,
    REPO,
    SIZE,
    add_seed_deck,
    frozen_builtin_decks,  # noqa: F401 (autouse fixture)
    learned,
    make_app,
    plain,
    put_state,
    review_state,
    screen_text,
    sync,
    wait_for,
)
from textual.widgets import DataTable, Input

from tui import store
from tui.deck import read_deck
from tui.grading import Verdict, exercise_totals, grade_argv, read_verdict
from tui.scheduling import StudyOptions
from tui.screens.home import exercise_text
from tui.screens.settings import parse_settings
from tui.session import Session
from tui.widgets.bars import bar_rows
from tui.widgets.rating_bar import interval_text

BUILTIN = read_deck(FROZEN_QUESTIONS / f"{BUILTIN_DECK}.md")
CARDS = {card.number: card for card in BUILTIN.cards}


def row_cells(table: DataTable, key: str) -> list[str]:
    return [getattr(cell, "plain", str(cell)) for cell in table.get_row(key)]


async def open_review(pilot) -> None:
    """From the home screen, start studying the highlighted (built-in) deck."""
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ReviewScreen")


async def reveal(pilot, key: str = "space") -> None:
    screen = pilot.app.screen
    await pilot.press(key)
    await wait_for(pilot, lambda: screen.revealed)


def saved_reviews(data_dir, include_undone: bool = False) -> list[store.ReviewRow]:
    conn = store.open_store(data_dir)
    try:
        return store.reviews(conn, include_undone=include_undone)
    finally:
        conn.close()


# --- home ------------------------------------------------------------------------------------------------------------


@sync
async def test_home_shows_every_deck_and_topic_with_counts_retention_and_exercise_status(data_dir):
    put_state(data_dir, 21, review_state(5.0, NOW - timedelta(days=8), NOW - timedelta(days=1), 1))  # due
    put_state(data_dir, 22, learned(22))
    conn = store.open_store(data_dir)
    store.record_exercise_results(conn, 26, 3, [("26.1", "pass", "", 0.1), ("26.2", "fail", "off", 0.2),
                                                ("26.3", "pass", "", 0.1)])
    store.record_exercise_results(conn, 21, 2, [("21.1", "pass", "", 0.1), ("21.2", "pass", "", 0.1)])
    conn.close()
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#home-table")
        assert table.row_count == 1 + len(BUILTIN.cards)
        deck_row = row_cells(table, f"deck:{BUILTIN_DECK}")
        assert deck_row[1] == BUILTIN.title
        assert deck_row[2:5] == [str(len(BUILTIN.cards) - 2), "1", "1"]  # new, due, learned
        assert row_cells(table, f"card:{BUILTIN_DECK}:21")[2:5] == ["0", "1", "0"]
        assert row_cells(table, f"card:{BUILTIN_DECK}:22")[2:5] == ["0", "0", "1"]
        assert row_cells(table, f"card:{BUILTIN_DECK}:26")[6] == "2 of 3 passed"
        assert row_cells(table, f"card:{BUILTIN_DECK}:21")[6] == "all 2 passed"
        assert row_cells(table, f"card:{BUILTIN_DECK}:23")[6] == "not started"
        summary = plain(app.screen.query_one("#home-summary"))
        assert "1 due" in summary and f"{len(BUILTIN.cards) - 2} new" in summary
        footer = screen_text(app).splitlines()[-1]
        for key in ("⏎ Study", "c Cram", "b Browse", "s Stats", "d Date", "t Typed", "q Quit"):
            assert key in footer
        await pilot.press("q")
    assert app.return_code == 0


@sync
async def test_home_retention_column_counts_reviews_of_graduated_cards(data_dir):
    before = review_state(5.0, NOW - timedelta(days=10), NOW - timedelta(days=2), 7)
    conn = store.open_store(data_dir)
    for rating in (3, 1):  # one recalled, one forgotten review of a card in the Review state
        after = review_state(9.0, NOW - timedelta(days=1), NOW + timedelta(days=5), 7)
        log = fsrs.ReviewLog(card_id=7, rating=fsrs.Rating(rating), review_datetime=NOW - timedelta(days=1),
                                   review_duration=None)
        store.record_review(conn, (BUILTIN_DECK, 24), before, after, log)
    conn.close()
    app = make_app(data_dir)
    async with app.run_test(size=SIZE):
        table = app.screen.query_one("#home-table")
        assert row_cells(table, f"card:{BUILTIN_DECK}:24")[5] == "50%"
        assert row_cells(table, f"card:{BUILTIN_DECK}:25")[5] == "—"


# --- reviewing -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["space", "enter"])
@sync
async def test_space_or_enter_reveals_the_answer(data_dir, key):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = app.screen
        first = BUILTIN.cards[0]
        assert plain(screen.query_one("#question")) == f"{first.number}. {first.question}"
        assert not screen.query_one("#answer-area").display
        await reveal(pilot, key)
        assert screen.query_one("#answer-area").display
        assert screen.query_one("#answer").source == first.answer


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
@sync
async def test_each_rating_is_in_the_store_before_the_next_card_shows(data_dir, rating, monkeypatch):
    app = make_app(data_dir)
    seen_on_screen_at_write: list[tuple[str, int]] = []
    real_record = store.record_review

    def record(conn, key, *args, **kwargs):
        seen_on_screen_at_write.append(app.screen.card.key)
        return real_record(conn, key, *args, **kwargs)

    monkeypatch.setattr(store, "record_review", record)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        first = app.screen.card
        await reveal(pilot)
        await pilot.press(str(rating))
        assert app.screen.card is not first
        rows = saved_reviews(data_dir)
        assert [(row.key, row.rating) for row in rows] == [(first.key, rating)]
        assert seen_on_screen_at_write == [first.key]
        conn = store.open_store(data_dir)
        assert first.key in store.card_states(conn)
        conn.close()


@sync
async def test_undo_takes_back_ratings_any_number_of_times(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = app.screen
        shown = []
        for rating in ("3", "4", "2"):
            shown.append(screen.card)
            await reveal(pilot)
            await pilot.press(rating)
        assert len(saved_reviews(data_dir)) == 3
        for key, expected in (("u", shown[2]), ("ctrl+z", shown[1]), ("u", shown[0])):
            await pilot.press(key)
            assert screen.card is expected
            assert not screen.revealed
        assert saved_reviews(data_dir) == []
        assert len(saved_reviews(data_dir, include_undone=True)) == 3
        conn = store.open_store(data_dir)
        assert store.card_states(conn) == {}
        conn.close()
        await pilot.press("u")  # nothing left to undo: the card stays
        assert screen.card is shown[0]


@sync
async def test_e_shows_the_source_file_and_line(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        card = app.screen.card
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SourceScreen")
        location = plain(app.screen.query_one("#source-location"))
        assert location.endswith(f"questions/{BUILTIN_DECK}.md:{card.line}")
        assert card.question in screen_text(app)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ReviewScreen"


@sync
async def test_g_runs_the_grader_for_the_cards_topic_and_shows_the_verdict(data_dir, tmp_path):
    log = tmp_path / "grader-log.json"
    app = make_app(data_dir, grade_args=("--log", str(log)))
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        card = app.screen.card
        await pilot.press("g")
        panel = app.screen.query_one("VerdictPanel")
        await wait_for(pilot, lambda: panel.verdict is not None)
        text = plain(panel)
        assert f"exercise {card.topic}: 1 of 2 tasks passed  (exercises/{card.topic}_fake.py on cpu)" in text
        assert "values differ from torch" in text
        assert type(app.screen).__name__ == "ReviewScreen" and app.screen.card is card
        called = json.loads(log.read_text())
        assert called["argv"][-4:-1] == ["exercise", str(card.topic), "--json"]
        assert called["data_dir"] == str(data_dir)


@sync
async def test_g_shows_the_graders_own_words_when_it_writes_no_report(data_dir):
    app = make_app(data_dir, grade_args=("--mode", "silent"))
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await pilot.press("g")
        panel = app.screen.query_one("VerdictPanel")
        await wait_for(pilot, lambda: panel.verdict is not None)
        assert "run `grade init" in plain(panel)
        assert panel.verdict.returncode == 1


@sync
async def test_typed_mode_marks_key_terms_found_and_missed(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        app.start_review(only=[CARDS[26]])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        screen = app.screen
        await pilot.press("t")
        await wait_for(pilot, lambda: bool(screen.query("#typed-input")))
        assert app.focused is screen.query_one("#typed-input")
        screen.query_one("#typed-input").insert("用 nn.CrossEntropyLoss，输入 logits")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.revealed)
        marks = dict(screen.query_one("#terms").marks)
        assert marks["nn.CrossEntropyLoss"] is True
        assert marks["logits"] is True
        assert False in marks.values()  # the learner left things out
        assert screen.query_one("#yours").display and screen.query_one("#answer").display
        assert "nn.CrossEntropyLoss" in plain(screen.query_one("#yours-text"))
        text = plain(screen.query_one("#terms"))
        assert text.startswith(f"Key terms: {sum(marks.values())} of {len(marks)} found")
    conn = store.open_store(data_dir)
    assert store.get_setting(conn, "review.typed_mode") == "1"  # remembered
    conn.close()


@sync
async def test_card_without_answer_takes_the_learners_own_and_shows_it_next_time(data_dir):
    deck = add_seed_deck(data_dir)
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        card = next(c for c in app.cards if c.deck == deck and c.number == 27)
        assert not card.answered
        app.start_review(only=[card])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        screen = app.screen
        await reveal(pilot)
        own = screen.query_one("OwnAnswer")
        assert "No answer in the source" in plain(own.query_one("#own-notice"))
        assert own.editing and app.focused is own.query_one("#own-editor")
        own.query_one("#own-editor").insert("用 nn.RNN(input_size, hidden_size, batch_first=True)")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not own.editing)
        conn = store.open_store(data_dir)
        assert store.user_answer(conn, card.key) == "用 nn.RNN(input_size, hidden_size, batch_first=True)"
        conn.close()
        await pilot.press("3")
        assert saved_reviews(data_dir)[-1].key == card.key

    again = make_app(data_dir)
    async with again.run_test(size=SIZE) as pilot:
        again.start_review(only=[card])
        await wait_for(pilot, lambda: type(again.screen).__name__ == "ReviewScreen")
        await reveal(pilot)
        own = again.screen.query_one("OwnAnswer")
        assert not own.editing
        assert own.query_one("#own-text").source.startswith("用 nn.RNN(")
        await pilot.press("w")
        assert own.editing and own.query_one("#own-editor").text.startswith("用 nn.RNN(")


@sync
async def test_session_end_says_so_and_undo_still_works(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        app.start_review(only=[CARDS[23]])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        await reveal(pilot)
        await pilot.press("3")
        assert app.screen.card is None
        assert "All done for now" in plain(app.screen.query_one("#done"))
        await pilot.press("u")
        assert app.screen.card == CARDS[23]


# --- browse, cram, interview date ------------------------------------------------------------------------------------


@sync
async def test_browse_lists_every_card_and_searches(data_dir):
    put_state(data_dir, 26, learned(26))
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BrowseScreen")
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(BUILTIN.cards)
        row = row_cells(table, f"{BUILTIN_DECK}:26")
        assert row[1] == "26" and row[3] == "26" and row[4] == "review"
        assert row_cells(table, f"{BUILTIN_DECK}:21")[4] == "new"
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"CrossEntropy")
        await wait_for(pilot, lambda: table.row_count < len(BUILTIN.cards))
        numbers = [int(row_cells(table, key.value)[1]) for key in table.rows]
        assert 26 in numbers
        assert all("crossentropy" in (CARDS[n].question + CARDS[n].answer).lower() for n in numbers)
        await pilot.press("enter")  # to the results
        assert app.focused is table
        table.move_cursor(row=numbers.index(26))
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        assert app.screen.card == CARDS[26]


@sync
async def test_cram_studies_a_topic_that_is_not_due(data_dir):
    for number in CARDS:
        put_state(data_dir, number, learned(number))
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        assert "0 due" in plain(app.screen.query_one("#home-summary"))
        await pilot.press("enter")  # nothing is due: the session is empty
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        assert app.screen.card is None
        await pilot.press("escape")
        table = app.screen.query_one("#home-table")
        table.move_cursor(row=list(CARDS).index(25) + 1)
        await pilot.press("c")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        assert app.screen.card == CARDS[25]
        await reveal(pilot)
        await pilot.press("3")
        assert app.screen.card is None
        assert saved_reviews(data_dir)[-1].key == (BUILTIN_DECK, 25)


def _well_known_and_fragile(data_dir) -> None:
    """Card 21 is due now but strongly remembered; card 22 is not due yet but weakly remembered; the rest are safe."""
    put_state(data_dir, 21, review_state(300.0, NOW - timedelta(days=40), NOW - timedelta(hours=1), 21))
    put_state(data_dir, 22, review_state(2.0, NOW - timedelta(days=2), NOW + timedelta(days=1), 22))
    for number in CARDS:
        if number not in (21, 22):
            safe = review_state(3000.0, NOW - timedelta(days=1), NOW + timedelta(days=200), number)
            put_state(data_dir, number, safe)


@sync
async def test_until_orders_work_by_predicted_recall_on_the_interview_date(data_dir):
    _well_known_and_fragile(data_dir)
    without = make_app(data_dir)
    async with without.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        assert [card.number for card in without.screen.session.queue] == [21]
    interview = (NOW + timedelta(days=60)).date()
    with_date = make_app(data_dir, options=StudyOptions(until=interview))
    async with with_date.run_test(size=SIZE) as pilot:
        assert f"interview {interview.isoformat()} (in 60 days)" in plain(with_date.screen.query_one("#home-summary"))
        await open_review(pilot)
        assert [card.number for card in with_date.screen.session.queue][:2] == [22, 21]
        assert with_date.screen.card == CARDS[22]
        assert f"until {interview.isoformat()}" in plain(with_date.screen.query_one("#review-status"))


@sync
async def test_settings_dialog_sets_the_interview_date_and_keeps_it(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        until = app.screen.query_one("#until", Input)
        until.value = "not a date"
        await pilot.press("enter")
        assert "is not a date" in plain(app.screen.query_one("#settings-error"))
        until.value = "2026-04-20"
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        assert app.options.until == date(2026, 4, 20)
        assert "interview 2026-04-20 (in 49 days)" in plain(app.screen.query_one("#home-summary"))
    again = make_app(data_dir)
    async with again.run_test(size=SIZE):
        assert again.options.until == date(2026, 4, 20)


# --- statistics ------------------------------------------------------------------------------------------------------


@sync
async def test_stats_screen_shows_reviews_per_day_retention_forecast_and_topics(data_dir):
    before = review_state(5.0, NOW - timedelta(days=9), NOW - timedelta(days=2), 5)
    conn = store.open_store(data_dir)
    for days_ago, rating, number in ((3, 3, 21), (3, 1, 22), (1, 3, 23)):
        after = review_state(8.0, NOW - timedelta(days=days_ago), NOW + timedelta(days=days_ago + 2), number)
        log = fsrs.ReviewLog(card_id=number, rating=fsrs.Rating(rating),
                                   review_datetime=NOW - timedelta(days=days_ago), review_duration=None)
        store.record_review(conn, (BUILTIN_DECK, number), before, after, log)
    conn.close()
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StatsScreen")
        screen = app.screen
        summary = plain(screen.query_one("#stats-summary"))
        assert "True retention 67%" in summary and "of 3 reviews of graduated cards" in summary
        history = dict(screen.query_one("#history").series)
        assert len(history) == 30 and sum(history.values()) == 3
        assert history[(NOW - timedelta(days=3)).date()] == 2
        forecast = dict(screen.query_one("#forecast").series)
        assert len(forecast) == 30 and sum(forecast.values()) == 3
        assert forecast[(NOW + timedelta(days=5)).date()] == 2 and forecast[(NOW + timedelta(days=3)).date()] == 1
        text = screen_text(app)
        assert "Reviews per day" in text and "Due forecast" in text and "Per topic" in text
        assert "█" in text or "▄" in text
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


# --- mouse, layout, layers ------------------------------------------------------------------------------------------


@sync
async def test_mouse_works_footer_keys_and_rating_bar(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = app.screen
        first = screen.card
        footer = screen.query_one("KeyFooter")
        await pilot.click(footer, offset=(footer.key_offset("space"), 0))
        await wait_for(pilot, lambda: screen.revealed)
        bar = screen.query_one("#ratings")
        offset = plain(bar).index("3  Good") + (bar.size.width - len(plain(bar))) // 2
        await pilot.click(bar, offset=(offset, 0))
        await wait_for(pilot, lambda: screen.card is not first)
        assert [(row.key, row.rating) for row in saved_reviews(data_dir)] == [(first.key, 3)]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@sync
async def test_wide_characters_never_break_the_layout(data_dir, size):
    app = make_app(data_dir)
    async with app.run_test(size=size) as pilot:
        table = app.screen.query_one("#home-table")
        assert table.virtual_size.width <= table.size.width
        app.start_review(only=[CARDS[26]])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        await reveal(pilot)
        await pilot.pause(0.2)
        scroll = app.screen.query_one("#card-scroll")
        assert scroll.max_scroll_x == 0
        for widget in app.screen.walk_children():
            inside_code = any(type(a).__name__ == "MarkdownFence" for a in widget.ancestors)
            if widget.display and widget.region.width and not inside_code:  # code scrolls inside its fence
                assert widget.region.right <= size[0], widget
        lines = screen_text(app).splitlines()
        assert len(lines) == size[1]
        assert "H(p,q) = −∑ₓ p(x) log q(x)" in screen_text(app)


def test_the_quiz_never_imports_torch():
    """A whole session in a fresh interpreter (review, reveal, rate, stats, grading) leaves torch unloaded."""
    script = textwrap.dedent(f"""
        import asyncio, json, sys, tempfile
        sys.path.insert(0, {str(REPO / 'tests')!r})
        from pathlib import Path
        from quiz_support import make_app, wait_for

        async def main():
            app = make_app(Path(tempfile.mkdtemp()))
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("enter")
                await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
                await pilot.press("space")
                await wait_for(pilot, lambda: app.screen.revealed)
                await pilot.press("g")
                panel = app.screen.query_one("VerdictPanel")
                await wait_for(pilot, lambda: panel.verdict is not None)
                await pilot.press("3", "escape", "s")
                await wait_for(pilot, lambda: type(app.screen).__name__ == "StatsScreen")
            print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchvision"))))

        asyncio.run(main())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@sync
async def test_an_unusable_progress_database_ends_the_app_with_its_message_and_is_kept(data_dir):
    database = data_dir / store.DB_FILENAME
    database.write_bytes(b"this is not a sqlite database" * 100)
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 2
    assert database.read_bytes() == b"this is not a sqlite database" * 100


@sync
async def test_a_deck_that_does_not_parse_is_reported_and_the_others_load(data_dir):
    (data_dir / "decks").mkdir()
    (data_dir / "decks" / "broken.md").write_text("", encoding="utf-8")
    app = make_app(data_dir)
    async with app.run_test(size=SIZE):
        assert [deck.name for deck in app.decks] == [BUILTIN_DECK]
        assert [error.path for error in app.deck_errors] == [str(data_dir / "decks" / "broken.md")]
        assert app.screen.query_one("#home-table").row_count == 1 + len(BUILTIN.cards)


# --- the pure helpers behind the screens ----------------------------------------------------------------------------

TASKS = [{"id": "26.1", "title": "softmax", "status": "pass", "seconds": 0.2},
         {"id": "26.2", "title": "cross_entropy", "status": "fail", "message": "off by 0.3"}]


@pytest.mark.parametrize(("report", "returncode", "output", "summary", "statuses"), [
    (json.dumps({"exercise": 26, "title": "x", "learner_file": "exercises/26_x.py", "device": "cpu", "tasks": TASKS,
                 "passed": 1, "total": 2, "message": ""}), 1, "", "exercise 26: 1 of 2 tasks passed", ["pass", "fail"]),
    (json.dumps({"exercises": [{"exercise": 21, "tasks": []}, {"exercise": 26, "tasks": TASKS[:1]}]}), 0, "",
     "exercise 26: all 1 tasks passed", ["pass"]),
    (json.dumps({"exercise": 26, "tasks": [], "message": "exercises/26_x.py does not exist: run grade init 26"}), 1,
     "", "exercise 26: no result — exercises/26_x.py does not exist: run grade init 26", []),
    (json.dumps({"topic": 26, "tasks": TASKS}), 1, "", "exercise 26: 1 of 2 tasks passed", ["pass", "fail"]),
    (json.dumps({"topic": 26, "results": [{**t, "status": "pass"} for t in TASKS]}), 0, "",
     "exercise 26: all 2 tasks passed", ["pass", "pass"]),
    (json.dumps(TASKS), 1, "", "exercise 26: 1 of 2 tasks passed", ["pass", "fail"]),
    (json.dumps({"topics": [{"topic": 21, "tasks": []}, {"topic": 26, "tasks": TASKS[:1]}]}), 0, "",
     "exercise 26: all 1 tasks passed", ["pass"]),
    (None, 2, "error: no exercise 99\n", "exercise 26: no result — error: no exercise 99", []),
    ("{not json", 1, "", "exercise 26: no result — the grader's report is not valid JSON (Expecting property name "
     "enclosed in double quotes: line 1 column 2 (char 1))", []),
    ("", 1, "", "exercise 26: no result — the grader exited with status 1 and wrote no report", []),
])
def test_read_verdict(report, returncode, output, summary, statuses):
    verdict = read_verdict(26, report, returncode, output)
    assert verdict.summary == summary
    assert [task.status for task in verdict.tasks] == statuses


def test_grade_command_line_and_verdict_marks(tmp_path):
    report = tmp_path / "v.json"
    assert grade_argv(["grade"], 26, report) == ["grade", "exercise", "26", "--json", str(report)]
    verdict = read_verdict(26, json.dumps({"tasks": TASKS}))
    assert [task.mark for task in verdict.tasks] == ["✓", "✗"]
    assert not Verdict(26).all_passed


def test_exercise_totals_agree_with_the_grader_manifest():
    from grader.engine.manifest import topics

    assert exercise_totals() == {topic.number: len(topic.tasks) for topic in topics()}


def test_exercise_totals_read_the_one_folder_per_topic_layout(tmp_path, monkeypatch):
    import importlib.util
    import types

    from tui import exercises

    root = tmp_path / "grader"
    (root / "topics" / "32_seq2seq").mkdir(parents=True)
    (root / "topics" / "32_seq2seq" / "topic.toml").write_text(
        'slug = "seq2seq"\n\n[[task]]\nid = "32.1"\n\n[[task]]\nid = "32.2"\n', encoding="utf-8")
    (root / "topics" / "33_lstm").mkdir()
    (root / "topics" / "33_lstm" / "topic.toml").write_text('number = 33\n[[task]]\nid = "33.1"\n', encoding="utf-8")
    (root / "topics" / "notes").mkdir()  # not a topic folder
    spec = types.SimpleNamespace(submodule_search_locations=[str(root)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec if name == "grader" else None)
    exercises.exercise_totals.cache_clear()
    try:
        assert exercises.exercise_totals() == {32: 2, 33: 1}
    finally:
        exercises.exercise_totals.cache_clear()


@pytest.mark.parametrize(("status", "expected"), [
    (None, "not started"),
    (store.ExerciseStatus(26, 0, 3, NOW), "0 of 3 passed"),
    (store.ExerciseStatus(26, 2, 3, NOW), "2 of 3 passed"),
    (store.ExerciseStatus(26, 3, 3, NOW), "all 3 passed"),
])
def test_exercise_status_text(status, expected):
    assert exercise_text(26, status, {26: 3}) == expected
    assert exercise_text(51, None, {26: 3}) == "—"  # a topic without an exercise


def test_session_records_each_rating_and_undoes_back_to_the_start(data_dir):
    conn = store.open_store(data_dir)
    session = Session(conn, list(BUILTIN.cards), StudyOptions(), lambda: NOW)
    first, second = session.queue[:2]
    session.rate(3)
    session.rate(1)
    assert [(row.key, row.rating) for row in store.reviews(conn)] == [(first.key, 3), (second.key, 1)]
    assert session.undo().card == second and session.current == second
    assert session.undo().card == first and session.current == first
    assert session.undo() is None
    assert store.card_states(conn) == {} and store.reviews(conn) == []
    conn.close()


def test_a_fixed_session_brings_cards_rated_again_back_at_the_end(data_dir):
    conn = store.open_store(data_dir)
    session = Session(conn, list(BUILTIN.cards), StudyOptions(cram_topic=26), lambda: NOW)
    assert [card.number for card in session.queue] == [26]
    session.rate(1)
    assert [card.number for card in session.queue] == [26]
    session.rate(3)
    assert session.queue == [] and session.current is None
    conn.close()


@pytest.mark.parametrize(("values", "height", "expected"), [
    ([0, 0], 2, ["  ", "  "]),
    ([1, 2], 2, [" █", "██"]),
    ([4, 1, 0], 1, ["█▂ "]),
    ([100, 1], 2, ["█ ", "█▁"]),  # a small non-zero day still shows
])
def test_bar_rows(values, height, expected):
    assert bar_rows(values, height) == expected


@pytest.mark.parametrize(("fields", "expected"), [
    (("2026-12-20", "0.9", "20"), StudyOptions(until=date(2026, 12, 20))),
    (("", "85%", "5"), StudyOptions(desired_retention=0.85, new_per_day=5)),
    (("20/12/2026", "0.9", "20"), "Interview date: '20/12/2026' is not a date like 2026-12-20 (leave empty for none)."),
    (("", "0.99", "20"), "Desired retention: 0.99 is outside 0.70-0.97 (FSRS schedules poorly beyond)."),
    (("", "0.9", "many"), "New cards per day: 'many' is not a whole number."),
    (("", "0.9", "-1"), "new cards per day must be >= 0, got -1"),
])
def test_parse_settings(fields, expected):
    assert parse_settings(*fields, StudyOptions()) == expected


@pytest.mark.parametrize(("seconds", "text"), [(30, "30s"), (600, "10m"), (7200, "2h"), (86400 * 8, "8d"),
                                              (86400 * 75, "2.5mo"), (86400 * 400, "1.1y")])
def test_interval_text(seconds, text):
    assert interval_text(timedelta(seconds=seconds)) == text
