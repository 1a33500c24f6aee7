"""Grading one topic: the static guard, then the topic's checks run by pytest in this process against the learner's
module in a child process, collected into a Verdict.

    from grader.runner import grade
    verdict = grade(27, Path("exercises"))          # every task of topic 27, on the CPU
    verdict = grade(27, ws, tasks={"27.2"}, device="cuda")
"""

from __future__ import annotations

import io
import os
import re
import sys
import sysconfig
from pathlib import Path
from typing import Any, Callable, Iterable

from grader import catalog as catalogs
from grader.isolation import DEFAULT_MEMORY_CAP, ChildSpec
from grader.manifest import REPO_DIR, Topic
from grader.proxy import ChildLearner, ChildPool
from grader.verdict import TaskResult, Verdict

STATE_DIR_NAME = ".grade"


class GradeError(Exception):
    """A problem with the request itself (unknown task, missing file): one message, no traceback."""


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
    read |= {str(Path(p).resolve()) for p in protect}
    write = {str(REPO_DIR / d) for d in ("grader", "solutions", "tui", "tests", "bench", "questions")}
    write |= {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    write |= {str(REPO_DIR / "pyproject.toml")}
    if catalog.root is not None:
        write.add(str(catalog.root))
        sys_path = (str(catalog.checks_dir),)
    else:
        sys_path = ()
    if device == "auto":
        device = "cuda" if os.path.exists("/dev/nvidiactl") else "cpu"
    return ChildSpec(workspace=workspace, device=device, memory_cap=memory_cap, read_protected=tuple(sorted(read)),
                     write_protected=tuple(sorted(write)), sys_path=sys_path)


def preloads(topic: Topic, catalog: catalogs.Catalog, learner_source: str) -> list[str]:
    """Modules the learner's process imports before the sandbox turns strict: the recipe modules the checks use, and
    torchvision when anything of the topic mentions it (it loads native code, which learner code may not)."""
    check = catalog.check_path(topic)
    text = check.read_text(encoding="utf-8") if check.exists() else ""
    modules = {f"grader.recipes.{m}" for m in re.findall(r"grader\.recipes\.(\w+)", text)}
    modules |= {f"grader.recipes.{m}" for line in re.findall(r"from grader\.recipes import ([\w, ]+)", text)
                for m in re.split(r"[,\s]+", line) if m and m != "as"}
    sources = [text, learner_source, " ".join(n for t in topic.tasks for n in t.forbidden)]
    for module in modules:
        path = REPO_DIR / (module.replace(".", "/") + ".py")
        if path.exists():
            sources.append(path.read_text(encoding="utf-8"))
    out = ["torchvision"] if any("torchvision" in s for s in sources) else []
    return out + sorted(m for m in modules if (REPO_DIR / (m.replace(".", "/") + ".py")).exists())


def syntax_error_message(error: SyntaxError, filename: str) -> str:
    """'27_rnn.py:12:5: SyntaxError: invalid syntax' and the offending line with a caret."""
    text = f"{filename}:{error.lineno}:{error.offset or 0}: {type(error).__name__}: {error.msg}"
    if error.text:
        line = error.text.rstrip("\n")
        text += f"\n    {line.strip()}"
        if error.offset:
            indent = len(line) - len(line.lstrip())
            text += "\n    " + " " * max(0, error.offset - 1 - indent) + "^"
    return text


def grade(topic_number: int, workspace: str | Path, tasks: Iterable[str] | None = None, device: str = "cpu", *,
          learner_file: str | Path | None = None, catalog: catalogs.Catalog | None = None,
          pool: ChildPool | None = None, memory_cap: int = DEFAULT_MEMORY_CAP, events: Any = None,
          protect: Iterable[str | Path] = (), data_dir: str | Path | None = None) -> Verdict:
    """Grade the learner's file for one topic and return the verdict (tasks in manifest order).

    `tasks` limits the run to some task ids; `pool` supplies learner processes (a pre-started one saves the torch
    import); `events` receives task_started / progress / task_finished calls for a live report; `protect` lists extra
    paths the learner's code may not open (the report files).
    """
    catalog = catalog or catalogs.current()
    try:
        topic = catalog.topic(int(topic_number))
    except KeyError as error:
        raise GradeError(error.args[0]) from None
    wanted = _wanted(topic, tasks)
    workspace = Path(workspace)
    path = Path(learner_file) if learner_file else workspace / topic.filename
    if not path.is_file():
        raise GradeError(f"no file {path} to grade (run `grade exercise {topic.number}` to start from a stub)")
    source = path.read_text(encoding="utf-8", errors="replace")
    selected = [t for t in topic.tasks if t.id in wanted]
    base = dict(topic=topic.number, title=topic.title, learner_file=str(path), device=str(device))

    from grader import guard

    try:
        findings = guard.scan_source(source, selected)
    except SyntaxError as error:
        message = syntax_error_message(error, path.name)
        results = tuple(TaskResult(t.id, t.title, "error", f"your file does not load: {message}", 0.0, t.training)
                        for t in selected)
        _announce(events, results)
        return Verdict(tasks=results, message=message, **base)
    decided = {tid: ("forbidden", found[0].message(tid, path.name)) for tid, found in findings.items() if found}

    own_pool = pool is None
    if pool is None:
        pool = ChildPool(child_spec(workspace, device, catalog=catalog, memory_cap=memory_cap, protect=protect,
                                    data_dir=data_dir))
        pool.prestart()
    forbidden = sorted({n for t in topic.tasks for n in t.forbidden})
    on_progress = getattr(events, "progress", None)

    def factory(t: Topic) -> ChildLearner:
        return ChildLearner(pool, path, forbidden, preloads(topic, catalog, source), on_progress=on_progress)

    from grader.plugin import GradingSession

    session = GradingSession(topic, factory, tasks=wanted, decided=decided, events=events)
    for tid in decided:
        if events is not None:
            events.task_finished(session.result(tid))
    try:
        code, output = run_pytest(catalog.check_path(topic), catalog, path, device, session)
    finally:
        if session.handle is not None:
            session.handle.close()
        if own_pool:
            pool.close()
    if session.interrupted:
        raise KeyboardInterrupt
    results = tuple(session.result(t.id) for t in selected)
    message = ""
    load_error = getattr(session.handle, "load_error", None)
    if load_error is not None:
        message = f"your file does not load: {load_error}"
    elif code in (3, 4):
        message = "the grader could not run the checks:\n" + output[-2000:]
    return Verdict(tasks=results, message=message, unassigned=tuple(session.unassigned), **base)


def _wanted(topic: Topic, tasks: Iterable[str] | None) -> set[str]:
    if tasks is None:
        return {t.id for t in topic.tasks}
    wanted = set(tasks)
    for tid in wanted:
        try:
            topic.task(tid)
        except KeyError as error:
            raise GradeError(error.args[0]) from None
    return wanted


def _announce(events: Any, results: Iterable[TaskResult]) -> None:
    if events is not None:
        for r in results:
            events.task_finished(r)


def run_pytest(check_path: Path, catalog: catalogs.Catalog, learner_file: Path, device: str,
               session: Any) -> tuple[int, str]:
    """pytest.main on one check module in this process, quietly, with `session` registered as the grading plugin;
    (exit code, what pytest printed)."""
    import pytest

    if not check_path.exists():
        session.collect_errors.append(f"{check_path} does not exist yet")
        return 5, ""
    args = [str(check_path), "-c", os.devnull, "--rootdir", str(check_path.parent), "--confcutdir",
            str(check_path.parent), "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:stepwise",
            # these two run gc.collect() five times at exit: over a second with torch loaded
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:logging", "-s", "-q",
            "--tb=no", "--no-header", "--learner-file", str(learner_file), "--device", str(device)]
    if catalog.root is not None:
        args += ["--catalog", str(catalog.root)]
    saved_env = {k: os.environ.get(k) for k in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    sink = io.StringIO()
    saved_out, saved_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sink
    try:
        code = pytest.main(args, plugins=[session])
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return int(code), sink.getvalue()


def direct_learner(topic: Topic, path: Path, config: Any) -> tuple[ChildLearner, Callable[[], None]]:
    """The learner handle for `pytest grader/checks/...` run directly: a child process of its own."""
    from grader.plugin import catalog_of

    catalog = catalog_of(config)
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
