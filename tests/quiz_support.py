"""Helpers shared by the quiz's Pilot and snapshot tests: a frozen clock, the fake grader, waiting, reading widgets.

The app tests run over frozen copies of the built-in decks (tests/fixtures/questions: part 3 as it was before the
rewrite; tests/fixtures/series: small decks in the new card format, with a repeat), not over questions/, whose
content other people are rewriting: a content change must not move a snapshot. `frozen_builtin_decks` (autouse
where imported) points tui.paths.BUILTIN_DIR at them; the content itself is tested in tests/test_deck_content.py.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from rich.text import Text

from tui import library, store, paths
from tui.app import QuizApp, create_app
from tui.drills import DrillItem
from tui.scheduling import StudyOptions

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAKE_GRADER = FIXTURES / "fake_grade.py"
FROZEN_QUESTIONS = FIXTURES / "questions"  # part 3 as it was before the rewrite (old card format, no repeats)
SERIES = FIXTURES / "series"  # parts 2, 3 and 4 in the new card format; 35 in part 4 repeats 17 in part 2
SEED = REPO.parent / "shared/seeds/pytorch-part3.md"
SIZE = (100, 30)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
BUILTIN_DECK = "pytorch-part3"


# The drills the app tests see (the tasks' ids, titles and pars), not the topics' manifests, which others edit.
FROZEN_DRILLS = (
    DrillItem("21.1", "box_iou", 10.0), DrillItem("21.2", "nms and batched_nms", 15.0),
    DrillItem("26.1", "softmax and log_softmax", 5.0), DrillItem("26.2", "cross_entropy", 10.0),
    DrillItem("26.3", "binary_cross_entropy_with_logits", 10.0), DrillItem("26.4", "focal_loss", 10.0),
)


@pytest.fixture(autouse=True)
def frozen_builtin_decks(monkeypatch):
    """The built-in decks the app tests see: FROZEN_QUESTIONS (a test may switch to SERIES with use_series); and
    the drills they see: FROZEN_DRILLS."""
    from tui import drills

    monkeypatch.setattr(drills, "drill_items", lambda folder=None: FROZEN_DRILLS)
    monkeypatch.setattr(paths, "BUILTIN_DIR", FROZEN_QUESTIONS)


def use_series(monkeypatch) -> None:
    """Switch the built-in decks to the new-format series fixture (tests/fixtures/series)."""
    monkeypatch.setattr(paths, "BUILTIN_DIR", SERIES)


def sync(test):
    """Run an async test function with asyncio.run (no pytest async plugin is installed)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def frozen_clock() -> datetime:
    """The tests' 'now'."""
    return NOW


def make_app(data_dir: Path, options: StudyOptions | None = None, grade_args: tuple[str, ...] = ()) -> QuizApp:
    """The quiz on the built-in deck in `data_dir`, clock frozen at NOW, grading with the fake grader."""
    return create_app(data_dir, options=options, clock=frozen_clock,
                      grade_command=[sys.executable, str(FAKE_GRADER), *grade_args])


# Used when the user's seed document is not beside the checkout: the same shape (26 answered, 27-30 listed only).
SEED_LIKE = """# PyTorch知识点总结之三

26. PyTorch中的交叉熵损失函数是什么？如何理解交叉熵？

27. 如何在PyTorch中实现循环神经网络（RNN）？

28. 如何在PyTorch中实现卷积神经网络（CNN）？

29. PyTorch中的优化器有哪些？它们有什么区别和优缺点？

30. 如何在PyTorch中实现自编码器（Autoencoder）？

## 26. PyTorch中的交叉熵损失函数是什么？如何理解交叉熵？
PyTorch中的交叉熵损失函数是nn.CrossEntropyLoss()。
"""


def add_seed_deck(data_dir: Path) -> str:
    """Put the user's seed document (27-30 unanswered) among the user's decks as 'seed-part3'; returns the name."""
    decks = data_dir / "decks"
    decks.mkdir(parents=True, exist_ok=True)
    if SEED.exists():
        shutil.copyfile(SEED, decks / "seed-part3.md")
    else:
        (decks / "seed-part3.md").write_text(SEED_LIKE, encoding="utf-8")
    return "seed-part3"


def review_state(stability: float, last_review: datetime, due: datetime, card_id: int) -> fsrs.Card:
    """An FSRS card in the Review state with these numbers."""
    return fsrs.Card(card_id=card_id, state=fsrs.State.Review, step=None, stability=stability, difficulty=5.0,
                     due=due, last_review=last_review)


def put_state(data_dir: Path, number: int, state: fsrs.Card, rating: int = 3, deck: str = BUILTIN_DECK) -> None:
    """Record a review that leaves card `number` in `state` (as if it had been studied)."""
    conn = store.open_store(data_dir)
    try:
        log = fsrs.ReviewLog(card_id=state.card_id, rating=fsrs.Rating(rating),
                             review_datetime=state.last_review or NOW, review_duration=None)
        store.record_review(conn, (deck, number), None, state, log)
    finally:
        conn.close()


def learned(number: int, days_until_due: float = 10.0) -> fsrs.Card:
    """A card reviewed yesterday and due in `days_until_due` days."""
    return review_state(20.0, NOW - timedelta(days=1), NOW + timedelta(days=days_until_due), 1000 + number)


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (answers render in a worker thread); fail after `timeout` s."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.02)
        waited += 0.02


def plain(widget) -> str:
    """The text a Static-like widget shows."""
    content = widget.content if hasattr(widget, "content") else widget.renderable
    if isinstance(content, Text):
        return content.plain
    return getattr(content, "plain", str(content))


def screen_text(app: QuizApp) -> str:
    """Everything on the terminal now, as text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
