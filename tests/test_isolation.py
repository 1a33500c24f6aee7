"""Learner code runs in a child process and cannot reach the verdict: cheating gets a fail (or forbidden/error),
never a pass; crashes, time-outs, memory and load errors are an error for that task while the other tasks still run.

Small learner files are written for each case; the toy catalog in tests/fixtures/grader_catalog provides the
checks (99.1 scale, 99.2 softmax with a forbidden list, 99.3 a trained Line).

Every test runs twice: with learner processes spawned (`python -m grader.engine.worker`, grading without the
service) and forked from a fork server (grader.engine.forkserver, as the grading service starts them), which must
apply the same sandbox, limits and verdict rules.
"""

from __future__ import annotations

import dataclasses
import importlib
import shutil
import sys
from pathlib import Path

import pytest
import torch

from grader.engine import catalog as catalogs
from grader.engine.harness import RefusedAccess
from grader.engine.forked import ForkedLearnerProcess, ForkLauncher, spawn_forkserver
from grader.engine.manifest import REPO_DIR, Task
from grader.engine.proxy import ChildLearner, ChildPool, set_default_launcher
from grader.engine.runner import child_spec, grade

TOY = catalogs.from_dir(Path(__file__).parent / "fixtures" / "grader_catalog")
PLANTED = REPO_DIR / "conftest_planted_by_learner_code.py"  # outside the temp dir, where Python code is refused
SOLUTION = TOY.solution_path(TOY.topic(99)).read_text(encoding="utf-8")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True, params=["spawned", "forked"])
def how_started(request):
    """Every pool of the module starts its learner processes this way (the fork server's own, for "forked")."""
    if request.param == "spawned":
        yield None
        return
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="tp-fork-"))  # short: a socket path has a length limit
    server = spawn_forkserver(str(folder / "fork.sock"))
    launcher = ForkLauncher(str(folder / "fork.sock"))
    set_default_launcher(launcher)
    try:
        yield launcher
    finally:
        set_default_launcher(None)
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _forked_for_real(how_started, monkeypatch):
    """With the fork server, every learner process of the test was forked: none fell back to a spawned worker."""
    if how_started is None:
        yield
        return
    started = []
    monkeypatch.setattr(ChildPool, "__init__", _recording_init(ChildPool.__init__, started))
    yield
    assert how_started.failure is None, how_started.failure
    assert all(isinstance(proc, ForkedLearnerProcess) for proc in started)


def _recording_init(original, started):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        launch = self.launcher

        def recording(spec):
            proc = launch(spec)
            started.append(proc)
            return proc

        self.launcher = recording

    return init


def learner_file(folder: Path, replacements: dict[str, str], prelude: str = "") -> Path:
    """The toy solution with some functions' bodies replaced (a learner file for one scenario)."""
    source = SOLUTION
    for old, new in replacements.items():
        assert old in source
        source = source.replace(old, new)
    path = folder / "99_toy.py"
    path.write_text(prelude + source, encoding="utf-8")
    return path


def run_grade(folder: Path, path: Path, **options):
    spec_options = {k: options.pop(k) for k in ("load_timeout", "address_limit") if k in options}
    spec = child_spec(folder, catalog=TOY, memory_cap=options.pop("memory_cap", 4 << 30),
                      protect=options.pop("protect", ()), data_dir=folder / "data")
    pool = ChildPool(dataclasses.replace(spec, **spec_options))
    try:
        return grade(99, folder, learner_file=path, catalog=TOY, pool=pool, **options)
    finally:
        pool.close()


SCALE = "    return x * k\n"
SOFTMAX = "    e = (x - x.amax(-1, keepdim=True)).exp()\n    return e / e.sum(-1, keepdim=True)\n"


# --- cheating: the verdict is decided in the grader's process --------------------------------------------------


