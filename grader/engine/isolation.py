"""The learner's process as seen from the grader: spawn, time limits, memory cap, crashes, and the proxy checks use.

`LearnerProcess` is one `python -m grader.engine.worker` child. `ChildPool` hands them out (and keeps a warm spare, or reuses
one across files of the same topic for the grader's own tests). `ChildLearner` is what the `learner` fixture returns:
`run(recipe, *args, **kwargs)` sends the call to the child, under the running task's time budget (the manifest's
`timeout`, spent across the task's calls) and forbidden list, and turns the answer into a value or an exception the
plugin classifies. A task whose child timed out, crashed or was caught using a forbidden API gets that same exception
for its remaining calls at once, and the next task gets a fresh child.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.engine import protocol
from grader.engine.harness import TaskTimeout
from grader.engine.manifest import REPO_DIR

GiB = 1 << 30
DEFAULT_MEMORY_CAP = 4 * GiB
_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TERM", "USER", "LOGNAME", "CUDA_VISIBLE_DEVICES",
             "CUDA_HOME", "CUDA_PATH", "LD_LIBRARY_PATH", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
             "OMP_NUM_THREADS", "MKL_NUM_THREADS", "HIP_VISIBLE_DEVICES", "OMP_WAIT_POLICY")
_SIGNALS = {
    signal.SIGSEGV: "a segmentation fault (SIGSEGV)",
    signal.SIGBUS: "a bus error (SIGBUS)",
    signal.SIGFPE: "a floating point exception (SIGFPE)",
    signal.SIGILL: "an illegal instruction (SIGILL)",
    signal.SIGABRT: "an abort (SIGABRT)",
    signal.SIGKILL: "SIGKILL (killed from outside, often the system running out of memory)",
    signal.SIGTERM: "SIGTERM",
}


@dataclass(frozen=True)
class ChildSpec:
    """How to start a learner process: where it runs and what it may not touch."""

    workspace: Path
    device: str = "cpu"
    memory_cap: int = DEFAULT_MEMORY_CAP
    address_limit: bool | None = None  # RLIMIT_AS at the cap; None: on the CPU only (CUDA reserves huge ranges)
    read_protected: tuple[str, ...] = ()
    write_protected: tuple[str, ...] = ()
    preload: tuple[str, ...] = ()
    sys_path: tuple[str, ...] = ()
    start_timeout: float = 120.0  # importing torch on a busy machine
    load_timeout: float = 10.0


class ChildGone(Exception):
    """The child process ended; `reason` says how, in words for the learner."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Deadline(Exception):
    def __init__(self, waited: float = 0.0):
        super().__init__(waited)
        self.waited = waited  # wall seconds, when the wall-clock backstop (not the CPU budget) ran out


def thread_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by the main thread of process `pid`; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/task/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class _Budget:
    """A time limit counted in CPU seconds of the child's main thread (where the learner's Python runs), so a busy
    machine does not make a correct submission time out; plus a wall-clock backstop for code that sleeps or waits."""

    def __init__(self, pid: int, cpu_seconds: float, wall_seconds: float):
        self.pid = pid
        self.cpu_limit = cpu_seconds
        self.start = time.monotonic()
        self.wall_deadline = self.start + wall_seconds
        self.cpu_start = thread_cpu_seconds(pid)

    def cpu_used(self) -> float:
        """CPU seconds the child's main thread spent since the budget started."""
        return max(0.0, thread_cpu_seconds(self.pid) - self.cpu_start)

    def check(self) -> float:
        """Seconds to wait before looking again; raises _Deadline once the budget is spent."""
        now = time.monotonic()
        if now >= self.wall_deadline:
            raise _Deadline(now - self.start)
        if self.cpu_limit != float("inf") and self.cpu_used() > self.cpu_limit:
            raise _Deadline()
        return min(0.05, self.wall_deadline - now)


class _OverMemory(Exception):
    def __init__(self, used: int):
        super().__init__(used)
        self.used = used


# The grader and the learner's process take turns (a call, its answer): OpenMP threads that spin while waiting for
# work would take the CPU from the other process, which on a small machine costs a check several times its work.
# Threads that sleep at once keep torch's parallelism for big tensors without that.
QUIET_THREADS = {"OMP_WAIT_POLICY": "PASSIVE"}


def quiet_threads() -> None:
    """Make this process's OpenMP threads sleep while idle (before torch is imported; a user's setting wins)."""
    for key, value in QUIET_THREADS.items():
        os.environ.setdefault(key, value)


