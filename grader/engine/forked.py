"""Learner processes forked by the fork server (grader.engine.forkserver), as the trusted grading side sees them.

`ForkedLearnerProcess` is a LearnerProcess whose child is forked from the fork server instead of spawned: the same
pipes, log, time and memory limits and messages (grader.engine.isolation), only started and ended differently. The
fork server is the child's parent, so the exit status comes back over the connection that asked for it; the child
is signalled through a pidfd where the kernel offers one (never a recycled pid). `ForkLauncher` is what a pool
calls to get one; when the fork server cannot be reached or refuses, it spawns a worker as before, for the rest of
that grading.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from typing import Any, Sequence

from grader.engine.isolation import ChildSpec, LearnerProcess, clean_env

_UNKNOWN_EXIT = 255  # the fork server went away before it could say how the child ended


class ForkUnavailable(Exception):
    """The fork server cannot be reached, or refused the request."""


class ForkedLearnerProcess(LearnerProcess):
    """A learner process forked by the fork server listening at `address`."""

    def __init__(self, spec: ChildSpec, address: str):
        self.address = address
        self._conn: socket.socket | None = None
        self._pidfd: int | None = None
        self._pid = -1
        self._status: int | None = None
        super().__init__(spec)

    def _start(self, config: dict, req_r: int, res_w: int) -> None:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            conn.settimeout(self.spec.start_timeout)  # a fork server still importing torch answers late
            _connect(conn, self.address)
            request = {"op": "fork", "config": {k: v for k, v in config.items() if k not in ("in_fd", "out_fd")},
                       "cwd": str(self.spec.workspace), "env": clean_env()}
            socket.send_fds(conn, [json.dumps(request).encode()], [req_r, res_w, self._log.fileno()])
            data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
            reply = json.loads(data) if data else {"error": "the fork server closed the connection"}
        except (OSError, ValueError) as error:
            conn.close()
            raise ForkUnavailable(f"{type(error).__name__}: {error}") from None
        if "pid" not in reply:
            conn.close()
            for fd in fds:
                os.close(fd)
            raise ForkUnavailable(str(reply.get("error", "no pid in the fork server's answer")))
        self._pid = int(reply["pid"])
        self._pidfd = fds[0] if fds else None
        conn.setblocking(False)
        self._conn = conn

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._pid

    def poll(self) -> int | None:
        """The child's exit status as the fork server reported it; None while it runs."""
        if self._status is None:
            self._read_status()
        return self._status

    def _read_status(self) -> None:
        if self._conn is None:
            if self._pidfd is not None and select.select([self._pidfd], [], [], 0)[0]:
                self._status = _UNKNOWN_EXIT
            return
        try:
            data = self._conn.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            try:
                self._status = int(json.loads(data)["exit"])
            except (ValueError, KeyError, TypeError):
                self._status = _UNKNOWN_EXIT
            return
        self._conn.close()  # the fork server is gone: only the pidfd can still tell whether the child runs
        self._conn = None
        if self._pidfd is None or select.select([self._pidfd], [], [], 0)[0]:
            self._status = _UNKNOWN_EXIT

    def _wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            watched = [fd for fd in (self._conn, self._pidfd) if fd is not None]
            if not watched:
                time.sleep(min(left, 0.05))
            else:
                select.select(watched, [], [], min(left, 0.5))
        return self._status

    def _send_kill(self) -> None:
        try:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            else:
                os.killpg(self._pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def _let_die(self) -> None:
        pass  # the fork server reaps it

    def close(self) -> None:
        """End the child and release its pipes, its connection and its pidfd."""
        super().close()
        if self._conn is not None:
            self._conn.close()  # the fork server kills a child whose connection closes, in any case
            self._conn = None
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def _death_reason(self) -> str:
        reason = super()._death_reason()
        if self._status == _UNKNOWN_EXIT:
            return "ended (the grading service's fork server stopped, so how is not known)"
        return reason


def _connect(conn: socket.socket, address: str, wait: float = 10.0) -> None:
    """Connect, waiting while the socket does not exist yet (a fork server just started binds it in a moment)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.connect(address)
            return
        except FileNotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def spawn_forkserver(address: str, preload: Sequence[str] = (), idle_preload: Sequence[str] = (),
                     **popen: Any) -> subprocess.Popen:
    """Start a fork server listening at `address` (it binds at once and answers once torch is imported)."""
    env = dict(clean_env(), OPENBLAS_NUM_THREADS="1")  # numpy's BLAS would start a thread at import
    config = {"socket": address, "preload": list(preload), "idle_preload": list(idle_preload)}
    return subprocess.Popen([sys.executable, "-P", "-s", "-m", "grader.engine.forkserver", json.dumps(config)],
                            env=env, stdin=subprocess.DEVNULL, close_fds=True, cwd="/", **popen)


class ForkLauncher:
    """Starts learner processes through the fork server at `address`; spawns them when that fails."""

    def __init__(self, address: str):
        self.address = address
        self.failure: str | None = None

    def __call__(self, spec: ChildSpec) -> LearnerProcess:
        if self.failure is None:
            try:
                return ForkedLearnerProcess(spec, self.address)
            except ForkUnavailable as error:
                self.failure = str(error)
        return LearnerProcess(spec)