def test_cheating_in_the_learner_process_never_passes(tmp_path):
    """99.1 patches torch and the grader's modules in its own process and answers wrong: fail.
    99.2 writes a fake report and the store, then answers wrong: forbidden. 99.3 reads the reference solution
    and uses its Line: forbidden. Nothing of it reaches the report, the store or the verdict."""
    cheat = '''    import torch, torch.testing
    import grader.kit.compare, grader.engine.verdict, grader.engine.plugin
    torch.allclose = lambda *a, **k: True
    torch.equal = lambda *a, **k: True
    torch.isclose = lambda a, b, *r, **k: torch.ones_like(a, dtype=torch.bool)
    torch.testing.assert_close = lambda *a, **k: None
    grader.kit.compare.assert_same = lambda *a, **k: None
    grader.kit.compare.mismatch = lambda *a, **k: None
    grader.engine.verdict.classify = lambda *a, **k: ("pass", "")
    try:
        import _pytest.reports
        _pytest.reports.TestReport.passed = property(lambda self: True)
        _pytest.reports.TestReport.outcome = "passed"
    except Exception:
        pass
    return x * k + 1
'''
    fake = '''    import json, sqlite3
    try:
        with open(REPORT, "w") as f:
            json.dump({"exercise": 99, "tasks": [], "passed": 3, "total": 3}, f)
    except OSError:
        pass
    try:
        sqlite3.connect(DB).execute("create table cheat (x)")
    except Exception:
        pass
    return x * 0.5
'''
    steal = f'''
class Line(nn.Module):
    def __new__(cls, *args, **kwargs):
        namespace = {{}}
        try:
            exec(open({str(TOY.solution_path(TOY.topic(99)))!r}).read(), namespace)
            return namespace["Line"](*args, **kwargs)
        except OSError:
            return None
'''
    report = tmp_path / "verdict.json"
    db = tmp_path / "data" / "progress.sqlite3"
    line = SOLUTION[SOLUTION.index("class Line"):]
    path = learner_file(tmp_path, {SCALE: cheat, SOFTMAX: fake, line: steal},
                        prelude=f"REPORT = {str(report)!r}\nDB = {str(db)!r}\n")
    verdict = run_grade(tmp_path, path, protect=[report])
    scale, softmax, trained = (verdict.task(t) for t in ("99.1", "99.2", "99.3"))
    assert scale.status == "fail" and "differ" in scale.message
    assert softmax.status == "forbidden" and str(report) in softmax.message
    assert trained.status == "forbidden" and "solutions" in trained.message
    assert not report.exists() and not db.exists()


# --- the sandbox, probe by probe (one learner process) ---------------------------------------------------------

PROBES = '''
import os, sys

def read_solution():
    return open(SOLUTION).read()

def list_solutions():
    return os.listdir(os.path.dirname(SOLUTION))

def link_solution():
    os.symlink(SOLUTION, "stolen.py")
    return open("stolen.py").read()

def read_store():
    return open(os.path.join(DATA, "progress.sqlite3"), "rb").read()

def sqlite():
    import sqlite3
    return sqlite3.connect(":memory:")

def patch_grader_on_disk():
    with open(COMPARE, "a") as f:
        f.write("\\n# patched\\n")

def plant_code():
    with open(PLANT, "w") as f:
        f.write("raise SystemExit('planted')\\n")

def write_report():
    with open(REPORT, "w") as f:
        f.write("{}")

def run_process():
    import subprocess
    return subprocess.run(["cat", SOLUTION], capture_output=True).stdout

def shell():
    return os.system("true")

def signal_parent():
    os.kill(os.getppid(), 0)

def parent_environment():
    return open(f"/proc/{os.getppid()}/environ", "rb").read()

def native_code():
    import ctypes
    return ctypes.CDLL("libc.so.6")

def walk_gc():
    import gc
    return len(gc.get_objects())

def write_workspace_file():
    with open("scratch.txt", "w") as f:
        f.write("mine")
    return open("scratch.txt").read()

def read_own_status():
    return open("/proc/self/status").read()[:4]

def connect_unix():
    import socket
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(SOCKET)

def inherited_sockets():
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                found.append(fd)
        except OSError:
            pass
    return found
'''
REFUSED = ["read_solution", "list_solutions", "link_solution", "read_store", "sqlite", "patch_grader_on_disk",
           "plant_code", "write_report", "run_process", "shell", "signal_parent", "parent_environment", "native_code", "walk_gc",
           "connect_unix"]


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe")
    data = folder / "data"
    data.mkdir()
    (data / "progress.sqlite3").write_bytes(b"SQLite format 3\x00")
    report = folder / "report.json"
    import socket
    import tempfile

    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # a socket such as the grading service's
    socket_dir = Path(tempfile.mkdtemp(prefix="tp-probe-"))
    listening.bind(str(socket_dir / "s.sock"))
    listening.listen(1)
    prelude = (f"SOLUTION = {str(TOY.solution_path(TOY.topic(99)))!r}\nDATA = {str(data)!r}\n"
               f"SOCKET = {listening.getsockname()!r}\n"
               f"COMPARE = {str(REPO_DIR / 'grader' / 'kit' / 'compare.py')!r}\nREPORT = {str(report)!r}\n"
               f"PLANT = {str(PLANTED)!r}\n")
    path = folder / "probes.py"
    path.write_text(prelude + PROBES, encoding="utf-8")
    sys.path.insert(0, str(TOY.import_root))
    toy_recipes = importlib.import_module("topics.99_toy.recipes")

    spec = child_spec(folder, catalog=TOY, protect=[report], data_dir=data)
    pool = ChildPool(spec)
    handle = ChildLearner(pool, path, [])
    yield handle, toy_recipes, folder
    handle.close()
    pool.close()
    listening.close()
    shutil.rmtree(socket_dir, ignore_errors=True)


