"""The grading service: a per-user process that keeps the trusted side of grading warm (torch, pytest, hypothesis,
the checks imported) and a fork server (grader.engine.forkserver) for learner processes, so that a grading costs
its checks' compute and little else. Every grading still runs in a fresh learner process, forked from a process
that never ran learner code, under the same sandbox, limits and verdict rules as a grading without the service.

Started on demand by the `grade` command's client (grader.cli.client), which runs `python -m grader.cli.serve`; that
module supplies the request handler and the module lists, this one everything else:

- the socket (grader.engine.service_wire: a private 0700 directory, a 0600 socket, peer uid checked) and a lock, so
  that one service runs per checkout and interpreter even when two terminals start one at the same moment;
- one grading = one child forked from this process (`handler(conn, request, context)` runs there, with the client's
  connection): gradings run side by side, nothing one of them does stays for the next, and this process never
  touches a learner's file or anything a learner's process sent. A grading child dies with the service
  (PR_SET_PDEATHSIG), its learner process with the grading;
- no thread ever runs here, and torch never computes here (only imports), so that forking copies a consistent
  process;
- a restart when the project's code or topic files change (checked before every grading and every two seconds
  while idle): the service re-executes itself, keeping its socket, so that a waiting client is answered by the new
  code; the old fork server retires once its learner processes have ended;
- an exit after `idle_seconds` (10 minutes) without a grading.
"""

from __future__ import annotations

import gc
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from grader.engine import service_wire as wire
from grader.engine.procinfo import CodeWatch, set_parent_death_signal, thread_count

IDLE_ENV = "TORCHPREP_GRADE_SERVICE_IDLE"
DEFAULT_IDLE = 600.0


@dataclass(frozen=True)
class ServiceContext:
    """What a grading child knows of its service."""

    forkserver: str  # the fork server's socket
    service_pid: int
    folder: Path


@dataclass
class ServiceConfig:
    """What the command line gives the service: how to handle a grading, what to import, what to watch."""

    handler: Callable[[socket.socket, dict, ServiceContext], int]
    entry: str  # the module whose `python -m` restarts the service
    warm: Sequence[str] = ()  # imported before the first grading
    idle_warm: Sequence[str] = ()  # imported one at a time while no grading runs
    watch: Sequence[Path] = ()  # files and folders whose change restarts the service
    watch_stat: Sequence[Path] = ()  # folders whose own entry list counts, not what is below (site-packages)
    project: Path | None = None  # the checkout: the files of modules imported from it are watched too
    warm_up: Callable[[], None] | None = None  # run once after the imports (no threads, no torch computation)
    forkserver_preload: Sequence[str] = ()
    forkserver_idle_preload: Sequence[str] = ()
    idle_seconds: float = field(default_factory=lambda: float(os.environ.get(IDLE_ENV) or DEFAULT_IDLE))


def serve(config: ServiceConfig, argv: Sequence[str] = ()) -> int:
    """Run the service until it has been idle for config.idle_seconds or is told to stop; the exit status.

    argv carries what a restart hands on: --listener FD --lock FD --children PID,PID.
    """
    inherited = _parse_inherited(argv)
    if "numpy" not in sys.modules:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # numpy's BLAS would start a thread at import; forks need none
    from grader.engine.isolation import quiet_threads

    quiet_threads()
    try:
        service = _Service(config, inherited)
    except _AlreadyRunning:
        return 0
    return service.run()


class _AlreadyRunning(Exception):
    pass


