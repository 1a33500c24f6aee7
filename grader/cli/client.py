"""The `grade` command's client of the grading service (grader.engine.service): `grade exercise` and `grade all` send
their command line to the service, which grades in a warm process and streams the report back; this process
imports nothing heavier than the standard library.

The service is started on demand (`python -m grader.cli.serve`, in a session of its own, logging to the private
directory) and the request waits for it. `--no-server`, GRADE_NO_SERVER=1, a private directory that is not private,
or a service that does not start all mean grading in this process, as before. A service that goes away in the middle
of a grading (killed, crashed) ends the command with a message saying so; the next command starts a fresh one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Sequence

from grader.engine import service_wire as wire

SERVED_COMMANDS = ("exercise", "all")
NO_SERVER_ENV = "GRADE_NO_SERVER"
START_TIMEOUT = 60.0  # seconds for a starting service to bind its socket (a busy machine)
LOST_MESSAGE = ("grade: the grading service stopped in the middle of this grading (it was killed or crashed), so "
                "there is no verdict; run the command again to start a fresh one, or add --no-server to grade "
                "without it")
_LOST_EARLY = object()


def wants_service(argv: Sequence[str]) -> bool:
    """Whether this command line is one the service runs."""
    if os.environ.get(NO_SERVER_ENV, "") not in ("", "0"):
        return False
    if argv and argv[0] == "drill" and "--check" in argv:  # grading a drill file once (the quiz, a drill session)
        return not any(a in ("--no-server", "-h", "--help") for a in argv)
    if not argv or argv[0] not in SERVED_COMMANDS:
        return False
    return not any(a in ("--no-server", "-h", "--help") for a in argv)


def request_for(argv: Sequence[str]) -> dict:
    """The request that runs `grade ARGV` in the service as it would run here."""
    env = dict(os.environ)
    tty = {"stdout": _isatty(sys.stdout), "stderr": _isatty(sys.stderr)}
    if tty["stdout"] or tty["stderr"]:
        try:
            size = os.get_terminal_size(sys.stdout.fileno() if tty["stdout"] else sys.stderr.fileno())
            env.setdefault("COLUMNS", str(size.columns))
            env.setdefault("LINES", str(size.lines))
        except (OSError, ValueError):
            pass
    umask = os.umask(0o022)
    os.umask(umask)
    return {"op": "grade", "argv": list(argv), "cwd": os.getcwd(), "env": env, "tty": tty, "umask": umask,
            "pid": os.getpid()}


def run(argv: Sequence[str]) -> int | None:
    """Run `grade ARGV` through the service; its exit status, or None when the service cannot be used."""
    try:
        folder = wire.runtime_dir()
        request = request_for(argv)
    except (wire.ServiceUnavailable, OSError):
        return None
    for _ in range(2):
        sock = connect(folder)
        if sock is None:
            return None
        try:
            wire.send(sock, request)
            result = _relay(sock)
        except OSError:
            result = _LOST_EARLY
        finally:
            sock.close()
        if result is not _LOST_EARLY:
            return result  # type: ignore[return-value]
    return None


def connect(folder, start: bool = True) -> socket.socket | None:
    """A connection to the running service, starting one when there is none (None when none can be had)."""
    path = str(wire.socket_path(folder))
    sock = _try_connect(path)
    if sock is not None or not start:
        return sock
    process = _start_service(folder)
    starts, deadline = 1, time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        sock = _try_connect(path)
        if sock is not None:
            return sock
        code = process.poll()
        if code not in (None, 0):  # it failed to start: grade without it
            return None
        if code == 0 and starts < 3 and not os.path.exists(path):
            # it found another service holding the lock, which has gone since without a socket (an idle exit)
            time.sleep(0.2)
            if not os.path.exists(path) and _try_connect(path) is None:
                process, starts = _start_service(folder), starts + 1
        time.sleep(0.01)
    return None


def _try_connect(path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        if wire.peer_uid(sock) != os.getuid():
            raise OSError("the socket belongs to another user")
    except OSError:
        sock.close()
        return None
    return sock


def _start_service(folder) -> subprocess.Popen:
    log_path = wire.log_path(folder)
    try:
        if log_path.stat().st_size > (1 << 20):
            log_path.unlink()
    except OSError:
        pass
    env = {k: v for k, v in os.environ.items() if k != NO_SERVER_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(wire.REPO_DIR), env.get("PYTHONPATH")]))
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        return subprocess.Popen([sys.executable, "-m", "grader.cli.serve"], stdin=subprocess.DEVNULL, stdout=fd,
                                stderr=fd, cwd="/", env=env, start_new_session=True, close_fds=True)
    finally:
        os.close(fd)


def _relay(sock: socket.socket) -> int | object:
    """Copy the service's output to ours until its exit status comes; Ctrl-C is passed on as an interrupt."""
    started = False
    interrupted_at: float | None = None
    while True:
        try:
            message = wire.receive(sock)
        except KeyboardInterrupt:
            if interrupted_at is not None:  # a second Ctrl-C: stop waiting
                return 130
            interrupted_at = time.monotonic()
            try:
                wire.send(sock, {"op": "interrupt"})
            except OSError:
                return 130
            continue
        except (OSError, ValueError):
            message = None
        if message is None:
            if not started:
                return _LOST_EARLY
            print(LOST_MESSAGE, file=sys.stderr, flush=True)
            return 3
        started = True
        if "out" in message:
            _write(sys.stdout, message["out"])
        elif "err" in message:
            _write(sys.stderr, message["err"])
        elif "exit" in message:
            return int(message["exit"])


def _write(stream, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def service_request(message: dict) -> dict | None:
    """Send one administrative request (status, stop) to the running service; its answer, None when none runs."""
    try:
        folder = wire.runtime_dir()
    except wire.ServiceUnavailable:
        return None
    sock = connect(folder, start=False)
    if sock is None:
        return None
    try:
        sock.settimeout(120.0)  # a service restarting after a code change answers once it is back
        wire.send(sock, message)
        return wire.receive(sock)
    except (OSError, ValueError):
        return None
    finally:
        sock.close()