@pytest.mark.parametrize("name", REFUSED)
def test_sandbox_refuses(probe, name):
    handle, recipes, _ = probe
    handle.set_task(Task(id=f"7.{REFUSED.index(name) + 1}", title=name, names=(name,), hints=()))
    compare = (REPO_DIR / "grader" / "kit" / "compare.py").read_bytes()
    try:
        with pytest.raises(RefusedAccess):
            handle.run(recipes.call_named, name)
    finally:
        planted = PLANTED.exists()
        PLANTED.unlink(missing_ok=True)
    assert (REPO_DIR / "grader" / "kit" / "compare.py").read_bytes() == compare
    assert not planted


@pytest.mark.parametrize("name", ["write_workspace_file", "read_own_status"])
def test_sandbox_allows_ordinary_work(probe, name):
    handle, recipes, folder = probe
    handle.set_task(Task(id=f"6.{name}", title=name, names=(name,), hints=()))
    assert handle.run(recipes.call_named, name)


def test_no_socket_reaches_the_learners_process(probe):
    """Nothing of the grader's (a fork server's listening socket, a grading's connection) is left open there."""
    handle, recipes, _ = probe
    handle.set_task(Task(id="6.sockets", title="sockets", names=("inherited_sockets",), hints=()))
    assert handle.run(recipes.call_named, "inherited_sockets") == []


# --- crashes, time-outs, memory: an error for that task, the others still run --------------------------------


def test_segfault_and_sys_exit_are_errors_and_other_tasks_run(tmp_path):
    crash = "    import faulthandler\n    faulthandler._sigsegv()\n"
    leave = "    import sys\n    sys.exit(3)\n"
    verdict = run_grade(tmp_path, learner_file(tmp_path, {SCALE: crash, SOFTMAX: leave}))
    scale, softmax, line = (verdict.task(t) for t in ("99.1", "99.2", "99.3"))
    assert scale.status == "error" and "segmentation fault" in scale.message and "99_toy.py" in scale.message
    assert softmax.status == "error" and "sys.exit(3)" in softmax.message
    assert line.status == "pass"


def test_endless_loop_times_out_and_os_exit_is_an_error(tmp_path):
    loop = "    while True:\n        x = x + 0\n"
    leave = "    import os\n    os._exit(0)\n"
    verdict = run_grade(tmp_path, learner_file(tmp_path, {SCALE: loop, SOFTMAX: leave}))
    scale, softmax, line = (verdict.task(t) for t in ("99.1", "99.2", "99.3"))
    assert (scale.status, scale.message) == ("timeout", "timed out after 4 s in 99.1")
    assert softmax.status == "error" and "exited with status 0" in softmax.message
    assert line.status == "pass"


