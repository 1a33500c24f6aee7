"""A drill cannot reach the learner's earlier solution nor the reference of the drilled names, with the real grader
and real learner processes on topic 26: the prelude lacks the drilled names and the private helpers only they use;
a drill file that captures the reference (`_ref = cross_entropy`) does not load; importing, opening or running the
learner's correct earlier file, its backup, another drill file or the workspace state is refused and the verdict is
not a pass, while the same code on a copy outside the workspace passes (so the refusal is what fails it); and the
same holds through the grading service's fork server."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.engine import drill, manifest
from grader.engine.manifest import REPO_DIR
from grader.engine.runner import grade

TOPIC, TASK = manifest.find_task("26.2")
SOLUTION = TOPIC.solution_path.read_text(encoding="utf-8")


def reference_body(name: str, source: str = SOLUTION) -> str:
    """The reference's top-level definition of `name`, as written there."""
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    return "\n".join(source.splitlines()[node.lineno - 1:node.end_lineno]) + "\n"


CROSS_ENTROPY = "import torch\n\n\n" + reference_body("cross_entropy")


# --- the prelude (pure) ---------------------------------------------------------------------------------------


def test_the_prelude_of_26_2_is_the_reference_without_cross_entropy():
    made = drill.prelude(SOLUTION, TASK, TOPIC)
    assert made.removed == ("cross_entropy",)
    defined = {n.name for n in ast.parse(made.before).body if isinstance(n, ast.FunctionDef)}
    assert defined == {"softmax", "log_softmax", "binary_cross_entropy_with_logits"}
    assert "def cross_entropy" not in made.before and made.after == ""
    assert "Reference solution" not in made.before  # nor the reference's docstring
    namespace: dict = {}
    exec(compile(made.before, made.filename, "exec"), namespace)
    assert "cross_entropy" not in namespace and callable(namespace["log_softmax"])


SYNTHETIC = '''"""A made-up reference."""
from __future__ import annotations

import math


def _only_mine(x):
    return _deeper(x) + 1


def _deeper(x):
    return x * 2


def _shared(x):
    return x - 1


PUBLIC_CONSTANT = 3


def drilled(x):
    return _only_mine(x) + _shared(x) + PUBLIC_CONSTANT


def other(x):
    return drilled(x) + _shared(x)


class Base:
    pass


class Child(Base):
    pass


_TABLE = {"base": Base}
'''


def test_the_prelude_drops_the_drilled_names_and_the_private_helpers_only_they_reach():
    task = manifest.Task(id="1.1", title="t", names=("drilled",), hints=(), par_minutes=5)
    made = drill.prelude(SYNTHETIC, task)
    assert set(made.removed) == {"drilled", "_only_mine", "_deeper"}
    tree = ast.parse(made.before)
    kept = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert kept == {"_shared", "other", "Base", "Child"} and "PUBLIC_CONSTANT = 3" in made.before
    assert made.before.startswith("from __future__ import annotations")


def test_a_definition_that_needs_a_drilled_class_while_defined_runs_after_the_drill_file():
    task = manifest.Task(id="1.2", title="t", names=("Base",), hints=(), par_minutes=5)
    made = drill.prelude(SYNTHETIC, task)
    assert "class Child(Base)" in made.after and "_TABLE" in made.after
    assert "class Child" not in made.before and "class Base" not in made.before
    namespace: dict = {}
    exec(compile(made.before, made.filename, "exec"), namespace)
    exec("class Base:\n    mine = True\n", namespace)  # the learner's drill file
    exec(compile(made.after, made.filename, "exec"), namespace)
    assert namespace["Child"].mine and namespace["_TABLE"]["base"] is namespace["Base"]


# --- real gradings --------------------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path):
    """A workspace whose earlier solution of topic 26 is correct (the reference), with a backup, another drill file
    holding a correct cross_entropy, and grader state."""
    ws = tmp_path / "ws"
    (ws / "drills").mkdir(parents=True)
    (ws / TOPIC.filename).write_text(SOLUTION, encoding="utf-8")
    (ws / f"{TOPIC.filename}.20260101-000000.bak").write_text(SOLUTION, encoding="utf-8")
    (ws / "drills" / "26.2-20260101-000000.py").write_text(CROSS_ENTROPY, encoding="utf-8")
    (ws / ".grade").mkdir()
    (ws / ".grade" / "state.json").write_text(json.dumps({"results": {"26": {"tasks": {"26.2": "pass"}}}}))
    return ws


def grade_drill(ws: Path, source: str, task: str = "26.2", name: str = "26.2-20261203-120000.py"):
    path = ws / "drills" / name
    path.write_text(source, encoding="utf-8")
    verdict = grade(26, ws, learner_file=path, drill=task, data_dir=ws.parent / "data")
    assert [t.id for t in verdict.tasks] == [task]  # only the drilled task is graded
    return verdict.tasks[0]


def test_the_reference_body_passes_and_the_fresh_drill_file_is_not_implemented(workspace):
    assert grade_drill(workspace, CROSS_ENTROPY).status == "pass"
    fresh = grade_drill(workspace, drill.drill_file_text(TASK, TOPIC.stub_path.read_text()), name="26.2-b.py")
    assert fresh.status == "fail" and "not implemented" in fresh.message and "26.2-b.py" in fresh.message