def _parse_inherited(argv: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    args = list(argv)
    for i, arg in enumerate(args[:-1]):
        if arg in ("--listener", "--lock"):
            out[arg[2:]] = int(args[i + 1])
        elif arg == "--children":
            out["children"] = {int(p) for p in args[i + 1].split(",") if p}
    return out


class _Service:
    def __init__(self, config: ServiceConfig, inherited: dict[str, Any]):
        self.config = config
        self.folder = wire.runtime_dir()
        self.path = wire.socket_path(self.folder)
        self.lock_fd = inherited.get("lock")
        if self.lock_fd is None:
            self.lock_fd = _take_lock(wire.lock_path(self.folder))
        self.code = CodeWatch(config.watch, config.watch_stat, config.project)  # before importing what it covers
        self.code_id = f"{os.getpid()}-{time.time():.6f}"
        if "listener" in inherited:
            self.listener = socket.socket(fileno=inherited["listener"])
        else:
            self.listener = _bind(self.path)
        os.set_inheritable(self.listener.fileno(), False)
        os.set_inheritable(self.lock_fd, False)
        self.socket_inode = _inode(self.path)  # what to remove at the end: our socket, not a successor's
        self.gradings: set[int] = set(inherited.get("children", ()))
        self.served = 0
        self.started = time.time()
        self.last_activity = time.monotonic()
        self.forkserver: subprocess.Popen | None = None
        self.forkserver_path = str(self.folder / f"fork-{wire.service_key()}-{os.getpid()}-{int(time.time())}.sock")
        self._spawn_forkserver()
        for module in config.warm:
            _import(module)
        if config.warm_up is not None:
            try:
                config.warm_up()
            except Exception as error:  # noqa: BLE001 - only speed is lost
                _log(f"warm-up failed: {type(error).__name__}: {error}")
        self.code.note_imports()
        gc.freeze()  # what is here now is never collected: a grading's collections skip it, and pages stay shared
        self.idle_warm = list(config.idle_warm)
        self.stopping = False
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.selector.register(self.listener, selectors.EVENT_READ, "listen")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.changed_at: float | None = None
        self.last_check = time.monotonic()
        if thread_count() != 1:
            _log(f"warning: {thread_count()} threads after start-up; forks may be unsafe")

    def _stop(self, *_: object) -> None:
        self.stopping = True

    # --- the loop ---------------------------------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until stopped or idle for too long; the exit status."""
        while not self.stopping:
            events = self.selector.select(timeout=0.5)
            for key, _ in events:
                if key.data == "listen":
                    changed = self._stale()
                    if changed:
                        self._restart(changed)  # the waiting client is answered by the new code
                    self._accept()
                else:
                    _drain(self.wake_r)
            self._reap()
            now = time.monotonic()
            if not events and not self.gradings:
                if now - self.last_activity > self.config.idle_seconds:
                    break
                if now - self.last_check > 2.0:
                    self._check_code_while_idle(now)
                if self.idle_warm and now - self.last_activity > 1.0:
                    _import(self.idle_warm.pop(0))
                    self.code.note_imports()
                    gc.freeze()
                    self._check_threads()
        self._shutdown()
        return 0

    def _check_code_while_idle(self, now: float) -> None:
        self.last_check = now
        changed = self.code.changed()
        if changed is None:
            self.changed_at = None
        elif self.changed_at is None:
            self.changed_at = now  # restart once the files have been quiet for a moment
        elif now - self.changed_at >= 2.0 and self.code.changed() is not None:
            self._restart(changed)

    def _stale(self) -> str | None:
        return self.code.changed()

    def _check_threads(self) -> None:
        if thread_count() != 1:
            _log(f"warning: {thread_count()} threads after a warm-up import; forks may be unsafe")

    # --- requests ---------------------------------------------------------------------------------------------------

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            if wire.peer_uid(conn) != os.getuid():
                conn.close()
                return
            conn.settimeout(5.0)
            request = wire.receive(conn)
            conn.settimeout(None)
        except (OSError, ValueError):
            conn.close()
            return
        if not isinstance(request, dict):
            conn.close()
            return
        op = request.get("op")
        if op == "grade":  # asking for the status is no activity: it neither delays warming nor the idle exit
            self.last_activity = time.monotonic()
            self._fork_grading(conn, request)
            return
        try:
            if op == "status":
                wire.send(conn, self.status())
            elif op == "stop":
                wire.send(conn, {"stopping": True, "pid": os.getpid()})
                self.stopping = True
            else:
                wire.send(conn, {"error": f"unknown request {op!r}"})
        except OSError:
            pass
        conn.close()

    def status(self) -> dict[str, Any]:
        """What `grade server status` shows."""
        return {"pid": os.getpid(), "forkserver_pid": self.forkserver.pid if self.forkserver else None,
                "gradings": len(self.gradings), "served": self.served, "started": self.started, "socket": str(self.path),
                "idle_s": round(time.monotonic() - self.last_activity, 1), "threads": thread_count(),
                "idle_exit_s": self.config.idle_seconds, "code": self.code_id,
                "warm_left": len(self.idle_warm)}

    def _fork_grading(self, conn: socket.socket, request: dict) -> None:
        if self.forkserver is None or self.forkserver.poll() is not None:
            self._spawn_forkserver()
        context = ServiceContext(self.forkserver_path, os.getpid(), self.folder)
        me = os.getpid()
        pid = os.fork()
        if pid:
            self.gradings.add(pid)
            self.served += 1
            conn.close()
            return
        code = 3
        try:
            self._become_grading(me)
            code = int(self.config.handler(conn, request, context))
        except BaseException:  # noqa: BLE001 - a grading child never returns into the service's loop
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def _become_grading(self, parent: int) -> None:
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != parent:  # the service died between the fork and the line above
            os._exit(3)
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.selector.close()
        self.listener.close()
        for fd in (self.wake_r, self.wake_w, self.lock_fd):
            os.close(fd)

    # --- children -----------------------------------------------------------------------------------------------

    def _spawn_forkserver(self) -> None:
        from grader.engine.forked import spawn_forkserver

        if self.forkserver is None or self.forkserver.poll() is not None:
            self.forkserver = spawn_forkserver(self.forkserver_path, self.config.forkserver_preload,
                                               self.config.forkserver_idle_preload)

    def _reap(self) -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.gradings:
                self.gradings.discard(pid)
                self.last_activity = time.monotonic()
            elif self.forkserver is not None and pid == self.forkserver.pid:
                self.forkserver.returncode = -1  # respawned when the next grading asks
                _log("the fork server ended; a new one starts with the next grading")

    def _retire_forkserver(self) -> None:
        if self.forkserver is not None and self.forkserver.poll() is None:
            self.forkserver.send_signal(signal.SIGTERM)  # it exits once its learner processes have ended

    def _restart(self, changed: str) -> None:
        _log(f"{changed} changed: restarting")
        self._retire_forkserver()
        signal.set_wakeup_fd(-1)
        os.set_inheritable(self.listener.fileno(), True)
        os.set_inheritable(self.lock_fd, True)
        argv = [sys.executable, "-m", self.config.entry, "--listener", str(self.listener.fileno()),
                "--lock", str(self.lock_fd), "--children", ",".join(map(str, sorted(self.gradings)))]
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)

    def _shutdown(self) -> None:
        if self.socket_inode is not None and _inode(self.path) == self.socket_inode:
            try:
                os.unlink(self.path)
            except OSError:
                pass
        self.listener.close()
        self._retire_forkserver()
        if self.forkserver is not None:
            try:
                self.forkserver.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.forkserver.kill()
        os.close(self.lock_fd)


def _take_lock(path: Path) -> int:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise _AlreadyRunning() from None
    return fd


def _bind(path: Path) -> socket.socket:
    try:
        os.unlink(path)  # we hold the lock: whatever socket is there belongs to a service that is gone
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    listener.listen(64)
    return listener


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _import(module: str) -> None:
    try:
        __import__(module)
    except Exception as error:  # noqa: BLE001 - a grading imports it again and reports what is wrong
        _log(f"could not import {module}: {type(error).__name__}: {error}")


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except OSError:
        pass


def _log(text: str) -> None:
    print(f"[grade service {os.getpid()} {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
