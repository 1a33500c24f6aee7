"""Helpers for the drill and mock-interview tests: a fake `grade drill` (per the interface of issue 13), a clock the
test moves by hand, the drill items the tests use, and reading the drill log."""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tui import drills, store, store_drills
from tui.drills import DrillItem

# The tests' drills: fixed, so that a change of a topic's manifest cannot move them.
ITEMS = (
    DrillItem("26.1", "softmax and log_softmax", 5.0, ("subtract the max", "divide by the sum")),
    DrillItem("26.2", "cross_entropy", 10.0, ("start from log_softmax", "gather the target", "weights")),
    DrillItem("27.1", "rnn_cell", 20.0, ()),
)
PASS_MARKER = "# DRILL-OK"

# `fake_drill_grade.py --root DIR [--log FILE] [--mode M] drill N --task N.k (--prepare | --check FILE) --json OUT`
# --prepare makes DIR/drills/<task>_<k>.py and describes it; --check passes (exit 0) when the file holds PASS_MARKER,
# else fails (exit 1); mode "prepare-fails": exit 2 with a message naming the valid ids, no report; mode
# "check-crashes": --check prints a traceback-like message and exits 1 without a report. Every call is logged.
FAKE_DRILL_GRADER = textwrap.dedent(f'''
    import argparse, json, os, sys
    from pathlib import Path

    TASKS = {{"26.1": ("softmax and log_softmax", 5), "26.2": ("cross_entropy", 10), "27.1": ("rnn_cell", 20)}}
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--log")
    parser.add_argument("--mode", default="ok")
    parser.add_argument("command")
    parser.add_argument("topic", type=int)
    parser.add_argument("--task", required=True)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--check")
    parser.add_argument("--json", dest="report", required=True)
    args = parser.parse_args()
    if args.log:
        with open(args.log, "a", encoding="utf-8") as log:
            log.write(json.dumps({{"argv": sys.argv[1:], "data_dir": os.environ.get("TORCHPREP_DATA_DIR")}}) + "\\n")
    if args.command != "drill" or args.task not in TASKS or not args.task.startswith(f"{{args.topic}}."):
        print(f"grade: unknown task {{args.task}}; valid ids: {{', '.join(TASKS)}}", file=sys.stderr)
        sys.exit(2)
    title, par = TASKS[args.task]
    if args.prepare:
        if args.mode == "prepare-fails":
            print(f"grade: no stub for task {{args.task}}: the topic folder is missing", file=sys.stderr)
            sys.exit(2)
        folder = Path(args.root) / "drills"
        folder.mkdir(parents=True, exist_ok=True)
        number = len(list(folder.glob("*.py"))) + 1
        path = folder / f"{{args.task.replace('.', '_')}}_{{number}}.py"
        path.write_text("def stub():\\n    raise NotImplementedError\\n", encoding="utf-8")
        with open(args.report, "w", encoding="utf-8") as out:
            json.dump({{"task": args.task, "exercise": args.topic, "title": title, "file": str(path.resolve()),
                       "par_minutes": float(par), "text": f"Write {{title}} from memory."}}, out)
        sys.exit(0)
    if args.mode == "check-crashes":
        print("Traceback (most recent call last):\\nRuntimeError: the fake grader broke")
        sys.exit(1)
    text = Path(args.check).read_text(encoding="utf-8")
    passed = {PASS_MARKER!r} in text
    report = {{"exercise": args.topic, "title": "fake", "learner_file": args.check, "device": "cpu",
              "tasks": [{{"id": args.task, "title": title, "status": "pass" if passed else "fail",
                         "message": "" if passed else "values differ from torch: max abs diff 0.31",
                         "seconds": 0.01}}],
              "passed": int(passed), "total": 1, "message": ""}}
    with open(args.report, "w", encoding="utf-8") as out:
        json.dump(report, out)
    sys.exit(0 if passed else 1)
''')


class FakeClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


def fake_grade_command(tmp_path: Path, mode: str = "ok") -> tuple[list[str], Path, Path]:
    """The fake `grade` as a command line, the root its drill files go under, and its call log."""
    script = tmp_path / "fake_drill_grade.py"
    script.write_text(FAKE_DRILL_GRADER, encoding="utf-8")
    root, log = tmp_path / "workspace", tmp_path / "grade-calls.jsonl"
    return [sys.executable, str(script), "--root", str(root), "--log", str(log), "--mode", mode], root, log


def enrol(data_dir: Path, *task_ids: str, at: datetime) -> None:
    """Make these tasks drills, as if each had first passed at `at`."""
    conn = store.open_store(data_dir)
    try:
        for task_id in task_ids:
            store_drills.enrol_drill(conn, task_id, at)
    finally:
        conn.close()


def saved_drill_reviews(data_dir: Path, include_undone: bool = False) -> list[store_drills.DrillReviewRow]:
    """The drill log in the store."""
    conn = store.open_store(data_dir)
    try:
        return store_drills.drill_reviews(conn, include_undone=include_undone)
    finally:
        conn.close()


@pytest.fixture
def items(monkeypatch):
    """The drills the quiz knows in these tests: ITEMS (by task id) rather than the topics' manifests."""
    monkeypatch.setattr(drills, "drill_items", lambda folder=None: ITEMS)
    return {item.task_id: item for item in ITEMS}
