"""The quiz's start-up (issue 14): the home screen's first frame is the whole screen, nothing it does not draw is
loaded before it, the plain command line is read without argparse exactly as argparse reads it, and the one-line
widgets (TitleBar, KeyFooter, RowTable) that draw what Textual's Header, Footer and DataTable drew.

The time itself is measured by bench/quiz_startup.py, not here.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quiz_support import SIZE, frozen_builtin_decks, make_app, sync, wait_for  # noqa: F401 - a fixture
from rich.cells import cell_len
from rich.text import Text
from textual.app import App
from textual.binding import Binding

from tui import cli
from tui.widgets.key_footer import KeyFooter
from tui.widgets.row_table import RowTable, _fit
from tui.widgets.title_bar import TitleBar

REPO = Path(__file__).resolve().parents[1]


def plain(drawn) -> str:
    """The text of a rendered line: a Rich Text, Textual Content, or a Strip of segments."""
    if hasattr(drawn, "plain"):
        return drawn.plain
    return "".join(segment.text for segment in drawn)


def run_quiz_in_a_terminal(data_dir: Path, stage: str, timeout: float = 60.0) -> str:
    """What `python -m tui` writes to a 100x30 terminal when it exits right after `stage`'s first frame."""
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(REPO), "TORCHPREP_BENCH_EXIT": stage}
    for sized in ("COLUMNS", "LINES"):  # set by pytest-xdist's workers; they would override the terminal's size
        env.pop(sized, None)
    process = subprocess.Popen([sys.executable, "-m", "tui", "--data-dir", str(data_dir)], stdin=slave,
                               stdout=slave, stderr=slave, env=env, cwd=REPO, close_fds=True)
    os.close(slave)
    output, deadline = b"", time.monotonic() + timeout
    try:
        while True:  # until the terminal closes (EIO once the quiz has exited and its output is all read)
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the quiz did not exit within {timeout:g} s")
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(master)
        process.wait()
    assert process.returncode == 0, output.decode(errors="replace")[-2000:]
    return output.decode("utf-8", errors="replace")


# --- the first frame --------------------------------------------------------------------------------------------


ANSI = re.compile(r"\x1b\[[0-9;?<>=$]*[A-Za-z]")


def first_frames(monkeypatch) -> list[tuple[str, str]]:
    """(screen class, text) of every update the app sends to the terminal from now on: what App._display would
    write (headless, it writes nothing), escape codes dropped."""
    from textual._compositor import CompositorUpdate

    frames: list[tuple[str, str]] = []
    original = App._display

    def recording(app, screen, renderable) -> None:
        if isinstance(renderable, CompositorUpdate) and not app._batch_count:
            frames.append((type(screen).__name__, ANSI.sub("", renderable.render_segments(app.console))))
        original(app, screen, renderable)

    monkeypatch.setattr(App, "_display", recording)
    return frames


HOME_PARTS = ("torchprep quiz", "PyTorch interview prep", "due ·", "Question", "Retention", "Exercise", "Study",
              "Cram topic", "Browse", "Quit")


@sync
async def test_the_home_screens_first_frame_is_the_whole_screen(data_dir, monkeypatch):
    frames = first_frames(monkeypatch)
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(frames))
        screen, text = frames[0]
        assert screen == "HomeScreen"  # no frame of an empty default screen before it
        for part in (*HOME_PARTS, app.decks[0].cards[0].question[:8]):
            assert part in text, part


@sync
async def test_the_first_frame_of_a_session_opened_at_once_is_its_first_card(data_dir, monkeypatch):
    frames = first_frames(monkeypatch)
    app = make_app(data_dir)
    app.bench_exit = "first card only"  # any value: start_review at once, as `TORCHPREP_BENCH_EXIT=card` does
    monkeypatch.setattr(type(app), "opens_session_at_start", lambda self: True)
    monkeypatch.setattr(type(app), "_open_session_at_start", lambda self: self.start_review())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(frames))
        screen, text = frames[0]
        assert screen == "ReviewScreen"  # the home screen under it was never drawn
        for part in ("torchprep quiz", "show the answer", "Show", "Undo", "Home", "21. "):
            assert part in text, part


def test_the_benchmarks_exit_hooks_end_the_quiz_on_a_whole_screen(tmp_path):
    """bench/quiz_startup.py's way of timing: TORCHPREP_BENCH_EXIT=home|card ends the real `python -m tui` after
    that screen is drawn, and what reached the terminal holds all of it."""
    run_quiz_in_a_terminal(tmp_path, "home")  # builds the deck cache and the store
    home = run_quiz_in_a_terminal(tmp_path, "home")
    for part in (*HOME_PARTS, "PyTorch知识点总结之一"):
        assert part in home, part
    card = run_quiz_in_a_terminal(tmp_path, "card")
    for part in ("torchprep quiz", "show the answer", "Show", "Undo", "Home"):
        assert part in card, part


