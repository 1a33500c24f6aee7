"""The fork server: a process that has imported torch but never runs learner code, forking one fresh learner process
per request. `python -P -s -m grader.engine.forkserver CONFIG_JSON`, started by the grading service
(grader.engine.service) with a clean environment.

Order, as in grader.engine.worker: the audit hook goes in first (grader.engine.sandbox, installed without its paths),
then the socket is bound (requests queue while torch imports), then torch and the preloads are imported and torch's
first-call costs paid. No thread is started in this process, so a fork copies a consistent process; the server checks
that before each fork and refuses (the grading then spawns a worker of its own) if one ever appears.

A request is one SOCK_SEQPACKET message from a trusted grading process (same user, checked with SO_PEERCRED):
{"op": "fork", "config": the worker config, "cwd", "env"} carrying three file descriptors: the learner's request
pipe (read end), its answer pipe (write end) and its log. The child closes every other descriptor, starts a session
of its own, takes the request's environment and working directory, configures the sandbox with the request's
paths and runs grader.engine.worker.serve_learner, the spawned worker's own code from "ready" on: limits, guards and
the strict sandbox before the learner's file loads. The server answers {"pid"} (with a pidfd, where the kernel has
them), later {"exit": status} when it reaps the child, and kills the child if the grading closes the connection
first. SIGTERM retires the server: it stops listening and exits once its last child has gone; so does the service's
death.
"""

from __future__ import annotations

import json
import os
import socket
import sys

MAX_MESSAGE = 1 << 20


def main(argv: list[str]) -> int:
    """Serve fork requests until retired."""
    config = json.loads(argv[1])
    from grader.engine import sandbox

    configure, begin_untrusted, take_refusals = sandbox.install_deferred()
    listener = _bind(config["socket"])
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch

    for module in config.get("preload", []):
        _try_import(module)
    from grader.engine import protocol, worker

    worker._warm_up(torch, protocol)
    import gc

    gc.freeze()  # the imported heap stays shared with the children, and their collections skip it
    server = _Server(listener, config, (configure, begin_untrusted, take_refusals))
    return server.run()


def _bind(path: str) -> socket.socket:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    old = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    listener.listen(32)
    return listener


def _try_import(module: str) -> None:
    try:
        __import__(module)
    except Exception as error:  # noqa: BLE001 - a child imports it again and reports it where it matters
        print(f"fork server: could not preload {module}: {type(error).__name__}: {error}", file=sys.stderr)


