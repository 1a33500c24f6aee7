"""The grading service (grader.engine.service, grader.cli.serve and .client), through the real `grade` command in
subprocesses, on the toy catalog: the same verdicts as grading without it, gradings side by side, a private socket,
learner code that cannot reach the warm process, a kill -9 mid-grading, restarts on code changes, the idle exit,
and today's path for --no-server and a service that cannot start.

Each service here lives in a runtime directory of its own (TORCHPREP_RUNTIME_DIR), never the user's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.cli.client import LOST_MESSAGE
from grader.engine import catalog as catalogs
from grader.engine.manifest import REPO_DIR

TOY_DIR = Path(__file__).parent / "fixtures" / "grader_catalog"
TOY = catalogs.from_dir(TOY_DIR)
SOLUTION = TOY.solution_path(TOY.topic(99)).read_text(encoding="utf-8")
SCALE = "    return x * k\n"
pytestmark = pytest.mark.slow


class Service:
    """A private runtime directory and `grade` run against it."""

    def __init__(self, root: Path, idle: float = 300.0):
        self.folder = Path(tempfile.mkdtemp(prefix="tp-svc-"))  # short: a socket path has a length limit
        self.watched = root / "watched"
        self.watched.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if k != "GRADE_NO_SERVER"}
        self.env.update(TORCHPREP_RUNTIME_DIR=str(self.folder), TORCHPREP_GRADE_SERVICE_IDLE=str(idle),
                        TORCHPREP_GRADE_SERVICE_WATCH=str(self.watched), PYTHONPATH=str(REPO_DIR))

    def grade(self, workspace: Path, *argv: str, env: dict | None = None, **popen) -> subprocess.CompletedProcess:
        """`grade exercise 99 ARGV` on `workspace`, with a JSON report; the report is `.json` on the result."""
        report = workspace / "verdict.json"
        report.unlink(missing_ok=True)
        run = subprocess.run(self.argv(workspace, *argv), env={**self.env, **(env or {})}, capture_output=True,
                             text=True, timeout=600, cwd=self.root, **popen)
        run.json = json.loads(report.read_text()) if report.exists() else None
        return run

    def argv(self, workspace: Path, *argv: str) -> list[str]:
        return [sys.executable, "-m", "grader.cli", "exercise", "99", "--catalog", str(TOY_DIR), "--workspace",
                str(workspace), "--data-dir", str(self.root / "data"), "--json", str(workspace / "verdict.json"),
                *argv]

    def request(self, op: str) -> dict | None:
        """The service's answer to `op` (status, stop), None when none runs."""
        code = ("import json, sys\nfrom grader.cli.client import service_request\n"
                f"print(json.dumps(service_request({{'op': {op!r}}})))\n")
        out = subprocess.run([sys.executable, "-c", code], env=self.env, capture_output=True, text=True,
                             timeout=300, cwd=REPO_DIR)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def socket(self) -> Path:
        return next(self.folder.glob("grade-*.sock"))

    def stop(self) -> None:
        status = self.request("status")
        self.request("stop")
        if status:
            for pid in (status["pid"], status["forkserver_pid"]):
                _wait_gone(pid, 30)
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _wait_gone(pid: int | None, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while pid and _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not (pid and _alive(pid))


def workspace(root: Path, name: str, source: str = SOLUTION) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "99_toy.py").write_text(source, encoding="utf-8")
    return folder


def running_status(service: "Service", seconds: float = 20) -> dict | None:
    """The service's status, waiting out a restart (another test's code change restarts it) for up to `seconds`."""
    deadline = time.monotonic() + seconds
    status = service.request("status")
    while status is None and time.monotonic() < deadline:
        time.sleep(0.2)
        status = service.request("status")
    return status


def statuses(doc: dict) -> list[tuple[str, str, str]]:
    return [(t["id"], t["status"], t["message"]) for t in doc["tasks"]]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    running = Service(tmp_path_factory.mktemp("service"))
    yield running
    running.stop()


# --- verdicts -----------------------------------------------------------------------------------------------------


def test_the_service_grades_as_grading_without_it_does(service):
    solved = service.grade(workspace(service.root, "solved"))
    assert solved.returncode == 0, solved.stderr
    assert {t["status"] for t in solved.json["tasks"]} == {"pass"} and "all 3 tasks" in solved.stdout
    first = service.request("status")
    assert first and first["served"] >= 1

    buggy = workspace(service.root, "buggy", SOLUTION.replace(SCALE, "    return x * k + 1\n"))
    served = service.grade(buggy)
    between = service.request("status")
    here = service.grade(buggy, "--no-server")
    assert served.returncode == here.returncode == 1
    assert statuses(served.json) == statuses(here.json)
    assert served.json["tasks"][0]["status"] == "fail" and "differ" in served.json["tasks"][0]["message"]
    after = service.request("status")
    assert after["pid"] == first["pid"]  # the same warm process (a restart for a code change keeps its pid)
    if after["code"] == between["code"]:  # nobody edited the code meanwhile: --no-server did not use the service
        assert after["served"] == between["served"]


