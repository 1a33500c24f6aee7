"""The grader's pytest plugin: the checks run directly under pytest (child-process learner, or --in-process for
authoring), and the GradingSession the runner registers turns test outcomes into per-task statuses."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import torch  # noqa: F401 - imported here so pytester's sys.modules snapshot keeps it (it cannot be imported twice)

from grader.engine import catalog as catalogs
from grader.engine.plugin import InProcessLearner
from grader.engine.session import GradingSession

pytest_plugins = ["pytester"]

TOY_DIR = Path(__file__).parent / "fixtures" / "grader_catalog"
TOY = catalogs.from_dir(TOY_DIR)
TOPIC = TOY.topic(99)
CHECK = TOY.check_path(TOPIC)
SOLUTION = TOY.solution_path(TOPIC)
STUB = TOY.stub_path(TOPIC)


@pytest.fixture(autouse=True)
def _no_plugin_autoload(monkeypatch):
    # The inner sessions load only what the grader loads (and never a second copy of session-wide plugins such as
    # pytest-textual-snapshot, whose temp dir the inner session would delete under the outer one).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # Copies of the toy catalog below have the same package names as the original an earlier grading imported.
    for name in [m for m in sys.modules if m == "topics" or m.startswith("topics.")]:
        monkeypatch.delitem(sys.modules, name)


def _args(learner: Path, *extra: str, check: Path = CHECK, catalog: Path = TOY_DIR) -> list[str]:
    return [str(check), "--catalog", str(catalog), "--learner-file", str(learner), "-p", "no:cacheprovider",
            "--rootdir", str(check.parent.parent), "--confcutdir", str(check.parent.parent), *extra]


class Events:
    """Records the session's events in order."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def task_started(self, task_id):
        self.seen.append(("start", task_id))

    def progress(self, task_id, step, total, loss):
        self.seen.append(("progress", task_id))

    def task_finished(self, result):
        self.seen.append(("done", f"{result.id} {result.status}"))


def _session(**options) -> GradingSession:
    return GradingSession(TOPIC, lambda topic: InProcessLearner(options.pop("learner")), **options)


@pytest.mark.slow
def test_checks_run_directly_with_the_learner_in_a_child_process(pytester):
    result = pytester.runpytest_inprocess(*_args(SOLUTION))
    result.assert_outcomes(passed=4)


def test_in_process_option_for_authoring(pytester):
    result = pytester.runpytest_inprocess(*_args(STUB, "--in-process"))
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(["*NotImplementedError*"])


def test_session_collects_a_status_per_task(pytester, tmp_path):
    learner = tmp_path / "99_toy.py"
    learner.write_text(SOLUTION.read_text().replace("return x * k", "return x + k"), encoding="utf-8")
    events = Events()
    session = GradingSession(TOPIC, lambda topic: InProcessLearner(learner), events=events)
    pytester.inline_run(*_args(learner), plugins=[session])
    scale, softmax, line = (session.result(t) for t in ("99.1", "99.2", "99.3"))
    assert scale.status == "fail" and "returned x + k instead of x * k" in scale.message
    assert "smallest failing input: test_scale(" in scale.message and "learner=" not in scale.message
    assert softmax.status == "pass" and line.status == "pass"
    assert line.curves and line.curves[0].yours and line.curves[0].reference
    assert ("start", "99.1") in events.seen and ("done", "99.1 fail") in events.seen
    assert events.seen.index(("done", "99.2 pass")) < events.seen.index(("start", "99.3"))


def test_a_failed_task_skips_its_remaining_checks(pytester, tmp_path):
    learner = tmp_path / "99_toy.py"
    learner.write_text(SOLUTION.read_text().replace("return x * k", "return x + k"), encoding="utf-8")
    session = GradingSession(TOPIC, lambda topic: InProcessLearner(learner))
    recorder = pytester.inline_run(*_args(learner), plugins=[session])
    skipped = [r.nodeid for r in recorder.getreports("pytest_runtest_logreport") if r.skipped]
    assert any("test_scale_float64" in n for n in skipped)


def test_session_honours_task_filter_and_decided_tasks(pytester):
    decided = {"99.2": ("forbidden", "99.2 used torch.softmax (forbidden: implement it yourself)")}
    session = GradingSession(TOPIC, lambda topic: InProcessLearner(SOLUTION), tasks={"99.1", "99.2"},
                             decided=decided)
    recorder = pytester.inline_run(*_args(SOLUTION), plugins=[session])
    ran = {r.nodeid.split("::")[-1] for r in recorder.getreports("pytest_runtest_logreport") if r.when == "call"}
    assert ran == {"test_scale", "test_scale_float64"}
    assert session.result("99.1").status == "pass"
    assert session.result("99.2") .status == "forbidden"


def test_checks_without_a_task_marker_are_reported(pytester, tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(TOY_DIR, catalog, ignore=shutil.ignore_patterns("__pycache__"))
    check = catalog / "topics" / "99_toy" / "checks.py"
    check.write_text(check.read_text() + "\n\ndef test_without_task():\n    assert True\n", encoding="utf-8")
    topic = catalogs.from_dir(catalog).topic(99)
    session = GradingSession(topic, lambda t: InProcessLearner(SOLUTION))
    pytester.inline_run(*_args(SOLUTION, check=check, catalog=catalog), plugins=[session])
    assert [n.split("::")[-1] for n in session.unassigned] == ["test_without_task"]
    assert session.result("99.1").status == "pass"


def test_task_without_checks_is_an_error(pytester, tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(TOY_DIR, catalog, ignore=shutil.ignore_patterns("__pycache__"))
    check = catalog / "topics" / "99_toy" / "checks.py"
    check.write_text(check.read_text().replace('@pytest.mark.task("99.3")', '@pytest.mark.task("99.2")'),
                     encoding="utf-8")
    topic = catalogs.from_dir(catalog).topic(99)
    session = GradingSession(topic, lambda t: InProcessLearner(SOLUTION))
    pytester.inline_run(*_args(SOLUTION, check=check, catalog=catalog), plugins=[session])
    assert session.result("99.3").status == "error"
    assert "no checks for 99.3" in session.result("99.3").message


def test_checks_that_do_not_load_make_every_task_an_error(pytester, tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(TOY_DIR, catalog, ignore=shutil.ignore_patterns("__pycache__"))
    check = catalog / "topics" / "99_toy" / "checks.py"
    check.write_text("import no_such_helper_module\n" + check.read_text(), encoding="utf-8")
    topic = catalogs.from_dir(catalog).topic(99)
    session = GradingSession(topic, lambda t: InProcessLearner(SOLUTION))
    pytester.inline_run(*_args(SOLUTION, check=check, catalog=catalog), plugins=[session])
    for tid in ("99.1", "99.2", "99.3"):
        result = session.result(tid)
        assert result.status == "error" and "checks for this topic do not load" in result.message
