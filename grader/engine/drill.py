"""Drills, the grader's side: a task written again from memory in a file of its own, graded against the reference.

A drill file holds only the drilled task's names. It is graded as a module whose namespace is first filled with
the *drill prelude*: the reference solution with the top-level definitions of the task's names removed, and with
them every top-level private helper (a name starting with `_`) that only those names reach. The learner's drill file
then runs in the same namespace, so a reference function of another task that calls a drilled name calls the
learner's one (the cascade rule: the rest of the topic comes from the reference). A reference definition that needs
a drilled name while it is being defined (`class AdamW(Adam)`, a default argument) is kept for the *postlude*, run
after the learner's file.

The prelude is computed here, on the trusted side, and sent with the load request: the learner's process never sees
a reference implementation of the drilled names. While a drill is graded the sandbox also read-protects the
learner's earlier work: the workspace's topic files (and their backups and editor copies), the other drill files,
the workspace's bytecode cache and its grader state (`drill_protected`).

Everything here is pure (source text in, source text out) except `drill_protected`, which lists a folder.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader.engine.manifest import Task, Topic

DRILLS_DIR = "drills"


@dataclass(frozen=True)
class Prelude:
    """The reference code a drill runs with: `before` the learner's drill file, `after` it (both may be '')."""

    before: str
    after: str
    removed: tuple[str, ...]  # the top-level names taken out: the task's names and their private helpers
    filename: str = "<reference>"

    def request(self) -> dict:
        """The form the load request carries to the learner's process."""
        return {"before": self.before, "after": self.after, "filename": self.filename}


def _targets(node: ast.stmt) -> list[str]:
    """The top-level names a statement defines (functions, classes, plain assignments)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _definition_time_loads(node: ast.stmt, lazy_annotations: bool) -> set[str]:
    """The names a top-level statement reads while it runs (not later, when a function it defines is called)."""
    out: set[str] = set()

    def visit(n: ast.AST) -> None:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in n.decorator_list:
                out.update(_loads(d))
            for default in [*n.args.defaults, *[d for d in n.args.kw_defaults if d is not None]]:
                out.update(_loads(default))
            if not lazy_annotations:
                for arg in [*n.args.posonlyargs, *n.args.args, *n.args.kwonlyargs, n.args.vararg, n.args.kwarg]:
                    if arg is not None and arg.annotation is not None:
                        out.update(_loads(arg.annotation))
                if n.returns is not None:
                    out.update(_loads(n.returns))
            return  # the body runs when the function is called
        if isinstance(n, ast.Lambda):
            for default in [*n.args.defaults, *[d for d in n.args.kw_defaults if d is not None]]:
                out.update(_loads(default))
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            out.add(n.id)
        if isinstance(n, ast.AnnAssign) and lazy_annotations:
            if n.value is not None:
                visit(n.value)
            return
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return out


def _graph(tree: ast.Module) -> dict[str, set[str]]:
    """For each top-level name: the names its definition loads (anywhere in it, bodies included)."""
    graph: dict[str, set[str]] = {}
    for node in tree.body:
        for name in _targets(node):
            graph.setdefault(name, set()).update(_loads(node) - {name})
    return graph


def _reach(graph: dict[str, set[str]], start: set[str], blocked: set[str] = frozenset()) -> set[str]:
    seen: set[str] = set()
    stack = [n for n in start if n not in blocked]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(n for n in graph.get(name, ()) if n not in blocked and n not in seen)
    return seen


def removed_names(tree: ast.Module, names: tuple[str, ...]) -> set[str]:
    """The task's names and the top-level private helpers reachable from them and from nothing else kept."""
    graph = _graph(tree)
    drilled = set(names)
    private = {n for n in _reach(graph, drilled) - drilled if n.startswith("_") and n in graph}
    roots: set[str] = set()
    for node in tree.body:
        targets = _targets(node)
        if not targets and not isinstance(node, (ast.Import, ast.ImportFrom)):
            roots |= _loads(node)  # module-level code (an __all__ check, a call) keeps what it uses
        roots |= {t for t in targets if t not in drilled and t not in private}
    kept = _reach(graph, roots, blocked=drilled)  # through the drilled names nothing is kept: they are gone
    return drilled | (private - kept)


def _segment_lines(node: ast.stmt) -> tuple[int, int]:
    """First and last line (1-based) of a statement, decorators included."""
    first = min([node.lineno, *[d.lineno for d in getattr(node, "decorator_list", [])]])
    return first, node.end_lineno or node.lineno


