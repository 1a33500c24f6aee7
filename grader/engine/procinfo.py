"""Facts about this process and the code it runs, for the grading service and its fork server: how many threads it
has (a fork is safe with one), a kernel signal on its parent's death, and a watch on the project's code."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Sequence

_CODE_SUFFIXES = (".py", ".toml", ".json")


class CodeWatch:
    """What the service's code is made of, to notice a change: every code file (.py, .toml, .json) under `roots`
    (folders where a new topic or check may appear), the folders `stat_only` themselves (a package installed in
    site-packages changes its modification time), and the files of the modules this process has imported from
    `project` (tui's store, say), however many are imported later."""

    def __init__(self, roots: Sequence[Path], stat_only: Sequence[Path] = (), project: Path | None = None):
        self.roots = [Path(r) for r in roots]
        self.stat_only = [Path(p) for p in stat_only]
        self.project = str(project) + os.sep if project else None
        self.snapshot = self._scan()
        self.modules: dict[str, tuple[int, int] | None] = {}
        self.note_imports()

    def _scan(self) -> dict[str, tuple[int, int] | None]:
        found: dict[str, tuple[int, int] | None] = {str(p): _stat(p) for p in self.stat_only}
        for root in self.roots:
            if not root.is_dir():
                found[str(root)] = _stat(root)
                continue
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
                for name in files:
                    if name.endswith(_CODE_SUFFIXES):
                        path = os.path.join(folder, name)
                        found[path] = _stat(path)
        return found

    def note_imports(self) -> None:
        """Take the files of newly imported project modules into the watch."""
        import sys

        if self.project is None:
            return
        installed = tuple(os.path.join(p, "") for p in {sys.prefix, sys.base_prefix})  # a venv inside the checkout
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if (isinstance(path, str) and path.startswith(self.project) and not path.startswith(installed)
                    and path not in self.modules):
                self.modules[path] = _stat(path)

    def changed(self) -> str | None:
        """The first file found changed, added or removed since the watch began; None when none is."""
        now = self._scan()
        if now != self.snapshot:
            for path in sorted(set(now) | set(self.snapshot)):
                if now.get(path, "gone") != self.snapshot.get(path, "new"):
                    return path
        for path, stamp in self.modules.items():
            if _stat(path) != stamp:
                return path
        return None


def _stat(path: str | Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def thread_count() -> int:
    """Threads of this process."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def set_parent_death_signal(sig: int = signal.SIGKILL) -> None:
    """Have the kernel send `sig` to this process when its parent dies (Linux; nothing elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