def test_a_drill_file_cannot_capture_the_reference_of_the_drilled_name(workspace):
    source = "import torch\n_ref = cross_entropy\n" + CROSS_ENTROPY.replace("import torch\n", "")
    result = grade_drill(workspace, source)
    assert result.status == "error"
    assert "26.2-20261203-120000.py:2: NameError: name 'cross_entropy' is not defined" in result.message


def test_another_tasks_reference_calls_the_drilled_function(workspace):
    source = ("import torch\n\ncalls = []\n\n\n" + reference_body("softmax") + "\n\n" +
              reference_body("log_softmax").replace('    """', '    calls.append(1)\n    """', 1) +
              "\n\ncross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]))  # the reference's, from the prelude\n"
              "assert calls, 'the reference cross_entropy did not call the drill file log_softmax'\n")
    assert grade_drill(workspace, source, task="26.1", name="26.1-20261203-120000.py").status == "pass"


_FALLBACK = "\nexcept PermissionError:\n    def cross_entropy(*args, **kwargs):\n        raise NotImplementedError\n"
REACHES = {
    "importlib": "import importlib.util\ntry:\n    spec = importlib.util.spec_from_file_location('earlier', {path!r})\n"
                 "    module = importlib.util.module_from_spec(spec)\n    spec.loader.exec_module(module)\n"
                 "    cross_entropy = module.cross_entropy" + _FALLBACK,
    "open": "try:\n    namespace = {{}}\n    exec(open({path!r}).read(), namespace)\n"
            "    cross_entropy = namespace['cross_entropy']" + _FALLBACK,
    "runpy": "import runpy\ntry:\n    cross_entropy = runpy.run_path({path!r})['cross_entropy']" + _FALLBACK,
    "sys.path": "import importlib, sys\ntry:\n    sys.path.insert(0, {folder!r})\n"
                "    cross_entropy = importlib.import_module({module!r}).cross_entropy" + _FALLBACK,
}
TARGETS = {  # what is reached, relative to the workspace
    "earlier solution": TOPIC.filename,
    "its backup": f"{TOPIC.filename}.20260101-000000.bak",
    "another drill file": "drills/26.2-20260101-000000.py",
}


@pytest.mark.parametrize("how,target", [("importlib", "earlier solution"), ("open", "earlier solution"),
                                        ("runpy", "earlier solution"), ("open", "its backup"),
                                        ("runpy", "another drill file")])
def test_the_drill_cannot_reach_the_earlier_solution(workspace, how, target):
    path = workspace / TARGETS[target]
    code = REACHES[how].format(path=str(path), folder=str(path.parent), module=path.stem)
    result = grade_drill(workspace, code)
    assert result.status != "pass", result
    assert path.name.split(".py")[0] in result.message and "does not allow" in result.message  # or its bytecode


def test_importing_the_earlier_solution_by_name_is_refused(workspace):
    source = REACHES["sys.path"].format(folder=str(workspace), module="26_cross_entropy", path="")
    result = grade_drill(workspace, source)
    assert result.status != "pass" and "26_cross_entropy" in result.message and "does not allow" in result.message


def test_the_drill_cannot_read_the_workspace_state(workspace):
    source = (f"import json\ntry:\n    STATE = json.load(open({str(workspace / '.grade' / 'state.json')!r}))\n"
              "except PermissionError:\n    STATE = None\n" + CROSS_ENTROPY)
    result = grade_drill(workspace, source)
    assert result.status != "pass" and "state.json" in result.message


def test_the_same_code_on_a_copy_outside_the_workspace_passes(workspace, tmp_path):
    copy = tmp_path / "elsewhere" / "copied_solution.py"
    copy.parent.mkdir()
    copy.write_text(SOLUTION, encoding="utf-8")
    result = grade_drill(workspace, REACHES["importlib"].format(path=str(copy)))
    assert result.status == "pass", result.message  # the reaching code works: only the protection stops it


@pytest.mark.slow
def test_through_the_grading_service_and_its_fork_server(workspace, tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="tp-drill-"))  # short: a socket path has a length limit
    env = {k: v for k, v in os.environ.items() if k != "GRADE_NO_SERVER"}
    env.update(TORCHPREP_RUNTIME_DIR=str(folder), TORCHPREP_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO_DIR))
    cheat = workspace / "drills" / "26.2-cheat.py"
    cheat.write_text(REACHES["runpy"].format(path=str(workspace / TOPIC.filename)), encoding="utf-8")
    honest = workspace / "drills" / "26.2-honest.py"
    honest.write_text(CROSS_ENTROPY, encoding="utf-8")

    def check(path: Path) -> tuple[int, dict]:
        out = tmp_path / f"{path.stem}.json"
        run = subprocess.run([sys.executable, "-m", "grader.cli", "drill", "26", "--task", "26.2", "--check",
                              str(path), "--json", str(out), "--workspace", str(workspace)], env=env, cwd=REPO_DIR,
                             capture_output=True, text=True, timeout=300)
        return run.returncode, json.loads(out.read_text())["tasks"][0]

    try:
        code, task = check(honest)
        assert (code, task["status"]) == (0, "pass"), task
        code, task = check(cheat)
        assert code == 1 and task["status"] == "forbidden" and TOPIC.filename in task["message"]
        status = subprocess.run([sys.executable, "-m", "grader.cli", "server", "status"], env=env, cwd=REPO_DIR,
                                capture_output=True, text=True, timeout=120)
        assert status.returncode == 0 and "grading service" in status.stdout  # it was the service that graded
    finally:
        subprocess.run([sys.executable, "-m", "grader.cli", "server", "stop"], env=env, cwd=REPO_DIR,
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
