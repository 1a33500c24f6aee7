"""The audit hook of the learner's process: installed before anything else, and audit hooks cannot be removed.

Two phases. While the worker imports torch (trusted code) the hook only refuses sqlite3. Once the learner's file
starts loading, it also refuses: opening anything under the read-protected paths (the reference solutions, the user
data dir holding the quiz's store, the report files, the workspace's grader state), writing, renaming or deleting
under the write-protected paths (the grader's and quiz's code, the solutions, the Python installation), writing
Python code anywhere but the temporary directory (a planted conftest.py or torch.py), other
processes' /proc entries, starting processes, signalling other processes, loading native code or poking memory with
ctypes, and walking the garbage collector (the way back to this hook's own state).

The fork server (grader.engine.forkserver) installs the hook before importing torch, as the worker does, but learns
the paths only when a grading asks for a learner process: `install_deferred` returns a `configure` that the forked
child calls once, before its learner's file loads.

Every refusal raises PermissionError and is remembered, so the grader can fail a task whose code tried, even if that
code swallowed the error. Imports only os and sys: it runs before torch.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

# Events refused outright once the learner's code runs (the value says what the code tried).
_UNTRUSTED_EVENTS = {
    "subprocess.Popen": "start a process",
    "os.system": "start a process",
    "os.exec": "start a process",
    "os.posix_spawn": "start a process",
    "os.spawn": "start a process",
    "os.fork": "fork the process",
    "os.forkpty": "fork the process",
    "pty.spawn": "start a process",
    "os.killpg": "signal other processes",
    "ctypes.dlopen": "load native code",
    "ctypes.dlsym": "load native code",
    "ctypes.dlsym/handle": "load native code",
    "ctypes.PyObj_FromPtr": "read raw memory",
    "ctypes.cdata": "read raw memory",
    "gc.get_objects": "walk the garbage collector",
    "gc.get_referrers": "walk the garbage collector",
    "gc.get_referents": "walk the garbage collector",
    "socket.connect": "open network connections",
    "socket.bind": "open network connections",
    "socket.getaddrinfo": "open network connections",
}
_PATH_EVENTS_WRITE = {
    "os.rename": (0, 1),
    "os.replace": (0, 1),
    "os.remove": (0,),
    "os.unlink": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.symlink": (1,),
    "os.link": (1,),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.copytree": (1,),
    "shutil.move": (0, 1),
}
_PATH_EVENTS_READ = {
    "os.listdir": (0,),
    "os.scandir": (0,),
    "os.symlink": (0,),
    "os.link": (0,),
    "shutil.copyfile": (0,),
    "shutil.copytree": (0,),
    "os.rename": (0,),
    "os.replace": (0,),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Files Python would run if the grader met them on its path later (a planted conftest.py, torch.py, a .pth): the
# learner's code may write them only under the temporary directory, which nothing imports from.
_CODE_SUFFIXES = (".py", ".pyc", ".pth", ".so")
_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # grader/engine/ -> checkout


def _real(path: Any) -> str | None:
    if isinstance(path, int) or path is None:
        return None
    try:
        return os.path.realpath(os.fsdecode(path))
    except Exception:  # an argument that is not a path at all
        return None


def _under(path: str, roots: tuple[str, ...]) -> str | None:
    for root in roots:
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            return root
    return None


def install(config: dict[str, Any]) -> tuple[Callable[[str], None], Callable[[], list[str]]]:
    """Install the hook; returns (begin_untrusted(learner_file), take_refusals()).

    config: read_protected and write_protected (lists of paths), block_ctypes_calls (bool).
    begin_untrusted works once: later calls change nothing, so the learner's code cannot widen the exemption.
    """
    configure, begin_untrusted, take_refusals = install_deferred()
    configure(config)
    return begin_untrusted, take_refusals


def install_deferred() -> tuple[Callable[[dict[str, Any]], None], Callable[[str], None], Callable[[], list[str]]]:
    """Install the hook before its paths are known (the fork server: torch is imported before any grading asks for
    a learner process); returns (configure(config), begin_untrusted(learner_file), take_refusals()).

    configure works once and only before begin_untrusted; until begin_untrusted the hook refuses only sqlite3, as in
    install. The process's own pid and temporary directory are read when configure runs, in the forked child.
    """
    policy: dict[str, Any] = {"read": (), "write": (), "events": dict(_UNTRUSTED_EVENTS), "configured": False,
                              "temp": ()}
    # The checkout and the environment hold code the grader imports; they may sit under /tmp (a CI clone), so they
    # are refused even where the temporary directory would allow a write.
    code_roots = tuple({os.path.realpath(p) for p in (_REPO_ROOT, sys.prefix, sys.base_prefix)})
    state: dict[str, Any] = {"untrusted": False, "exempt": ()}
    refusals: list[str] = []

    def configure(config: dict[str, Any]) -> None:
        if policy["configured"] or state["untrusted"]:
            return
        policy["configured"] = True
        policy["read"] = tuple(sorted({os.path.realpath(p) for p in config.get("read_protected", ())}))
        policy["write"] = tuple(sorted({os.path.realpath(p) for p in config.get("write_protected", ())}))
        events = dict(_UNTRUSTED_EVENTS)
        if config.get("block_ctypes_calls", True):
            events["ctypes.call_function"] = "call native code"
        policy["events"] = events
        policy["temp"] = tuple({os.path.realpath(p) for p in (os.environ.get("TMPDIR") or "/tmp", "/tmp",
                                                              "/dev/shm")})

    def refuse(what: str) -> None:
        if len(refusals) < 50:
            refusals.append(what)
        raise PermissionError(f"the grader does not let exercise code {what}")

    def check_read(path: Any, event: str) -> None:
        real = _real(path)
        if real is None or real in state["exempt"] or real.startswith(state["exempt"][1:] or ("\0",)):
            return
        if _under(real, policy["read"]):
            refuse(f"read {real} ({event})")
        if real.startswith("/proc/"):
            pid = real.split("/")[2]
            if pid.isdigit() and pid != str(os.getpid()):
                refuse(f"read another process's {real}")

    def check_write(path: Any, event: str) -> None:
        real = _real(path)
        if real is None:
            return
        if _under(real, policy["write"]) or _under(real, policy["read"]):
            refuse(f"write {real} ({event})")
        if real.endswith(_CODE_SUFFIXES) and (not _under(real, policy["temp"]) or _under(real, code_roots)):
            refuse(f"write Python code outside the temporary directory: {real} ({event})")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "sqlite3.connect":
            refuse("open an SQLite database (the progress store)")
        if not state["untrusted"]:
            return
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            check_read(path, "open")
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and mode is None and flags & _WRITE_FLAGS
            )
            if writing:
                check_write(path, "open for writing")
            return
        if event in policy["events"]:
            refuse(policy["events"][event])
        if event == "os.kill":
            if not args or args[0] != os.getpid():
                refuse("signal other processes")
            return
        if event == "object.__setattr__" and args:
            owner = getattr(args[0], "__module__", "") or ""
            if isinstance(owner, str) and owner.startswith("grader") and callable(args[0]):
                refuse(f"patch the grader's {getattr(args[0], '__qualname__', '?')}")
            return
        if event in _PATH_EVENTS_READ:
            for i in _PATH_EVENTS_READ[event]:
                if i < len(args):
                    check_read(args[i], event)
        if event in _PATH_EVENTS_WRITE:
            for i in _PATH_EVENTS_WRITE[event]:
                if i < len(args):
                    check_write(args[i], event)

    def begin_untrusted(learner_file: str) -> None:
        if not policy["configured"]:  # fail closed: learner code never runs under an empty policy
            raise RuntimeError("the sandbox was never configured")
        if not state["untrusted"]:
            real = os.path.realpath(learner_file)
            folder, name = os.path.split(real)
            stem = name.rsplit(".", 1)[0]
            # The file being graded, and its bytecode cache, may be read even when it is a reference solution.
            state["exempt"] = (real, os.path.join(folder, "__pycache__", stem + "."))
            state["untrusted"] = True

    def take_refusals() -> list[str]:
        taken = list(refusals)
        refusals.clear()
        return taken

    sys.addaudithook(hook)
    return configure, begin_untrusted, take_refusals