def test_the_quizs_g_grades_through_the_service(service, monkeypatch):
    import asyncio

    from tui.grading import DEFAULT_GRADE_COMMAND, run_grader

    ws = workspace(service.root, "quiz")
    for key, value in service.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GRADE_NO_SERVER", raising=False)
    monkeypatch.setenv("GRADER_CATALOG", str(TOY_DIR))
    monkeypatch.setenv("GRADE_WORKSPACE", str(ws))
    service.grade(workspace(service.root, "quiz-warm-up"))  # this test may be the first of its worker's share
    before = running_status(service)
    verdict = asyncio.run(run_grader(DEFAULT_GRADE_COMMAND, 99, service.root / "data"))
    after = running_status(service)
    assert before is not None and after is not None, "no service answered around the quiz's grading"
    assert verdict.all_passed, verdict
    assert after["served"] == before["served"] + 1 or after["code"] != before["code"]


def test_two_terminals_grading_at_once_both_get_their_verdicts(service):
    slow = "import time\ntime.sleep(1.5)\n"  # both gradings are surely running at the same time
    good = workspace(service.root, "left", slow + SOLUTION)
    bad = workspace(service.root, "right", slow + SOLUTION.replace(SCALE, "    return x - k\n"))
    procs = [subprocess.Popen(service.argv(ws), env=service.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=service.root) for ws in (good, bad)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 1], outs
    left = json.loads((good / "verdict.json").read_text())
    right = json.loads((bad / "verdict.json").read_text())
    assert {t["status"] for t in left["tasks"]} == {"pass"}
    assert [t["status"] for t in right["tasks"]] == ["fail", "pass", "pass"]


def test_two_terminals_starting_the_service_at_once_share_one(tmp_path):
    running = Service(tmp_path)
    try:
        spaces = [workspace(tmp_path, name) for name in ("first", "second")]
        procs = [subprocess.Popen(running.argv(ws), env=running.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=tmp_path) for ws in spaces]
        outs = [p.communicate(timeout=600) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        status = running.request("status")
        assert status and status["served"] == 2  # both graded by the one service that won the lock
        assert len(list(running.folder.glob("grade-*.sock"))) == 1
    finally:
        running.stop()


# --- reliability and security ---------------------------------------------------------------------------------------


def test_the_warm_processes_fork_with_one_thread(service):
    """Neither the service nor its fork server has started a thread (or run torch's thread pools) before forking."""
    service.grade(workspace(service.root, "threads"))
    deadline = time.monotonic() + 120
    while service.request("status")["warm_left"] and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3.0)  # the fork server preloads while idle too
    status = service.request("status")
    assert status["threads"] == 1
    with open(f"/proc/{status['forkserver_pid']}/status") as f:
        assert "Threads:\t1\n" in f.read()


def test_no_other_user_can_reach_the_socket(service):
    service.grade(workspace(service.root, "private"))
    path = service.socket()
    assert (os.stat(service.folder).st_mode & 0o777) == 0o700 and os.stat(service.folder).st_uid == os.getuid()
    assert (os.stat(path).st_mode & 0o777) == 0o600
    assert all((os.stat(p).st_mode & 0o077) == 0 for p in service.folder.iterdir())
    if os.getuid() != 0:
        pytest.skip("trying as another user needs root")
    pid = os.fork()
    if pid == 0:  # another user: may not even enter the directory
        code = 1
        try:
            os.setgid(65534)
            os.setuid(65534)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(path))
            except PermissionError:
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "another user reached the service's socket"


HOSTILE = '''
import json, os, socket
PROBES = {}

def _try(name, fn):
    try:
        fn()
        PROBES[name] = "allowed"
    except PermissionError:
        PROBES[name] = "refused"
    except Exception as error:
        PROBES[name] = type(error).__name__

def _connect():
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(SOCKET)

def _plant():
    with open(os.path.join(FOLDER, "planted"), "w") as f:
        f.write("x")

def scale(x, k):
    _try("connect to the service", _connect)
    _try("signal the service", lambda: os.kill(SERVICE, 0))
    _try("read the service's environment", lambda: open(f"/proc/{SERVICE}/environ", "rb").read())
    _try("read its memory", lambda: open(f"/proc/{SERVICE}/mem", "rb").read(1))
    _try("list the private directory", lambda: os.listdir(FOLDER))
    _try("remove the socket", lambda: os.unlink(SOCKET))
    _try("write into the private directory", _plant)
    with open("probes.json", "w") as f:
        json.dump(PROBES, f)
    return x * k
'''


