"""The learner's process: `python -m grader.engine.worker CONFIG_JSON`, started by grader.engine.isolation with a clean environment
and the workspace as its working directory.

The fork server (grader.engine.forkserver) reaches `serve_learner` too, in a child forked from a process that has
already installed the hook and imported torch, so every learner process runs the same code from "ready" on.

Order matters: the audit hook goes in first (grader.engine.sandbox; hooks cannot be removed), then torch is imported (the
parent is importing its own torch meanwhile), then the worker says "ready" and waits. The first "load" request names
the learner's file: the forbidden-API wrappers go in, the sandbox turns strict, and the file is executed. Each "run"
request then calls a recipe on the learner's module under the task's guard and answers with one frame: a result, an
error (the learner's traceback, trimmed to their frames), a forbidden call or a refused access. Progress reports of
training recipes stream as they happen.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    """Serve the grader until it says exit or its pipe closes."""
    config = json.loads(argv[1])
    from grader.engine import sandbox

    begin_untrusted, take_refusals = sandbox.install(config)
    settle_process(parent=os.getppid())
    for path in config.get("sys_path", []):
        if path not in sys.path:
            sys.path.append(path)

    import torch  # noqa: F401 - the slow import, overlapping the parent's own

    for module in config.get("preload", []):
        __import__(module)
    from grader.engine import protocol

    _warm_up(torch, protocol)
    return serve_learner(config, begin_untrusted, take_refusals)


def settle_process(parent: int | None = None, request_fd: int | None = None) -> None:
    """Signals, crash dumps and the watch on the grader: this process ends when `parent` is no longer its parent
    (a spawned worker) or when the grader's end of the request pipe `request_fd` closes (a forked one)."""
    import faulthandler
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle; it kills this process
    faulthandler.enable()  # a segfault prints the Python stack (the learner's line) to the log the grader reads
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    if request_fd is not None:
        threading.Thread(target=_exit_on_hangup, args=(request_fd,), daemon=True).start()


def serve_learner(config: dict, begin_untrusted, take_refusals) -> int:
    """The learner's process once torch is imported: limits, "ready", the learner's file loaded under the strict
    sandbox, then requests until the grader says exit. Shared by the spawned worker and the fork server's children."""
    for path in config.get("sys_path", []):
        if path not in sys.path:
            sys.path.append(path)
    for module in config.get("preload", []):
        __import__(module)
    from grader.engine import harness, protocol
    from grader.engine.guard_runtime import RuntimeGuard
    from grader.engine.worker_run import Server

    import torch

    _limit_resources(config)
    server = Server(config, protocol, harness, RuntimeGuard, take_refusals)
    server.send({"kind": "ready", "pid": os.getpid(), "torch": str(torch.__version__)})
    request = server.receive()
    if request is None or request.get("op") != "load":
        return 0
    for module in request.get("preload", []):
        try:
            __import__(module)
        except ImportError:
            pass  # the learner's own import will report it, with their line
    server.prepare(request)
    begin_untrusted(request["file"])
    del begin_untrusted  # nothing the learner's code can reach may widen the sandbox again
    server.load(request)
    return server.serve()


def _warm_up(torch, protocol) -> None:
    """Pay torch's first-call costs (serialization, autograd) now, while the grader is busy importing too."""
    x = torch.ones(2, 2, requires_grad=True)
    (x * x).sum().backward()
    protocol.decode(protocol.encode({"x": x.detach(), "dtype": torch.float32}))


def _exit_with_parent(parent: int) -> None:
    import time

    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def _exit_on_hangup(fd: int) -> None:
    import select

    poller = select.poll()
    poller.register(fd, 0)  # POLLHUP is always reported: the grader's write end is closed
    while True:
        for _, events in poller.poll():
            if events & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                os._exit(3)


def _limit_resources(config: dict) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cap = int(config.get("memory_cap") or 0)
    if cap and config.get("rlimit_as", False):
        # Address space = what torch already mapped + the cap: allocations past it raise MemoryError instead of the
        # machine swapping. Not on CUDA, whose driver reserves huge address ranges.
        with open("/proc/self/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        vm_size = int(fields["VmSize"].split()[0]) * 1024
        limit = vm_size + cap
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