def test_the_home_screen_loads_only_what_it_draws(tmp_path):
    """Up to the home screen: no argparse (plain `quiz`), no Markdown or term helpers, no grader runner, no notes,
    no study calendar, no CJK line breaking (the home screen wraps no text), no review screen."""
    code = """
import asyncio, sys
from pathlib import Path
from tui import cli

args = cli._plain_quiz_args(["--data-dir", sys.argv[1]])
from tui.app import create_app

async def main():
    app = create_app(Path(args.data_dir))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        prefixes = ("argparse", "markdown_it", "tui.render", "tui.grading", "tui.notes", "tui.study_calendar",
                    "tui.widgets.cjk_wrap", "tui.screens.review", "tui.session", "tui.formats", "torch", "grader")
        print(sorted(m for m in sys.modules if m.startswith(prefixes)))

asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, capture_output=True, cwd=REPO)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_cjk_line_breaking_is_in_place_before_any_other_screen_is_shown(tmp_path):
    code = """
import asyncio, sys
from pathlib import Path
import rich._wrap
from tui.app import create_app
from tui.widgets.cjk_wrap import RICH_WORDS

async def main():
    app = create_app(Path(sys.argv[1]))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        before = rich._wrap.re_word is RICH_WORDS
        app.start_review()
        await pilot.pause()
        print(before, type(app.screen).__name__, rich._wrap.re_word is RICH_WORDS)

asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "ReviewScreen", "True"]


# --- a session opened at once: the home table waits until it is shown -------------------------------------------


@sync
async def test_the_home_table_is_built_when_a_mock_opened_at_start_ends(data_dir):
    from tui.screens.mock import MockScreen

    app = make_app(data_dir)
    app.mock_at_start = (10, 0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen))
        assert app.screen_stack[0].query_one(RowTable).row_count == 0  # not built under the mock
        await pilot.press("escape")  # the report
        await wait_for(pilot, lambda: app.screen.phase == "report")
        await pilot.press("escape")  # home
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        await wait_for(pilot, lambda: app.screen.query_one(RowTable).row_count > 0)
        assert "Retention" in plain(app.screen.query_one(RowTable).render_line(0))


@sync
async def test_the_home_table_is_built_when_a_mock_at_start_has_nothing_to_do(data_dir, monkeypatch):
    from tui.screens import mock as mock_screen

    monkeypatch.setattr(mock_screen, "build_plan", lambda app, minutes, drills: SimpleNamespace(items=()))
    app = make_app(data_dir)
    app.mock_at_start = (10, 0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one(RowTable).row_count > 0)
        assert type(app.screen).__name__ == "HomeScreen"


# --- the plain command line --------------------------------------------------------------------------------------


