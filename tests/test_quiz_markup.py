"""Text from a deck or from the learner is shown as written: square brackets are not Rich markup."""

from __future__ import annotations

from quiz_support import frozen_builtin_decks, make_app, screen_text, sync, wait_for  # noqa: F401 - fixture
from tui.library import imported_dir

DECK = """# Indexing notes

1. What does x[0] return, and what does [bold]x[:, 1][/bold] mean?

## 1. What does x[0] return, and what does [bold]x[:, 1][/bold] mean?

x[0] is the first row; x[:, 1] is the second column.
"""


@sync
async def test_a_question_with_square_brackets_is_shown_as_written(tmp_path):
    folder = imported_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / "indexing.md").write_text(DECK, encoding="utf-8")
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        card = next(c for c in app.cards if c.deck == "indexing")
        app.start_review(only=[card])
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewScreen" and app.screen.query("#question"))
        await pilot.pause()
        shown = screen_text(app)
        assert "x[0]" in shown and "[bold]x[:, 1][/bold]" in shown
