"""`grade drill`, with the real grader on topic 26: par times in every manifest (and the error without one), the
drill file (the stub's definitions of the task only, never overwritten), --prepare and --check as the quiz uses them
(--check records nothing), --due with a fake clock, interactive sessions through a subprocess with stdin (give up,
a hint, a pass within half of par, a typed override) recorded in the quiz's store, --no-watch and --undo."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.cli import main
from grader.cli import workspace as ws
from grader.engine import catalog as catalogs
from grader.engine import manifest
from grader.engine.manifest import REPO_DIR, ManifestError

CATALOG = catalogs.builtin()
TOPIC = CATALOG.topic(26)
TASK = TOPIC.task("26.2")
SOLUTION = TOPIC.solution_path.read_text(encoding="utf-8")
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)


def reference_body(name: str) -> str:
    node = next(n for n in ast.parse(SOLUTION).body if getattr(n, "name", None) == name)
    return "import torch\n\n\n" + "\n".join(SOLUTION.splitlines()[node.lineno - 1:node.end_lineno]) + "\n"


@pytest.fixture
def grade(tmp_path, capsys, monkeypatch):
    """Run `grade ...` in this process on a temporary workspace and data dir; (exit status, stdout, stderr)."""
    workspace, data = tmp_path / "ws", tmp_path / "data"
    monkeypatch.setenv("GRADE_NO_SERVER", "1")
    monkeypatch.setenv("TORCHPREP_FAKE_NOW", T0.isoformat())

    def run(*argv: str):
        code = main([*argv, "--workspace", str(workspace), "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, out, err

    run.workspace, run.data = workspace, data
    return run


def store(data: Path):
    from tui.store import open_store

    return open_store(data)


# --- par times ------------------------------------------------------------------------------------------------


def test_every_task_has_a_positive_par_time():
    tasks = [t for topic in manifest.topics() for t in topic.tasks]
    assert len(tasks) > 70 and all(t.par_minutes > 0 for t in tasks)
    assert {t.id: t.par_minutes for t in tasks if t.id in ("26.1", "26.2", "27.3")} == {"26.1": 5, "26.2": 10,
                                                                                       "27.3": 20}
    from tui.drills import drill_items  # the quiz reads the same par times from the same files

    assert {i.task_id: i.par_minutes for i in drill_items()} == {t.id: t.par_minutes for t in tasks}


@pytest.mark.parametrize("line,why", [("", "has no par_minutes"), ("par_minutes = 0", "positive"),
                                      ("par_minutes = -5", "positive"), ('par_minutes = "ten"', "positive"),
                                      ("par_minutes = true", "positive")])
def test_a_missing_or_non_positive_par_time_is_a_manifest_error(tmp_path, line, why):
    folder = tmp_path / "98_demo"
    text = f'title = "Demo"\n\n[[task]]\nid = "98.1"\ntitle = "f"\nnames = ["f"]\npar_minutes = 5\n\n' \
           f'[[task]]\nid = "98.2"\ntitle = "g"\nnames = ["g"]\n{line}\n'
    with pytest.raises(ManifestError) as error:
        manifest.parse_topic(text, folder)
    message = str(error.value)
    assert str(folder / "topic.toml") in message and "task 98.2" in message and why in message


# --- the drill file -------------------------------------------------------------------------------------------


def test_a_drill_file_holds_the_stub_of_the_task_only_and_is_never_overwritten(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / TOPIC.filename).write_text(SOLUTION + "\n# MY EARLIER SOLUTION\n", encoding="utf-8")
    when = datetime(2026, 12, 3, 12, 0, 5)
    first = ws.new_drill_file(workspace, TOPIC, "26.2", CATALOG, when)
    second = ws.new_drill_file(workspace, TOPIC, "26.2", CATALOG, when)
    assert first.name == "26.2-20261203-120005.py" and second.name == "26.2-20261203-120005-1.py"
    assert first.parent == workspace / "drills"
    text = first.read_text(encoding="utf-8")
    assert text == second.read_text(encoding="utf-8")
    assert text.startswith("# Drill 26.2: cross_entropy (par 10 min)\n") and "# 26.2 cross_entropy: write" in text
    tree = ast.parse(text)
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert defined == ["cross_entropy"] and imports == ["from __future__ import annotations", "import torch"]
    assert 'raise NotImplementedError("cross_entropy")' in text
    assert "MY EARLIER SOLUTION" not in text and "logp = log_softmax(input, dim=1)" not in text  # nor the reference
    first.write_text("mine", encoding="utf-8")
    third = ws.new_drill_file(workspace, TOPIC, "26.2", CATALOG, when)
    assert third.name.endswith("-2.py") and first.read_text() == "mine"


# --- --prepare and --check (the quiz's side) ------------------------------------------------------------------


def test_prepare_writes_a_fresh_drill_file_and_describes_it(grade, tmp_path):
    out = tmp_path / "prepared.json"
    code, _, err = grade("drill", "26", "--task", "26.2", "--prepare", "--json", str(out))
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert set(doc) == {"task", "exercise", "title", "file", "par_minutes", "text"}
    assert (doc["task"], doc["exercise"], doc["title"], doc["par_minutes"]) == ("26.2", 26, "cross_entropy", 10.0)
    path = Path(doc["file"])
    assert path.is_absolute() and path.parent == (grade.workspace / "drills").resolve() and path.is_file()
    assert doc["text"].startswith("26.2 cross_entropy: write cross_entropy") and "ignore_index" in doc["text"]

    for argv, named in ((("26", "--task", "27.2"), "26.1, 26.2, 26.3"), (("77", "--task", "77.1"), "26, 27")):
        missing = tmp_path / "missing.json"
        code, _, err = grade("drill", *argv, "--prepare", "--json", str(missing))
        assert code == 2 and named in err and not missing.exists()


def test_check_grades_the_drill_file_once_and_records_nothing(grade, tmp_path):
    from tui.grading import read_verdict

    drills = grade.workspace / "drills"
    drills.mkdir(parents=True)
    (drills / "26.2-a.py").write_text(reference_body("cross_entropy"), encoding="utf-8")
    out = tmp_path / "v.json"
    code, stdout, err = grade("drill", "26", "--task", "26.2", "--check", str(drills / "26.2-a.py"), "--json", str(out))
    assert code == 0, stdout + err
    verdict = read_verdict(26, out.read_text())
    assert [(t.id, t.status) for t in verdict.tasks] == [("26.2", "pass")]
    assert json.loads(out.read_text())["learner_file"] == str(drills / "26.2-a.py")

    fresh = ws.new_drill_file(grade.workspace, TOPIC, "26.2", CATALOG)
    code, stdout, _ = grade("drill", "26", "--task", "26.2", "--check", str(fresh), "--json", str(out))
    task = json.loads(out.read_text())["tasks"][0]
    assert code == 1 and task["status"] == "fail" and "not implemented" in task["message"]
    assert fresh.name in task["message"]  # the traceback names the drill file and its line
    # nothing recorded: no store at all, no workspace state
    assert not (grade.data / "progress.sqlite3").exists() and not (grade.workspace / ".grade").exists()


# --- --due ----------------------------------------------------------------------------------------------------


def test_due_lists_the_due_drills_and_exits_0_when_none_is_due(grade, monkeypatch):
    from tui import store_drills
    from tui.drills import DrillItem, DrillOutcome, record_drill
    from tui.scheduling import StudyOptions

    code, out, _ = grade("drill", "--due")
    assert code == 0 and "no drills due" in out and "first time it passes" in out
    conn = store(grade.data)
    store_drills.enrol_drill(conn, "26.2", T0 - timedelta(days=1))
    conn.close()
    code, out, _ = grade("drill", "--due")
    assert code == 0 and re.search(r"26\.2\s+cross_entropy\s+new\s+-\s+10 min", out), out
    code, out, _ = grade("drill", "--due", "--json", "--until", "2027-01-15")
    assert code == 0 and json.loads(out) == [{"task": "26.2", "title": "cross_entropy", "due": None, "recall": 0.0,
                                              "par_minutes": 10.0}]
    code, out, _ = grade("list")
    assert code == 0 and re.search(r"26\.2\s+cross_entropy\s+drill new", out)
    assert "26.1  softmax and log_softmax\n" in out  # not a drill: never passed

    conn = store(grade.data)
    item = DrillItem("26.2", "cross_entropy", 10.0)
    _, card = record_drill(conn, item, 4, DrillOutcome(True, 200.0, attempts=1, verdict="pass"), T0,
                           StudyOptions(), source="grade")
    conn.close()
    code, out, _ = grade("drill", "--due")  # rated just now: nothing due, and it says when
    assert code == 0 and "no drills due" in out and "the next one is due" in out
    assert f"drill next {card.due.astimezone():%Y-%m-%d}" in grade("list")[1]
    later = card.due + timedelta(days=40)
    monkeypatch.setenv("TORCHPREP_FAKE_NOW", later.isoformat())
    code, out, _ = grade("drill", "--due", "--json")
    [row] = json.loads(out)
    assert row["task"] == "26.2" and row["due"] == card.due.isoformat(timespec="seconds") and 0 < row["recall"] < 0.9


# --- sessions -------------------------------------------------------------------------------------------------


class Session:
    """`grade drill ARGV` in a subprocess: its output line by line, its stdin."""

    def __init__(self, tmp_path: Path, *argv: str, now: datetime = T0):
        env = {k: v for k, v in os.environ.items() if k not in ("GRADE_NO_SERVER", "TORCHPREP_FAKE_NOW")}
        env.update(TORCHPREP_DATA_DIR=str(tmp_path / "data"), TORCHPREP_FAKE_NOW=now.isoformat(),
                   GRADE_NO_SERVER="1", PYTHONPATH=str(REPO_DIR), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "drill", *argv, "--workspace",
                                      str(tmp_path / "ws")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO_DIR)
        self.watchdog = threading.Timer(120, self.proc.kill)
        self.watchdog.start()
        self.lines: list[str] = []

    def until(self, text: str) -> str:
        """Read output until a line holding `text`; that line."""
        for line in self.proc.stdout:
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in:\n{''.join(self.lines)}")

    def send(self, text: str) -> None:
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def finish(self) -> tuple[int, str]:
        rest = self.proc.stdout.read()
        code = self.proc.wait(timeout=240)
        self.watchdog.cancel()
        return code, "".join(self.lines) + rest


def reviews(tmp_path: Path, include_undone: bool = False):
    from tui.store_drills import drill_reviews

    conn = store(tmp_path / "data")
    try:
        return drill_reviews(conn, include_undone=include_undone)
    finally:
        conn.close()


def test_a_drill_given_up_after_a_hint_is_again_and_a_typed_rating_overrides_the_proposal(tmp_path):
    session = Session(tmp_path, "26", "--task", "26.2")
    path = Path(session.until("drill file:").split("drill file:", 1)[1].strip())
    session.send("h\n")
    assert "hint 1 of 3: Start from log p" in session.until("hint 1 of 3")
    session.send("q\n")
    assert "Again: given up after 0:00" in session.until("Again")
    session.send("\n")  # accept
    code, out = session.finish()
    assert code == 1 and "recorded Again for 26.2" in out and path.is_file()
    [row] = reviews(tmp_path)
    assert (row.task_id, row.rating, row.proposed_rating, row.hints, row.attempts, row.verdict, row.gave_up,
            row.source, row.drill_file) == ("26.2", 1, 1, 1, 0, "gave-up", True, "grade", str(path))

    session = Session(tmp_path, "26", "--task", "26.2", now=T0 + timedelta(minutes=30))
    session.until("drill file:")
    session.send("q\n")
    session.until("proposed rating: Again")
    session.send("3\n")  # the learner knows better
    code, out = session.finish()
    assert "recorded Good (proposed Again) for 26.2" in out
    assert [(r.rating, r.proposed_rating) for r in reviews(tmp_path)] == [(1, 1), (3, 1)]

    from grader.cli import main as run_grade

    for expected in ("undid Good for 26.2", "undid Again for 26.2"):
        done = subprocess.run([sys.executable, "-m", "grader.cli", "drill", "--undo", "--data-dir",
                               str(tmp_path / "data")], capture_output=True, text=True, cwd=REPO_DIR, timeout=120)
        assert done.returncode == 0 and expected in done.stdout
    assert reviews(tmp_path) == [] and all(r.undone for r in reviews(tmp_path, include_undone=True))
    assert run_grade(["drill", "--undo", "--data-dir", str(tmp_path / "data")]) == 1  # nothing left to undo
    from tui.store_drills import drill_states

    conn = store(tmp_path / "data")
    assert "26.2" not in drill_states(conn)  # new again
    conn.close()


def test_a_drill_passed_within_half_of_par_proposes_easy(tmp_path):
    session = Session(tmp_path, "26", "--task", "26.2")
    path = Path(session.until("drill file:").split("drill file:", 1)[1].strip())
    session.until("save the file")
    path.write_text(reference_body("cross_entropy"), encoding="utf-8")  # the learner saves
    assert "attempt 1 at 0:00: pass" in session.until("attempt 1")
    assert "Easy: passed in 0:00, within half of par 10:00" in session.until("Easy:")
    session.until("proposed rating: Easy (4)")
    session.send("\n")
    code, out = session.finish()
    assert code == 0 and "recorded Easy for 26.2" in out
    [row] = reviews(tmp_path)
    assert (row.rating, row.proposed_rating, row.attempts, row.verdict, row.hints, row.seconds) == (4, 4, 1, "pass",
                                                                                                   0, 0.0)


def test_no_watch_grades_the_latest_drill_file_once_and_rates_it(grade, monkeypatch):
    from tui import store_drills

    code, _, err = grade("drill", "26", "--no-watch")
    assert code == 2 and "no task of exercise 26 has passed yet" in err and "grade exercise 26" in err
    code, _, err = grade("drill", "26", "--task", "26.2", "--no-watch")
    assert code == 2 and "no drill file of 26.2 yet" in err
    path = ws.new_drill_file(grade.workspace, TOPIC, "26.2", CATALOG, datetime(2026, 12, 3, 13, 0))
    path.write_text(reference_body("cross_entropy"), encoding="utf-8")
    born = datetime(2026, 12, 3, 13, 0).astimezone()
    monkeypatch.setenv("TORCHPREP_FAKE_NOW", (born + timedelta(minutes=7)).isoformat())
    code, out, _ = grade("drill", "26", "--task", "26.2", "--no-watch")  # stdin has nothing: the proposal stands
    assert code == 0 and "Good: passed in 7:00, within par 10:00" in out and "recorded Good for 26.2" in out
    conn = store(grade.data)
    [row] = store_drills.drill_reviews(conn)
    conn.close()
    assert (row.rating, row.seconds, row.attempts, row.drill_file) == (3, 420.0, 1, str(path))