def clean_env() -> dict[str, str]:
    """The environment of a learner's process: a few of ours (paths, locale, devices, thread counts), no more."""
    env = {**QUIET_THREADS, **{k: os.environ[k] for k in _ENV_KEEP if k in os.environ}}
    env.update(PYTHONPATH=str(REPO_DIR), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", PYTHONIOENCODING="utf-8",
               PYTHONUNBUFFERED="1")
    return env


def worker_config(spec: ChildSpec, in_fd: int, out_fd: int) -> dict:
    """What the learner's process is told about itself (grader.engine.worker): its pipes, sandbox and limits."""
    return {
        "in_fd": in_fd,
        "out_fd": out_fd,
        "read_protected": list(spec.read_protected),
        "write_protected": list(spec.write_protected),
        "block_ctypes_calls": spec.device == "cpu",
        "memory_cap": spec.memory_cap,
        "rlimit_as": spec.device == "cpu" if spec.address_limit is None else spec.address_limit,
        "preload": list(spec.preload),
        "sys_path": list(spec.sys_path),
    }


_dying: list[subprocess.Popen] = []  # killed without waiting for them to be gone


class LearnerProcess:
    """One learner child process and its pipes (spawned as `python -m grader.engine.worker`; grader.engine.forked
    has the kind forked from the grading service's fork server)."""

    def __init__(self, spec: ChildSpec):
        self.spec = spec
        self.loaded_file: str | None = None
        self.last_cpu = 0.0
        self._buffer = protocol.FrameBuffer()
        self._ready = False
        req_r, self._req_w = os.pipe()
        self._res_r, res_w = os.pipe()
        self._log = tempfile.TemporaryFile()
        self._log_mark = 0
        spec.workspace.mkdir(parents=True, exist_ok=True)
        try:
            self._start(worker_config(spec, req_r, res_w), req_r, res_w)
        except BaseException:
            for fd in (self._req_w, self._res_r):
                os.close(fd)
            self._log.close()
            raise
        finally:
            os.close(req_r)
            os.close(res_w)
        os.set_blocking(self._res_r, False)
        os.set_blocking(self._req_w, False)
        self.started = time.monotonic()

    def _start(self, config: dict, req_r: int, res_w: int) -> None:
        """Start the process that serves `config` on the pipe ends req_r and res_w (closed here afterwards)."""
        _dying[:] = [p for p in _dying if p.poll() is None]  # reap the ones killed before
        self.popen = subprocess.Popen(
            [sys.executable, "-P", "-s", "-m", "grader.engine.worker", json.dumps(config)],
            cwd=self.spec.workspace, env=clean_env(), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, pass_fds=(req_r, res_w), start_new_session=True,
        )

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.popen.pid

    def poll(self) -> int | None:
        """The child's exit status (negative: the signal that ended it), None while it runs."""
        return self.popen.poll()

    def _wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def _send_kill(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.popen.kill()

    def _let_die(self) -> None:
        _dying.append(self.popen)  # reaped when the next process starts (or when this one's parent exits)

    @property
    def alive(self) -> bool:
        """Whether the child is still running."""
        return self.poll() is None

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def wait_ready(self) -> None:
        """Block until the child has imported torch and said so (ChildGone if it died or never did)."""
        if self._ready:
            return
        budget = _Budget(self.pid, float("inf"), self.spec.start_timeout - (time.monotonic() - self.started))
        try:
            message = self._next(budget)
        except _Deadline:
            self.kill()
            raise ChildGone(f"the grader's worker did not start within {self.spec.start_timeout:g} s") from None
        if message.get("kind") != "ready":
            self.kill()
            raise ChildGone("the grader's worker sent an unexpected first message")
        self._ready = True

    def load(self, path: Path, module: str, forbidden: list[str], preload: list[str],
             prelude: dict | None = None) -> dict:
        """Load (or reload) the learner's file; the child's answer (kind loaded or load_error). `prelude` (a drill):
        the reference code run in the module's namespace before and after the file (grader.engine.drill)."""
        self.wait_ready()
        request = {"op": "load", "file": str(path), "module": module, "forbidden": forbidden, "preload": preload}
        if prelude:
            request["prelude"] = prelude
        seconds = self.spec.load_timeout + (5.0 if preload else 0.0)
        budget = _Budget(self.pid, seconds, 3 * seconds)
        try:
            self._send(request, budget)
            answer = self._next(budget)
        except _Deadline:
            self.kill()
            raise TaskTimeout(f"loading {path.name}", self.spec.load_timeout) from None
        self.loaded_file = str(path) if answer.get("kind") == "loaded" else None
        return answer

    def call(self, request: dict, seconds: float, on_progress: Callable[[dict], None] | None = None) -> dict:
        """Send a run request and wait for its answer, passing progress frames on; `seconds` of CPU at most.

        Raises _Deadline (child killed) when the time is up, _OverMemory (child killed) past the memory cap,
        ChildGone when the child died. `last_cpu` says how much CPU time the call used.
        """
        seconds = max(seconds, 0.0)
        budget = _Budget(self.pid, seconds, max(3 * seconds, seconds + 20.0))
        self._log_mark = self._log.seek(0, os.SEEK_END)
        try:
            self._send(request, budget)
            while True:
                message = self._next(budget)
                if message.get("kind") == "progress":
                    if on_progress is not None:
                        on_progress(message)
                    continue
                return message
        finally:
            self.last_cpu = budget.cpu_used() if self.alive else seconds

    def kill(self) -> None:
        """Kill the child now (and its process group)."""
        if self.poll() is None:
            self._send_kill()
        self._wait(5)

    def close(self) -> None:
        """End the child and release the pipes. It is killed outright: it holds nothing worth flushing, and a
        polite exit would spend half a second tearing torch down on the learner's time. Nothing waits for it to be
        gone (the verdict need not): subprocess reaps it later, the fork server at once."""
        if self.poll() is None:
            self._send_kill()
            self._let_die()
        for fd in (self._req_w, self._res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._req_w = self._res_r = -1
        self._log.close()

    def output_tail(self, since_mark: bool = True, limit: int = 2000) -> str:
        """What the child printed (since the last request when since_mark), at most `limit` characters."""
        try:
            self._log.seek(self._log_mark if since_mark else 0)
            data = self._log.read().decode("utf-8", "replace")
        except (ValueError, OSError):
            return ""
        return data[-limit:]

    # --- pipes -------------------------------------------------------------------------------------------------

    def _send(self, message: dict, budget: _Budget) -> None:
        data = memoryview(protocol.frame(protocol.encode(message)))
        poller = select.poll()
        poller.register(self._req_w, select.POLLOUT)
        while data:
            wait = self._tick(budget)
            if not poller.poll(wait * 1000):
                self._check_memory()
                continue
            try:
                n = os.write(self._req_w, data)
            except BrokenPipeError:
                raise ChildGone(self._death_reason()) from None
            data = data[n:]

    def _tick(self, budget: _Budget) -> float:
        try:
            return budget.check()
        except _Deadline:
            self.kill()
            raise

    def _next(self, budget: _Budget) -> dict:
        poller = select.poll()
        poller.register(self._res_r, select.POLLIN)
        while True:
            try:
                payload = self._buffer.pop()
            except protocol.ProtocolError as error:
                self.kill()
                raise ChildGone(f"the learner's process sent a malformed message ({error})") from None
            if payload is not None:
                try:
                    message = protocol.decode(payload)
                except protocol.ProtocolError as error:
                    self.kill()
                    raise ChildGone(f"the learner's process sent a malformed message ({error})") from None
                if not isinstance(message, dict) or not isinstance(message.get("kind"), str):
                    self.kill()
                    raise ChildGone("the learner's process sent a message that is not a grader message")
                return message
            wait = self._tick(budget)
            if poller.poll(wait * 1000):
                chunk = os.read(self._res_r, 1 << 20)
                if not chunk:
                    raise ChildGone(self._death_reason())
                self._buffer.feed(chunk)
            else:
                self._check_memory()

    def _check_memory(self) -> None:
        used = resident_memory(self.pid)
        if self.spec.memory_cap and used > self.spec.memory_cap:
            self.kill()
            raise _OverMemory(used)

    def _death_reason(self) -> str:
        code = self._wait(5)
        if code is None:
            self.kill()
            code = self.poll()
        if code is not None and code < 0:
            how = f"crashed with {_SIGNALS.get(signal.Signals(-code), signal.Signals(-code).name)}"
        else:
            how = f"exited with status {code} (os._exit, or a crash in native code)"
        return how


def resident_memory(pid: int) -> int:
    """Bytes of anonymous and shared memory resident for process `pid` (libraries mapped from files excluded)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except (OSError, ValueError):
        return 0
    total = 0
    for key in ("RssAnon", "RssShmem"):
        if key in fields:
            total += int(fields[key].split()[0]) * 1024
    return total


def format_bytes(n: int) -> str:
    """1.5 GiB, 300 MiB."""
    if n >= GiB:
        return f"{n / GiB:.3g} GiB"
    return f"{n / (1 << 20):.3g} MiB"