class _Server:
    def __init__(self, listener: socket.socket, config: dict, sandbox_fns: tuple):
        import selectors
        import signal

        self.listener = listener
        self.path = config["socket"]
        self.inode = os.stat(self.path).st_ino
        self.parent = os.getppid()
        self.idle_preload = list(config.get("idle_preload", []))
        self.sandbox_fns = sandbox_fns
        self.children: dict[int, socket.socket] = {}  # pid -> its grading's connection
        self.by_conn: dict[int, int] = {}  # connection fd -> pid
        self.retiring = False
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._retire)
        self.selector.register(listener, selectors.EVENT_READ, "listen")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")

    def _retire(self, *_: object) -> None:
        self.retiring = True

    def run(self) -> int:
        """Fork learners on request until retired and childless; the exit status."""
        import time

        idle_since = time.monotonic()
        while True:
            if self.retiring or os.getppid() != self.parent:
                self._stop_listening()
                if not self.children:
                    return 0
            events = self.selector.select(timeout=0.5)
            for key, _ in events:
                if key.data == "listen":
                    self._accept()
                elif key.data == "wake":
                    self._drain_wakeup()
                else:
                    self._request(key.fileobj)
            self._reap()
            if events:
                idle_since = time.monotonic()
            elif self.idle_preload and not self.children and time.monotonic() - idle_since > 1.0:
                _try_import(self.idle_preload.pop(0))  # what later gradings will want, while nothing runs
                import gc

                gc.freeze()

    # --- connections ----------------------------------------------------------------------------------------------

    def _stop_listening(self) -> None:
        if self.listener is None:
            return
        self.selector.unregister(self.listener)
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        self.listener.close()
        self.listener = None  # type: ignore[assignment]

    def _accept(self) -> None:
        import selectors
        import struct

        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", creds)
        if uid != os.getuid():
            conn.close()
            return
        self.selector.register(conn, selectors.EVENT_READ, "conn")

    def _drain_wakeup(self) -> None:
        try:
            while os.read(self.wake_r, 512):
                pass
        except (BlockingIOError, OSError):
            pass

    def _request(self, conn: socket.socket) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 4)
        except OSError:
            data, fds = b"", []
        if not data:
            self._hang_up(conn)
            for fd in fds:
                os.close(fd)
            return
        try:
            message = json.loads(data)
            if message.get("op") != "fork" or len(fds) != 3 or conn.fileno() in self.by_conn:
                raise ValueError("expected one fork request with three descriptors")
            from grader.engine.procinfo import thread_count

            if thread_count() != 1:
                raise ValueError(f"the fork server has {thread_count()} threads; it forks only with one")
            pid = self._fork(message, fds)
        except Exception as error:  # noqa: BLE001 - the grading falls back to a spawned worker
            for fd in fds:
                os.close(fd)
            self._send(conn, {"error": f"{type(error).__name__}: {error}"})
            return
        for fd in fds:
            os.close(fd)
        self.children[pid] = conn
        self.by_conn[conn.fileno()] = pid
        pidfds = []
        if hasattr(os, "pidfd_open"):
            try:
                pidfds = [os.pidfd_open(pid)]
            except OSError:
                pidfds = []
        try:
            socket.send_fds(conn, [json.dumps({"pid": pid}).encode()], pidfds)
        except OSError:
            pass
        for fd in pidfds:
            os.close(fd)

    def _send(self, conn: socket.socket, message: dict) -> None:
        try:
            conn.send(json.dumps(message).encode())
        except OSError:
            pass

    def _hang_up(self, conn: socket.socket) -> None:
        """The grading closed its connection: its learner process goes too."""
        import signal

        pid = self.by_conn.pop(conn.fileno(), None)
        if pid is not None and pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.children[pid] = None  # type: ignore[assignment] - reaped below, nobody to tell
        self.selector.unregister(conn)
        conn.close()

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is not None:
                self._send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                self.by_conn.pop(conn.fileno(), None)
                self.selector.unregister(conn)
                conn.close()

    # --- the child --------------------------------------------------------------------------------------------------

    def _fork(self, message: dict, fds: list[int]) -> int:
        pid = os.fork()
        if pid:
            return pid
        code = 1
        try:
            code = self._become_learner(message, fds)
        except BaseException:  # noqa: BLE001 - whatever happens, this child never returns into the server's loop
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)

    def _become_learner(self, message: dict, fds: list[int]) -> int:
        import signal

        req_r, res_w, log = fds
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        # Nothing of the server's may reach the learner: its sockets, its selector, its wakeup pipe. Socket objects
        # are detached first, so that none of them later closes a descriptor number the learner has reused.
        sockets = [key.fileobj for key in self.selector.get_map().values() if isinstance(key.fileobj, socket.socket)]
        self.selector.close()
        for sock in [self.listener, *self.children.values(), *sockets]:
            if sock is not None and sock.fileno() >= 0:
                os.close(sock.detach())
        keep = {0, 1, 2, req_r, res_w}
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.chdir(message.get("cwd") or "/")
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in (message.get("env") or {}).items()})
        configure, begin_untrusted, take_refusals = self.sandbox_fns
        self.sandbox_fns = None  # type: ignore[assignment]
        config = dict(message["config"], in_fd=req_r, out_fd=res_w)
        configure(config)
        from grader.engine import worker

        worker.settle_process(request_fd=req_r)
        return worker.serve_learner(config, begin_untrusted, take_refusals)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