def test_memory_error_and_recursion_are_errors(tmp_path):
    hog = "    blocks = [bytearray(1 << 26) for _ in range(64)]\n    return x * k\n"
    recurse = "    return softmax(x)\n"
    verdict = run_grade(tmp_path, learner_file(tmp_path, {SCALE: hog, SOFTMAX: recurse}), memory_cap=512 << 20)
    scale, softmax, line = (verdict.task(t) for t in ("99.1", "99.2", "99.3"))
    assert scale.status == "error" and "memory" in scale.message
    assert softmax.status == "error" and "RecursionError" in softmax.message
    assert line.status == "pass"


def test_memory_cap_kills_a_process_without_an_address_limit(tmp_path):
    hog = "    big = torch.ones(150_000_000)\n    return x * k + big[0] - 1\n"
    verdict = run_grade(tmp_path, learner_file(tmp_path, {SCALE: hog}), memory_cap=300 << 20, address_limit=False,
                        tasks={"99.1", "99.2"})
    scale = verdict.task("99.1")
    assert scale.status == "error" and "over the grader's 300 MiB cap" in scale.message
    assert verdict.task("99.2").status == "pass"


# --- the learner's own exceptions and files that do not load -----------------------------------------------------


def test_learner_exception_fails_with_their_traceback_only(tmp_path):
    bad = "    return helper(x)\n\n\ndef helper(x):\n    raise ValueError('shapes do not line up')\n"
    verdict = run_grade(tmp_path, learner_file(tmp_path, {SCALE: bad}), tasks={"99.1"})
    message = verdict.task("99.1").message
    assert verdict.task("99.1").status == "fail"
    assert "ValueError: shapes do not line up" in message and 'File "99_toy.py"' in message
    assert "in helper" in message and "worker" not in message and "recipes.py" not in message
    assert "smallest failing input" in message


def test_import_error_is_reported_with_file_and_line_for_every_task(tmp_path):
    path = learner_file(tmp_path, {}, prelude="import torch\nimport no_such_module_here\n")
    verdict = run_grade(tmp_path, path)
    assert [t.status for t in verdict.tasks] == ["error"] * 3
    for t in verdict.tasks:
        assert "99_toy.py:2" in t.message and "ModuleNotFoundError" in t.message
    assert "does not load" in verdict.message


def test_syntax_error_is_reported_without_starting_a_process(tmp_path):
    path = tmp_path / "99_toy.py"
    path.write_text("def scale(x, k)\n    return x\n", encoding="utf-8")
    verdict = grade(99, tmp_path, learner_file=path, catalog=TOY, pool=_NoPool())
    assert all(t.status == "error" and "99_toy.py:1" in t.message and "SyntaxError" in t.message
               for t in verdict.tasks)


def test_code_that_never_finishes_loading_is_an_error(tmp_path):
    path = learner_file(tmp_path, {}, prelude="while True:\n    pass\n")
    verdict = run_grade(tmp_path, path, load_timeout=2.0, tasks={"99.1"})
    assert verdict.task("99.1").status == "error"
    assert "did not finish loading within 2 s" in verdict.task("99.1").message


class _NoPool:
    """A pool that must not be asked for a process."""

    spec = None

    def prestart(self):
        raise AssertionError("no learner process should start for a file that does not parse")

    def acquire(self):
        raise AssertionError("no learner process should start for a file that does not parse")


def test_untrusted_results_are_decoded_without_running_code():
    """A frame whose pickle would run code is refused by torch.load(weights_only=True)."""
    import io
    import os
    import pickle

    from grader.engine import protocol

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    payload = pickle.dumps({"kind": "result", "value": Evil()}, protocol=2)
    buf = io.BytesIO()
    torch.save({"kind": "result"}, buf)  # a genuine frame decodes
    assert protocol.decode(buf.getvalue()) == {"kind": "result"}
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(payload)