def prelude(solution_source: str, task: Task, topic: Topic | None = None) -> Prelude:
    """The drill prelude (and postlude) of `task` from the reference solution's source (see the module docstring).

    Raises SyntaxError when the solution does not parse (a grader authoring bug)."""
    tree = ast.parse(solution_source)
    removed = removed_names(tree, task.names)
    lazy = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and
               any(a.name == "annotations" for a in n.names) for n in tree.body)
    lines = solution_source.splitlines(keepends=True)
    before: list[str] = []
    after: list[str] = []
    deferred = set(removed)
    future: list[str] = []
    for index, node in enumerate(tree.body):
        first, last = _segment_lines(node)
        text = "".join(lines[first - 1:last])
        targets = _targets(node)
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, str):
            continue  # the reference's docstring is not the drill's
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            future.append(text)
            continue
        if targets and set(targets) <= removed:
            continue
        if _definition_time_loads(node, lazy) & deferred:
            after.append(text)
            deferred.update(targets)
        else:
            before.append(text)
    where = f"<reference of topic {topic.number} without {task.id}>" if topic else f"<reference without {task.id}>"
    head = "".join(future)
    return Prelude(before=head + "\n".join(before), after=(head + "\n".join(after)) if after else "",
                   removed=tuple(sorted(removed)), filename=where)


# --- the drill file's content -----------------------------------------------------------------------------------


def stub_definitions(stub_source: str, names: tuple[str, ...]) -> str:
    """The stub's imports and its top-level definitions of `names`, in the stub's order, each as written there."""
    tree = ast.parse(stub_source)
    wanted = set(names)
    missing = wanted - {t for n in tree.body for t in _targets(n)}
    if missing:
        raise ValueError(f"the stub defines no {', '.join(sorted(missing))}")
    lines = stub_source.splitlines(keepends=True)
    imports: list[str] = []
    defs: list[str] = []
    for node in tree.body:
        first, last = _segment_lines(node)
        text = "".join(lines[first - 1:last]).rstrip("\n")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif set(_targets(node)) & wanted:
            defs.append(text)
    return "\n".join(imports) + "\n\n\n" + "\n\n\n".join(defs) + "\n"


def task_text(stub_source: str, task: Task) -> str:
    """What to write for `task`, as plain text: each name's signature and the contract its stub docstring states."""
    tree = ast.parse(stub_source)
    out = [f"{task.id} {task.title}: write {', '.join(task.names)} from memory."]
    for node in tree.body:
        if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in task.names):
            continue
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            out.append(f"\nclass {node.name}({bases})" if bases else f"\nclass {node.name}")
            doc = ast.get_docstring(node)
            if doc:
                out.append(_indent(doc))
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                        item.name == "__init__" or not item.name.startswith("_")):
                    out.append(f"  def {item.name}({ast.unparse(item.args)})")
                    method_doc = ast.get_docstring(item)
                    if method_doc:
                        out.append(_indent(method_doc, "      "))
        else:
            returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
            out.append(f"\ndef {node.name}({ast.unparse(node.args)}){returns}")
            doc = ast.get_docstring(node)
            if doc:
                out.append(_indent(doc))
    return "\n".join(out).strip() + "\n"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.splitlines())


def drill_file_text(task: Task, stub_source: str) -> str:
    """The content of a fresh drill file: a header (task, title, par, the task text) and the stub's imports and
    definitions of the task's names only."""
    header = [f"# Drill {task.id}: {task.title} (par {task.par_minutes:g} min)",
              "# Write it from memory; the grader re-grades on every save. The rest of the topic comes from the",
              "# reference solution. This file is kept after the drill.", "#"]
    header += [f"# {line}".rstrip() for line in task_text(stub_source, task).splitlines()]
    return "\n".join(header) + "\n\n" + stub_definitions(stub_source, task.names)


# --- what the drill may not read --------------------------------------------------------------------------------

_TOPIC_FILE = re.compile(r"\d{2,}_[a-z][a-z0-9_]*\.py")


def drill_protected(workspace: Path, topics: tuple[Topic, ...] | list[Topic]) -> list[str]:
    """Paths the learner's process may not read while a drill is graded: the workspace's topic files (NN_slug.py,
    their .bak backups and editor copies such as .NN_slug.py.swp), its bytecode cache, its grader state and the
    drills folder (the drill file being graded stays readable: the sandbox exempts the file it loads)."""
    workspace = Path(workspace).resolve()
    out = {workspace / DRILLS_DIR, workspace / ".grade", workspace / "__pycache__"}
    out |= {workspace / t.filename for t in topics}
    names = {t.filename for t in topics}
    try:
        entries = list(workspace.iterdir())
    except OSError:
        entries = []
    for entry in entries:
        if any(name in entry.name for name in names) or _TOPIC_FILE.search(entry.name):
            out.add(entry)
    return sorted(str(p) for p in out)


def drill_path(workspace: Path, task_id: str, stamp: str) -> Path:
    """A fresh drill file's path <workspace>/drills/<task>-<stamp>.py, suffixed -1, -2, ... when taken."""
    folder = Path(workspace) / DRILLS_DIR
    path = folder / f"{task_id}-{stamp}.py"
    n = 1
    while path.exists():
        path = folder / f"{task_id}-{stamp}-{n}.py"
        n += 1
    return path
