"""The new card format, repeats and linked notes in the app (Pilot), over the series fixture (tests/fixtures/series):
part 2 (17, 18), part 3 (21, 22) and part 4 (31, and 35 which repeats 17), every card with a core and details."""

from __future__ import annotations

import pytest
from quiz_support import (  # noqa: F401 (frozen_builtin_decks: autouse fixture)
    NOW,
    SERIES,
    frozen_builtin_decks,
    learned,
    make_app,
    plain,
    put_state,
    screen_text,
    sync,
    use_series,
    wait_for,
)
from textual.widgets import DataTable

from tui import notes as notes_store, paths
from tui import store
from tui.deck import read_deck
from tui.linking import import_document
from tui.render import key_terms
from tui.scheduling import StudyOptions, build_queue

PART2 = read_deck(SERIES / "pytorch-part2.md")
PART4 = read_deck(SERIES / "pytorch-part4.md")
CARD_17 = PART2.cards[0]
REPEAT_35 = PART4.cards[1]

COPY = """# PyTorch 知识点总结 之三

21. 如何在PyTorch中实现目标检测模型？

22. 如何在PyTorch中实现图像分割模型？

## 21. 如何在PyTorch中实现目标检测模型？
我的笔记：先用 `box_iou` 算重叠，再 **NMS** 去掉重复框，模型用 **RetinaNet**。
"""


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    use_series(monkeypatch)
    path = tmp_path / "data"
    path.mkdir()
    return path


async def study(pilot, card) -> None:
    app = pilot.app
    app.start_review(only=[card])
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
    await pilot.pause()


async def reveal(pilot) -> None:
    screen = pilot.app.screen
    await pilot.press("space")
    await wait_for(pilot, lambda: screen.revealed)


def greyed(screen, key: str) -> bool:
    """Whether the footer shows `key` greyed out (unavailable now)."""
    return not next(shown for shown in screen.query_one("KeyFooter").shown_keys() if shown.key == key).enabled


# --- core first, details on `d` ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@sync
async def test_the_core_shows_first_and_d_expands_and_collapses_the_details(data_dir, size):
    app = make_app(data_dir)
    async with app.run_test(size=size) as pilot:
        await study(pilot, CARD_17)
        screen = app.screen
        assert greyed(screen, "d")  # nothing to expand before the answer is shown
        await reveal(pilot)
        assert screen.query_one("#answer").source == CARD_17.core
        details = screen.query_one("#details")
        assert details.display and not details.expanded
        assert not screen.query("#details-text")  # the details are not even rendered until asked for
        assert "▸ 详解" in screen_text(app) and "分层学习率" not in screen_text(app)
        assert not greyed(screen, "d") and "d 详解" in screen_text(app).splitlines()[-1]
        await pilot.press("d")
        await wait_for(pilot, lambda: details.expanded)
        assert screen.query_one("#details-text").source == CARD_17.details
        await pilot.pause(0.2)
        assert "分层学习率" in screen_text(app) and "▾ 详解" in screen_text(app)
        for widget in screen.walk_children():
            inside_code = any(type(a).__name__ == "MarkdownFence" for a in widget.ancestors)
            if widget.display and widget.region.width and not inside_code:
                assert widget.region.right <= size[0], widget
        await pilot.press("d")
        await wait_for(pilot, lambda: not details.expanded)
        assert not screen.query_one("#details-text").display


@sync
async def test_the_next_card_starts_collapsed_and_a_click_on_the_header_expands(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_review(only=[CARD_17, PART2.cards[1]])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        screen = app.screen
        await reveal(pilot)
        await pilot.press("d")
        details = screen.query_one("#details")
        await wait_for(pilot, lambda: details.expanded)
        await pilot.press("3")
        assert screen.card == PART2.cards[1]
        await reveal(pilot)
        assert not details.expanded and screen.query_one("#answer").source == PART2.cards[1].core
        await pilot.click("#details-header", offset=(1, 1))  # row 0 is its border
        await wait_for(pilot, lambda: details.expanded)
        assert screen.query_one("#details-text").source == PART2.cards[1].details


@sync
async def test_d_is_greyed_for_a_card_without_details(tmp_path):
    data_dir = tmp_path / "data"  # the frozen old-format part 3: no <details> anywhere
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        screen = app.screen
        await reveal(pilot)
        assert screen.query_one("#answer").source == screen.card.answer  # the whole answer is the core
        assert not screen.query_one("#details").display
        assert greyed(screen, "d")
        await pilot.press("d")  # does nothing
        assert not screen.query("#details-text")


@sync
async def test_typed_answers_are_compared_with_the_core(data_dir):
    conn = store.open_store(data_dir)
    store.set_setting(conn, "review.typed_mode", "1")
    conn.close()
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await study(pilot, CARD_17)
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query("#typed-input")))
        screen.query_one("#typed-input").insert("加载预训练模型，替换输出头，冻结主干后微调。")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.revealed)
        marks = dict(screen.query_one("#terms").marks)
        assert list(marks) == key_terms(CARD_17.core)
        assert "面试追问" not in marks  # a bold term of the details is not asked for
        assert marks["预训练"] and marks["替换输出头"] and not marks["model.eval"]
        assert plain(screen.query_one("#terms")).startswith("Key terms: ")


# --- repeats -----------------------------------------------------------------------------------------------------


def test_a_repeat_never_enters_the_queue_and_is_not_counted():
    cards = [*PART2.cards, *PART4.cards]
    queue = build_queue(cards, {}, NOW, StudyOptions())
    assert [card.number for card in queue] == [17, 18, 31]
    assert build_queue(cards, {}, NOW, StudyOptions(cram_topic=17)) == [CARD_17]
    assert REPEAT_35.topic == 17  # the same exercise as 17


