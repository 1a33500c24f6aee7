"""How learner processes are started for a grading: what they may not read or write, which modules they import
before the sandbox turns strict, and the learner handle for checks run directly with pytest."""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from pathlib import Path
from typing import Any, Callable, Iterable

from grader.engine import catalog as catalogs
from grader.engine import service_wire
from grader.engine.isolation import DEFAULT_MEMORY_CAP, ChildSpec
from grader.engine.manifest import REPO_DIR, Topic
from grader.engine.proxy import ChildLearner, ChildPool

STATE_DIR_NAME = ".grade"


def user_data_dir(override: str | Path | None = None) -> Path:
    """The quiz's data directory (its SQLite store), by tui.paths.data_dir's rule but without creating it:
    `override`, else $TORCHPREP_DATA_DIR, else the platform's user data dir for torchprep."""
    import platformdirs

    chosen = override or os.environ.get("TORCHPREP_DATA_DIR") or platformdirs.user_data_dir("torchprep",
                                                                                              appauthor=False)
    return Path(chosen).expanduser()


def child_spec(workspace: Path, device: str = "cpu", *, catalog: catalogs.Catalog | None = None,
               memory_cap: int = DEFAULT_MEMORY_CAP, protect: Iterable[str | Path] = (),
               data_dir: str | Path | None = None) -> ChildSpec:
    """How to start learner processes for `workspace`: what they may not read or write."""
    catalog = catalog or catalogs.current()
    workspace = Path(workspace).resolve()
    read = {str(catalog.solutions_dir), str(catalogs.builtin().solutions_dir), str(workspace / STATE_DIR_NAME),
            str(user_data_dir(data_dir))}
    # correct variants of the training tasks are solutions too
    read |= {str(t.variants_dir) for c in {catalog, catalogs.builtin()} for t in c.topics}
    read |= {str(Path(p).resolve()) for p in protect}
    read.add(str(service_wire.chosen_dir()))  # the grading service's sockets and log
    write = {str(REPO_DIR / d) for d in ("grader", "solutions", "tui", "tests", "bench", "questions")}
    write |= {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    write |= {str(REPO_DIR / "pyproject.toml")}
    if catalog.root is not None:
        write.add(str(catalog.root))
        sys_path: tuple[str, ...] = (str(catalog.import_root),)
    else:
        sys_path = ()
    if device == "auto":
        device = "cuda" if os.path.exists("/dev/nvidiactl") else "cpu"
    return ChildSpec(workspace=workspace, device=device, memory_cap=memory_cap, read_protected=tuple(sorted(read)),
                     write_protected=tuple(sorted(write)), sys_path=sys_path)


def preloads(topic: Topic, catalog: catalogs.Catalog, learner_source: str) -> list[str]:
    """Modules the learner's process imports before the sandbox turns strict: the topic's recipes (and the kit
    modules they import inside functions), and torchvision when anything of the topic mentions it (it loads native
    code, which learner code may not)."""
    def read(path: Path) -> str:
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    recipes = topic.folder / "recipes.py"
    recipe_text = read(recipes)
    modules = {f"{catalog.package(topic)}.recipes"} if recipe_text else set()
    for name in re.findall(r"\b(grader\.kit(?:\.\w+)+)", recipe_text):
        while name.count(".") > 1 and not (REPO_DIR / (name.replace(".", "/") + ".py")).is_file():
            name = name.rsplit(".", 1)[0]  # a function of a module named in full: import the module
        if (REPO_DIR / (name.replace(".", "/") + ".py")).is_file():
            modules.add(name)
    sources = [read(catalog.check_path(topic)), recipe_text, learner_source,
               " ".join(n for t in topic.tasks for n in t.forbidden)]
    out = ["torchvision"] if any("torchvision" in s for s in sources) else []
    return out + sorted(modules)


def direct_learner(topic: Topic, path: Path, config: Any) -> tuple[ChildLearner, Callable[[], None]]:
    """The learner handle for `pytest grader/checks/...` run directly: a child process of its own."""
    catalog = catalogs.current(config.getoption("grader_catalog", None))
    cap_text = config.getoption("grader_memory_cap")
    cap = parse_size(cap_text) if cap_text else DEFAULT_MEMORY_CAP
    spec = child_spec(path.parent, config.getoption("grade_device"), catalog=catalog, memory_cap=cap)
    pool = ChildPool(spec)
    source = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    forbidden = sorted({n for t in topic.tasks for n in t.forbidden})
    handle = ChildLearner(pool, path, forbidden, preloads(topic, catalog, source))

    def cleanup() -> None:
        handle.close()
        pool.close()

    return handle, cleanup


def parse_size(text: str) -> int:
    """'4G', '512M', '300MiB', '1000000' -> bytes; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?\s*", str(text))
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 4G or 512M)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)
