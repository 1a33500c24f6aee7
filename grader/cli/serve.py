"""`python -m grader.cli.serve`: the grading service's process (grader.engine.service), with the `grade` command as
the request handler. The client (grader.cli.client) starts it; nobody needs to run it by hand.

What the service imports before its first grading (WARM) is what every grading needs; the built-in topics' checks
and the kit follow one at a time while it is idle, and the fork server preloads the topics' recipes the same way.
A grading runs in a child forked from the service: `handle` takes the client's working directory, environment and
umask, sends learner processes through the fork server, and runs the command line exactly as `grade` would here,
its output going to the client as it is written (a terminal client gets colours, its width and the live progress
bars). The client's Ctrl-C, or its going away, interrupts the grading as Ctrl-C would.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Sequence

from grader.engine import service_wire as wire

REPO = wire.REPO_DIR
WATCH_ENV = "TORCHPREP_GRADE_SERVICE_WATCH"  # more folders whose change restarts the service (the tests use it)
WARM = [
    "torch", "pytest", "_pytest.python", "_pytest.runner", "_pytest.main", "_pytest.fixtures", "_pytest.skipping",
    "_pytest.terminal", "_pytest.assertion.rewrite", "hypothesis", "hypothesis.strategies", "rich.console",
    "rich.text", "rich.progress", "rich.live", "grader.cli.commands", "grader.cli.report", "grader.cli.grading",
    "grader.cli.workspace", "grader.engine.runner", "grader.engine.plugin", "grader.engine.session",
    "grader.engine.guard", "grader.engine.verdict", "grader.engine.cascade", "grader.engine.forked",
    "grader.engine.spec", "tui.paths", "tui.store",
]
FORKSERVER_PRELOAD = ["grader.engine.harness", "grader.engine.protocol", "grader.engine.guard_runtime",
                      "grader.engine.worker_run"]


def topic_modules(kind: str) -> list[str]:
    """The built-in topics' `kind` modules (checks, recipes), by folder, without importing the catalog."""
    folder = REPO / "grader" / "topics"
    try:
        names = sorted(p.name for p in folder.iterdir() if (p / f"{kind}.py").is_file() and p.name[:2].isdigit())
    except OSError:
        return []
    return [f"grader.topics.{name}.{kind}" for name in names]


def warm_up() -> None:
    """First-call costs every grading would pay, paid once here: the built-in topics' manifest is read, and
    hypothesis sets up its per-thread random state (with a full garbage collection) the first time a test runs."""
    from hypothesis import given, settings

    from grader.engine import catalog

    catalog.builtin()
    from hypothesis import strategies as st

    @settings(database=None, max_examples=2, deadline=None)
    @given(st.integers(0, 3))
    def nothing(n: int) -> None:
        pass

    nothing()


def config():
    """The service's configuration: this module's handler, what to import, what to watch."""
    import sysconfig

    from grader.engine.service import ServiceConfig

    kit = ["grader.kit.compare", "grader.kit.checks", "grader.kit.recipes", "grader.kit.stats"]
    extra = [Path(p) for p in os.environ.get(WATCH_ENV, "").split(os.pathsep) if p]
    return ServiceConfig(
        handler=handle, entry="grader.cli.serve", warm=WARM, warm_up=warm_up,
        idle_warm=["grader.engine.catalog", *kit, *topic_modules("checks"), "plotext"],
        watch=[REPO / "grader", REPO / "solutions", REPO / "pyproject.toml", *extra],
        watch_stat=[Path(sysconfig.get_paths()["purelib"])], project=REPO,
        forkserver_preload=FORKSERVER_PRELOAD,
        forkserver_idle_preload=["torchvision", "grader.kit.recipes", *topic_modules("recipes")],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the service (argv: what a restart hands on)."""
    from grader.engine.service import serve

    return serve(config(), list(sys.argv[1:] if argv is None else argv))


# --- one grading, in a child forked from the service ------------------------------------------------------------


class _Link:
    """The client's connection: output frames out (from any thread), interrupts in."""

    def __init__(self, conn: socket.socket):
        self.conn = conn
        self.lock = threading.Lock()
        self.gone = False
        self.done = False  # the exit status is on its way: the client's hanging up is no interrupt any more

    def send(self, message: dict) -> None:
        """Send one frame; once the client is gone, nothing."""
        with self.lock:
            if self.gone:
                return
            try:
                wire.send(self.conn, message)
            except OSError:
                self.gone = True

    def watch(self) -> None:
        """Interrupt the grading when the client asks, or goes away (runs in a thread)."""
        main = threading.main_thread().ident
        while True:
            try:
                message = wire.receive(self.conn)
            except (OSError, ValueError):
                message = None
            if message is None:
                self.gone = True
            if (message is None or message.get("op") == "interrupt") and not self.done:
                signal.pthread_kill(main, signal.SIGINT)
            if message is None:
                return


class _Channel(io.TextIOBase):
    """sys.stdout or sys.stderr of a grading: text goes to the client as it is written."""

    def __init__(self, link: _Link, key: str, tty: bool):
        self.link, self.key, self.tty = link, key, tty

    def write(self, text: str) -> int:  # type: ignore[override]
        if text:
            self.link.send({self.key: text})
        return len(text)

    def isatty(self) -> bool:
        return self.tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def flush(self) -> None:
        pass


def handle(conn: socket.socket, request: dict, context) -> int:
    """Run the request's `grade` command line in this (forked) process, its output going to the client."""
    from grader.engine.forked import ForkLauncher
    from grader.engine.proxy import set_default_launcher

    link = _Link(conn)
    link.send({"started": os.getpid()})
    tty = request.get("tty") or {}
    sys.stdout = _Channel(link, "out", bool(tty.get("stdout")))
    sys.stderr = _Channel(link, "err", bool(tty.get("stderr")))
    threading.Thread(target=link.watch, daemon=True).start()
    try:
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in (request.get("env") or {}).items()})
        os.umask(int(request.get("umask", 0o022)))
        os.chdir(str(request.get("cwd") or "/"))
    except (OSError, ValueError) as error:
        print(f"grade: cannot grade in {request.get('cwd')}: {error}", file=sys.stderr)
        link.send({"exit": 2})
        return 2
    set_default_launcher(ForkLauncher(context.forkserver))
    from grader.cli.commands import main as run_command

    try:
        code = run_command(list(request.get("argv") or []))
    except SystemExit as exit_:  # argparse: usage errors and --help
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    except KeyboardInterrupt:
        code = 130
    link.done = True
    link.send({"exit": int(code)})
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