@sync
async def test_home_lists_the_repeat_under_its_deck_without_counts_of_its_own(data_dir):
    put_state(data_dir, 17, learned(17), deck="pytorch-part2")
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)):
        table = app.screen.query_one("#home-table")
        cells = [getattr(cell, "plain", str(cell)) for cell in table.get_row("card:pytorch-part4:35")]
        assert cells[0] == "35" and cells[1].startswith("→ 17  如何在PyTorch中进行迁移学习")
        assert cells[2:6] == ["", "", "", ""]
        deck_row = [getattr(cell, "plain", str(cell)) for cell in table.get_row("deck:pytorch-part4")]
        assert deck_row[2:5] == ["1", "0", "0"]  # 31 is new; 35 is not a card of its own
        assert "0 due · 4 new · 1 learned" in plain(app.screen.query_one("#home-summary"))


@sync
async def test_browse_shows_the_repeat_and_studying_it_studies_the_original(data_dir):
    put_state(data_dir, 17, learned(17), deck="pytorch-part2")
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BrowseScreen")
        table = app.screen.query_one(DataTable)
        row = [getattr(cell, "plain", str(cell)) for cell in table.get_row("pytorch-part4:35")]
        assert row[1] == "35 → 17" and row[3] == "17" and row[4] == "review"  # the state of card 17
        assert plain(app.screen.query_one("#browse-count")).startswith("6 questions (5 cards + 1 repeat)")
        table.move_cursor(row=[key.value for key in table.rows].index("pytorch-part4:35"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        screen = app.screen
        assert screen.card.key == CARD_17.key and [c.key for c in screen.session.queue] == [CARD_17.key]
        assert plain(screen.query_one("#asked-as")) == "also asked as 35 (pytorch-part4)"
        await reveal(pilot)
        await pilot.press("3")
        conn = store.open_store(data_dir)
        assert [row.key for row in store.reviews(conn)][-1] == CARD_17.key  # never ("pytorch-part4", 35)
        conn.close()


@sync
async def test_a_whole_session_asks_each_question_once(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_review()
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
        await pilot.pause()
        screen, seen = app.screen, []
        while screen.card is not None:
            seen.append(screen.card.number)
            await reveal(pilot)
            await pilot.press("4")
        assert sorted(seen) == [17, 18, 21, 22, 31]


# --- linked notes ------------------------------------------------------------------------------------------------


@sync
async def test_a_linked_copy_adds_no_deck_and_its_answer_shows_beside_the_reference(data_dir, tmp_path):
    copy = tmp_path / "my-part3.md"
    copy.write_text(COPY, encoding="utf-8")
    result, _ = import_document(copy, data_dir)
    assert result.action == "linked"
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        assert [deck.name for deck in app.decks] == ["pytorch-part2", "pytorch-part3", "pytorch-part4"]
        card_21, card_22 = (c for c in app.cards if c.deck == "pytorch-part3")
        await study(pilot, card_21)
        screen = app.screen
        await reveal(pilot)
        notes = screen.query_one("#notes")
        assert notes.display and notes.text.startswith("我的笔记：先用 `box_iou`")
        assert screen.query_one("#yours").display and screen.query_one("#reference-title").display
        assert not screen.query_one("#yours-text").display  # not typing: only the notes are on the left
        assert "from " in plain(screen.query(".notes-source").first()) and "question 21" in screen_text(app)
        await pilot.press("3")
        assert screen.card is None
        await study(pilot, card_22)  # left unanswered in the copy: ours only
        await reveal(pilot)
        assert not app.screen.query_one("#notes").display and not app.screen.query_one("#yours").display


@sync
async def test_typed_answer_matching_the_learners_notes_is_accepted(data_dir, tmp_path):
    copy = tmp_path / "my-part3.md"
    copy.write_text(COPY, encoding="utf-8")
    import_document(copy, data_dir)
    conn = store.open_store(data_dir)
    store.set_setting(conn, "review.typed_mode", "1")
    assert notes_store.note(conn, ("pytorch-part3", 21)) is not None
    conn.close()
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        card_21 = next(c for c in app.cards if c.key == ("pytorch-part3", 21))
        await study(pilot, card_21)
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query("#typed-input")))
        screen.query_one("#typed-input").insert("box_iou 算重叠，NMS 去重，RetinaNet")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.revealed)
        terms = screen.query_one("#terms")
        assert terms.against == "your notes" and all(found for _, found in terms.marks)
        assert plain(terms).startswith("Key terms (your notes): 3 of 3 found")
        assert screen.query_one("#yours-text").display and screen.query_one("#notes").display


def test_a_repeat_whose_original_is_missing_is_reported(tmp_path, monkeypatch):
    from tui import library

    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "pytorch-part4.md").write_text((SERIES / "pytorch-part4.md").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    monkeypatch.setattr(paths, "BUILTIN_DIR", folder)
    decks, errors = library.load_decks(tmp_path / "data")
    repeats = library.resolve_repeats(decks)
    assert errors == [] and [str(problem) for problem in repeats.problems] == [
        f"{folder / 'pytorch-part4.md'}:18: question 35: same-as 17, but no built-in deck has question 17"
    ]
    repeat = next(card for card in decks[0].cards if card.number == 35)
    assert repeats.study_card(repeat) is repeat and build_queue(decks[0].cards, {}, NOW, StudyOptions()) == [
        decks[0].cards[0]
    ]