def test_hostile_learner_code_cannot_reach_the_warm_service(service):
    service.grade(workspace(service.root, "warm"))
    status = service.request("status")
    path = service.socket()
    prelude = f"SOCKET = {str(path)!r}\nSERVICE = {status['pid']}\nFOLDER = {str(service.folder)!r}\n"
    ws = workspace(service.root, "hostile", prelude + SOLUTION + HOSTILE)  # its scale() replaces the solution's
    run = service.grade(ws, "--task", "99.1")
    probes = json.loads((ws / "probes.json").read_text())
    assert set(probes.values()) == {"refused"}, probes
    scale = run.json["tasks"][0]
    assert scale["status"] == "forbidden" and "tried to" in scale["message"]
    assert path.exists() and not (service.folder / "planted").exists()
    again = service.request("status")
    assert again["pid"] == status["pid"] and _alive(status["pid"])
    assert service.grade(workspace(service.root, "after")).returncode == 0


CHEAT = '''    import torch, torch.testing
    import grader.kit.compare, grader.engine.verdict
    torch.allclose = lambda *a, **k: True
    torch.testing.assert_close = lambda *a, **k: None
    grader.kit.compare.assert_same = lambda *a, **k: None
    grader.engine.verdict.classify = lambda *a, **k: ("pass", "")
    try:
        open(SOLUTION_PATH).read()
    except OSError:
        pass
    return x * k + 1
'''


def test_cheating_through_the_service_never_passes(service):
    prelude = f"SOLUTION_PATH = {str(TOY.solution_path(TOY.topic(99)))!r}\n"
    ws = workspace(service.root, "cheat", prelude + SOLUTION.replace(SCALE, CHEAT))
    run = service.grade(ws)
    scale = run.json["tasks"][0]
    assert run.returncode == 1 and scale["status"] == "forbidden" and "solutions" in scale["message"]
    assert service.grade(workspace(service.root, "honest")).returncode == 0  # nothing of it stayed in the service


def test_kill_9_mid_grading_says_so_and_the_next_call_starts_afresh(tmp_path):
    running = Service(tmp_path)
    try:
        stall = ("    with open('learner.pid', 'w') as f:\n        f.write(str(os.getpid()))\n"
                 "    import time\n    time.sleep(60)\n    return x * k\n")
        ws = workspace(tmp_path, "stalls", "import os\n" + SOLUTION.replace(SCALE, stall))
        client = subprocess.Popen(running.argv(ws), env=running.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        deadline = time.monotonic() + 300
        while not (ws / "learner.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        learner = int((ws / "learner.pid").read_text())
        status = running.request("status")
        os.kill(status["pid"], signal.SIGKILL)
        out, err = client.communicate(timeout=60)
        assert client.returncode == 3 and LOST_MESSAGE in err and "Traceback" not in err
        assert _wait_gone(learner, 30), "the learner's process outlived its grading"
        assert _wait_gone(status["forkserver_pid"], 30)
        fresh = running.grade(workspace(tmp_path, "fresh"))
        assert fresh.returncode == 0, fresh.stderr
        assert running.request("status")["pid"] != status["pid"]
    finally:
        running.stop()


def test_a_change_to_the_code_restarts_the_service(service):
    service.grade(workspace(service.root, "before"))
    before = service.request("status")
    (service.watched / "changed.py").write_text(f"# {time.time()}\n")
    run = service.grade(workspace(service.root, "after-change"))
    after = service.request("status")
    assert run.returncode == 0 and after["code"] != before["code"] and after["started"] > before["started"]


def test_the_service_exits_when_idle(tmp_path):
    running = Service(tmp_path, idle=2.0)
    try:
        assert running.grade(workspace(tmp_path, "once")).returncode == 0
        status = running.request("status")
        assert _wait_gone(status["pid"], 60) and _wait_gone(status["forkserver_pid"], 60)
        assert not list(running.folder.glob("grade-*.sock"))
    finally:
        running.stop()


# --- today's path -----------------------------------------------------------------------------------------------


def test_no_server_and_a_failed_start_grade_in_process(tmp_path):
    running = Service(tmp_path)
    try:
        ws = workspace(tmp_path, "plain")
        assert running.grade(ws, "--no-server").returncode == 0 and not list(running.folder.glob("*.sock"))
        crashes = running.grade(ws, env={"TORCHPREP_GRADE_SERVICE_IDLE": "not a number"})  # the service dies
        assert crashes.returncode == 0 and crashes.json["passed"] == 3, crashes.stderr
        assert running.request("status") is None
        not_private = tmp_path / "open"
        not_private.mkdir(mode=0o777)
        os.chmod(not_private, 0o777)
        if os.getuid() == 0:
            os.chown(not_private, 65534, 65534)  # someone else's: never used, never changed
            refused = running.grade(ws, env={"TORCHPREP_RUNTIME_DIR": str(not_private)})
            assert refused.returncode == 0 and not list(not_private.iterdir())
    finally:
        running.stop()