def full_parse(argv: list[str]) -> dict | None:
    """What build_parser() reads from argv (None when it refuses it or it names a command)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args = cli.build_parser().parse_args(argv)
    except SystemExit:  # refused (argparse printed why), or --help
        return None
    if args.run is not cli._run_app:
        return None
    return {key: value for key, value in vars(args).items() if key != "run"}


TOKENS = ["--data-dir", "--until", "--retention", "--new-per-day", "--data", "--r", "-h", "--help", "--", "check",
          "mock", "decks", "x", "", "-", "-5", "5", "0", "0.9", "1.5", "2026-12-24", "2026-13-01", "--data-dir=d",
          "--until=2026-01-31", "--retention=0.8", "--new-per-day=3", "--retention=", "--data-dir="]


@settings(derandomize=True, deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), max_size=6))
def test_the_plain_command_line_is_read_as_argparse_reads_it(argv):
    quick = cli._plain_quiz_args(argv)
    expected = full_parse(argv)
    if quick is not None:
        assert expected is not None, argv
        assert {key: value for key, value in vars(quick).items() if key != "run"} == expected, argv
        assert quick.run is cli._run_app


@pytest.mark.parametrize("argv", [[], ["--data-dir", "d"], ["--until", "2026-12-24", "--new-per-day", "5"],
                                  ["--retention=0.85", "--data-dir=d"], ["--retention", "0.9", "--retention", "0.8"]])
def test_usual_command_lines_take_the_quick_path(argv):
    assert cli._plain_quiz_args(argv) is not None


@pytest.mark.parametrize("argv", [["check", "a.md"], ["--help"], ["--data", "d"], ["--retention", "2"],
                                  ["--until"], ["--data-dir", "-x"], ["mock", "--minutes", "30"]])
def test_anything_else_is_left_to_argparse(argv):
    assert cli._plain_quiz_args(argv) is None


def test_a_plain_start_does_not_import_argparse():
    code = ("import sys\nfrom tui import cli\ncli._plain_quiz_args(['--data-dir', 'd'])\n"
            "print('argparse' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.strip() == "False", done.stderr


# --- the one-line widgets ----------------------------------------------------------------------------------------


class FooterApp(App):
    BINDINGS = [Binding("a", "alpha", "Alpha"), Binding("b", "beta", "Beta"), Binding("c", "hidden", "Hidden",
                                                                                      show=False)]
    beta_enabled = False

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []

    def compose(self):
        yield TitleBar()
        yield KeyFooter()

    def check_action(self, action, parameters):
        if action == "beta":
            return True if self.beta_enabled else None  # None: shown greyed out
        return True

    def action_alpha(self) -> None:
        self.ran.append("alpha")

    def action_beta(self) -> None:
        self.ran.append("beta")

    def bell(self) -> None:
        self.ran.append("bell")


def footer_line(app) -> str:
    return plain(app.screen.query_one(KeyFooter).render())


@sync
async def test_the_footer_shows_the_shown_keys_and_a_click_presses_one():
    app = FooterApp()
    async with app.run_test(size=(60, 5)) as pilot:
        footer = app.screen.query_one(KeyFooter)
        assert footer_line(app).startswith("a Alpha b Beta")
        assert "Hidden" not in footer_line(app)
        assert [(key.key, key.enabled) for key in footer.shown_keys()][:2] == [("a", True), ("b", False)]
        await pilot.click(footer, offset=(footer.key_offset("a") + 2, 0))  # on the description
        await pilot.click(footer, offset=(footer.key_offset("b"), 0))  # greyed out: a bell, no action
        assert app.ran == ["alpha", "bell"]
        app.beta_enabled = True
        app.refresh_bindings()
        await pilot.pause()
        assert footer.shown_keys()[1].enabled
        await pilot.click(footer, offset=(footer.key_offset("b"), 0))
        assert app.ran == ["alpha", "bell", "beta"]
        with pytest.raises(ValueError):
            footer.key_offset("c")


@sync
async def test_a_greyed_key_is_drawn_dim():
    app = FooterApp()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(KeyFooter).render()
        beta = plain(line).index("b Beta")
        styles = [span.style for span in line.spans if span.start <= beta < span.end]
        assert any(getattr(style, "dim", False) for style in styles)
        alpha = plain(line).index("a Alpha")
        assert not any(getattr(span.style, "dim", False) for span in line.spans if span.start <= alpha < span.end)


@pytest.mark.parametrize("width", [100, 60, 30])
@sync
async def test_the_title_bar_centres_the_title_between_the_icon_and_the_clocks_space(width):
    app = FooterApp()
    app.title, app.sub_title = "torchprep quiz", "PyTorch interview prep"
    async with app.run_test(size=(width, 5)) as pilot:
        bar = app.screen.query_one(TitleBar)
        line = plain(bar.render())
        assert cell_len(line) == width and line.startswith(" ⭘")
        middle = line[8:width - 10]
        title = "torchprep quiz — PyTorch interview prep"
        if len(title) <= width - 18:
            assert middle.strip() == title
            left = len(middle) - len(middle.lstrip())
            right = len(middle) - len(middle.rstrip())
            assert left == (width - 18 - len(title)) // 2 and abs(left - right) <= 1
        else:
            assert middle.endswith("…") and title.startswith(middle[:-1])
        app.screen.sub_title = "Card 17"  # what the review screen does
        await pilot.pause()
        assert ("torchprep quiz — Card 17" if width >= 60 else "torchprep q…") in plain(bar.render())


WORDS = st.text(alphabet=st.sampled_from([*"abc xyz", *"交叉熵损失", "（", "）", "…", "1", "%"]), max_size=20)


@settings(derandomize=True, deadline=None, max_examples=300)
@given(WORDS, st.integers(min_value=1, max_value=16), st.sampled_from(["left", "right", "center", "default", None]))
def test_a_cell_is_cut_and_aligned_as_rich_does_it(text, width, justify):
    rich = Text(text)
    rich.truncate(width, overflow="ellipsis", pad=False)
    rich.align(justify if justify in ("left", "right", "center") else "left", width)
    assert _fit(text, width, justify) == rich.plain
    assert cell_len(_fit(text, width, justify)) == width


class TableApp(App):
    def compose(self):
        yield RowTable()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.add_column("#", width=3, key="n")
        table.add_column("Due", width=4, key="due")
        table.add_rows([("one", (Text("1"), Text("3", style="bold red", justify="right"))),
                        ("two", (Text("2"), Text("0", justify="right")))])
        table.add_row("3", "7", key="three")


@sync
async def test_the_table_draws_each_cells_own_style():
    app = TableApp()
    async with app.run_test(size=(30, 6)) as pilot:
        await pilot.pause()
        table = app.query_one(RowTable)
        assert table.row_count == 3 and table.get_row("three")[1].plain == "7"
        first = table.render_line(1)
        due = next(segment for segment in first if "3" in segment.text)
        assert due.style.bold and due.style.color.name == "red"
        assert plain(first).startswith(" 1" + " " * 7 + "3 ")  # "#" is 3 wide, "Due" 4 and right-aligned
        second = table.render_line(2)
        zero = next(segment for segment in second if "0" in segment.text)
        assert not zero.style.bold
        with pytest.raises(ValueError):
            table.add_rows([("one", ("9", "9"))])
