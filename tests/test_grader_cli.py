"""The `grade` command line, on the toy catalog (tests/fixtures/grader_catalog) in temporary workspaces:
list, exercise with --json/--junit/--plot, hints one at a time, reset with a backup, solution gating, watch, all,
data, exit codes, and one-line messages instead of tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from grader.engine import catalog as catalogs
from grader.cli import main
from grader.engine.manifest import REPO_DIR

TOY_DIR = Path(__file__).parent / "fixtures" / "grader_catalog"
TOY = catalogs.from_dir(TOY_DIR)
TOPIC = TOY.topic(99)


@pytest.fixture
def grade(tmp_path, capsys):
    """Run `grade ...` in-process against the toy catalog; (exit status, stdout, stderr)."""
    workspace, data = tmp_path / "ws", tmp_path / "data"

    def run(*argv: str, catalog: bool = True):
        extra = ["--workspace", str(workspace), "--data-dir", str(data)] + (["--catalog", str(TOY_DIR)] if catalog
                                                                             else [])
        code = main([*argv, *extra])
        out, err = capsys.readouterr()
        return code, out, err

    run.workspace, run.data = workspace, data
    return run


@pytest.mark.slow
def test_a_learners_path_through_an_exercise(grade, tmp_path):
    ws, learner = grade.workspace, grade.workspace / TOPIC.filename
    report = tmp_path / "first.json"

    code, out, _ = grade("exercise", "99", "--task", "99.1", "--json", str(report))
    assert code == 1
    assert "wrote the stub" in out and learner.read_text() == TOY.stub_path(TOPIC).read_text()
    doc = json.loads(report.read_text())
    assert [(t["id"], t["status"]) for t in doc["tasks"]] == [("99.1", "fail")]
    assert "not implemented" in doc["tasks"][0]["message"] and (doc["passed"], doc["total"]) == (0, 1)
    assert "hint 1 of 2: grade hint 99 --task 99.1" in out

    hints = [grade("hint", "99", "--task", "99.2")[1] for _ in range(3)]
    assert "1. Subtract the max first." in hints[0] and "2." not in hints[0]
    assert "2. e = " in hints[1] and "last hint" in hints[1] and "last hint" in hints[2]

    code, _, err = grade("solution", "99")
    assert code == 2 and "--force" in err
    code, out, _ = grade("solution", "99", "--force")
    assert code == 0 and "def scale" in out

    shutil.copyfile(TOY.solution_path(TOPIC), learner)
    report, junit, plot = tmp_path / "v.json", tmp_path / "v.xml", tmp_path / "curves.png"
    code, out, _ = grade("exercise", "99", "--json", str(report), "--junit", str(junit), "--plot", str(plot))
    assert code == 0, out
    doc = json.loads(report.read_text())
    assert doc["exercise"] == 99 and (doc["passed"], doc["total"]) == (3, 3)
    assert {t["status"] for t in doc["tasks"]} == {"pass"} and all(t["seconds"] >= 0 for t in doc["tasks"])
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "0" and len(suite.findall("testcase")) == 3
    assert plot.read_bytes()[:4] == b"\x89PNG"

    from tui.store import exercise_status, open_store

    conn = open_store(grade.data)
    status = exercise_status(conn)[99]
    conn.close()
    assert (status.passed, status.total) == (3, 3)

    code, out, _ = grade("solution", "99")
    assert code == 0 and "class Line" in out
    code, out, _ = grade("list")
    assert code == 0 and "3/3 pass" in out

    learner.write_text("# my attempt\n", encoding="utf-8")
    code, out, _ = grade("reset", "99")
    backups = list(ws.glob("99_toy.py.*.bak"))
    assert code == 0 and len(backups) == 1 and backups[0].read_text() == "# my attempt\n"
    assert learner.read_text() == TOY.stub_path(TOPIC).read_text() and str(backups[0]) in out


def test_list_before_starting(grade):
    code, out, _ = grade("list")
    assert code == 0
    assert "99" in out and "not started" in out and "99.3" in out and "Line (trained)" in out


@pytest.mark.parametrize("argv, text", [
    (("exercise", "12"), "no exercise 12; exercises: 99"),
    (("exercise", "99", "--task", "99.7"), "topic 99 has no task '99.7'"),
    (("hint", "98"), "no exercise 98"),
    (("exercise", "99", "--memory-cap", "lots"), "not a size"),
])
def test_bad_requests_are_one_line(grade, argv, text):
    code, out, err = grade(*argv)
    assert code == 2 and text in err and "Traceback" not in err + out and len(err.strip().splitlines()) == 1


def test_broken_learner_file_names_file_and_line(grade):
    grade.workspace.mkdir()
    (grade.workspace / TOPIC.filename).write_text("import torch\n\ndef scale(x, k)\n    return x\n", encoding="utf-8")
    code, out, err = grade("watch", "99", "--rounds", "1")
    assert code == 1 and "Traceback" not in out + err
    assert "99_toy.py:3:16: SyntaxError: expected ':'" in out
    assert out.count("SyntaxError") == 1  # said once, not once per task


@pytest.mark.slow
def test_all_grades_every_started_exercise(grade, tmp_path):
    grade.workspace.mkdir()
    shutil.copyfile(TOY.solution_path(TOPIC), grade.workspace / TOPIC.filename)
    report = tmp_path / "all.json"
    code, out, _ = grade("all", "--json", str(report))
    assert code == 0, out
    assert json.loads(report.read_text())["passed"] == 3 and "3 of 3 tasks pass" in out


def test_all_with_nothing_started_is_not_a_pass(grade):
    code, out, _ = grade("all")
    assert code == 1 and "exercise 99 not started" in out


def test_data_of_a_topic_without_a_dataset(grade):
    code, out, _ = grade("data", "26", catalog=False)
    assert code == 0 and "no dataset" in out


def test_data_shows_samples(grade):
    code, out, _ = grade("data", "27", "--show", "-n", "2", catalog=False)
    assert code == 0 and out.strip()


def test_module_entry_point(tmp_path):
    run = subprocess.run([sys.executable, "-m", "grader.cli", "exercise", "12", "--workspace", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO_DIR, timeout=120)
    assert run.returncode == 2 and run.stderr.startswith("grade: no exercise 12") and "Traceback" not in run.stderr


# --- the report ---------------------------------------------------------------------------------------------------


def _verdict():
    from grader.engine.verdict import Curve, TaskResult, Verdict

    curve = Curve("99.3", "loss", (1.0, 0.5, 0.25, 0.1), (1.0, 0.4, 0.2, 0.05))
    return Verdict(99, "Toy", (
        TaskResult("99.1", "scale", "pass", "", 0.2),
        TaskResult("99.2", "softmax", "fail", "softmax [red]output[/red]: values differ\x1b[2J\x07", 0.4),
        TaskResult("99.3", "Line (trained)", "timeout", "timed out after 30 s in 99.3", 30.0, True, (curve,)),
    ))


def test_live_report_on_a_terminal():
    import io

    from rich.console import Console

    from grader.cli.report import LiveReport

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    report = LiveReport(console, 99, hint_info=lambda tid: (1, 2))
    verdict = _verdict()
    report.task_started("99.3")
    for step in (10, 20):
        report.progress("99.3", step, 20, 0.5)
    for result in verdict.tasks:
        report.task_finished(result)
    report.summary(verdict)
    text = buffer.getvalue()
    assert "✔ 99.1" in text and "✘ 99.2" in text and "⧗ 99.3" in text
    assert "[red]output[/red]" in text and "\x1b[2J" not in text and "\x07" not in text  # shown as plain text
    assert "hint 2 of 2: grade hint 99 --task 99.2" in text
    assert "reference" in text and "yours" in text  # the terminal plot's legend
    assert "1 of 3 tasks of exercise 99 pass" in text


def test_json_and_junit_for_several_exercises(tmp_path):
    from grader.cli.report import write_json, write_junit

    verdict = _verdict()
    write_json([verdict, verdict], tmp_path / "v.json")
    doc = json.loads((tmp_path / "v.json").read_text())
    assert (doc["passed"], doc["total"]) == (2, 6) and len(doc["exercises"]) == 2
    assert doc["exercises"][0]["tasks"][2]["curves"][0]["yours"] == [1.0, 0.5, 0.25, 0.1]
    write_junit([verdict], tmp_path / "v.xml")
    suite = ET.parse(tmp_path / "v.xml").getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    failure = suite.findall("testcase")[1].find("failure")
    assert failure.get("type") == "fail" and "\x1b" not in failure.text


@pytest.mark.slow
def test_watch_regrades_when_the_file_is_saved(tmp_path):
    """`grade watch` is woken by the save itself (watchfiles), in place or by an editor's rename, and not by a
    change that leaves the content as it was."""
    import os
    import signal
    import time

    ws = tmp_path / "ws"
    ws.mkdir()
    learner = ws / TOPIC.filename
    learner.write_text(TOY.solution_path(TOPIC).read_text(encoding="utf-8").replace("return x * k", "return x + k"))
    env = dict(os.environ, PYTHONUNBUFFERED="1", TORCHPREP_DATA_DIR=str(tmp_path / "data"))
    watcher = subprocess.Popen([sys.executable, "-m", "grader.cli", "watch", "99", "--task", "99.1", "--workspace",
                                str(ws), "--catalog", str(TOY_DIR)], cwd=REPO_DIR, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def next_summary() -> str:
        summary = ""
        for line in watcher.stdout:
            if "tasks of exercise 99 pass" in line:
                summary = line
            elif "watching" in line and summary:  # graded, recorded, and waiting for the next save
                return summary
        raise AssertionError("grade watch ended")

    try:
        assert "0 of 1" in next_summary()
        os.utime(learner)  # touched, not changed: no grading
        time.sleep(1.0)
        fixed = learner.read_text().replace("return x + k", "return x * k")
        temporary = ws / ".99_toy.py.swp"
        temporary.write_text(fixed)
        temporary.replace(learner)  # the way many editors save
        start = time.monotonic()
        assert "all 1 tasks" in next_summary()
        assert time.monotonic() - start < 60
    finally:
        watcher.send_signal(signal.SIGINT)
        out, _ = watcher.communicate(timeout=60)
    assert watcher.returncode == 0 and "Traceback" not in out
