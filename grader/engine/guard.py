"""The forbidden-API guard, static half: which forbidden torch APIs the code of each task refers to.

The learner's file is parsed (never run here) and every reference is resolved to a dotted name through imports and
aliases (`from torch.nn import functional as F`, `ce = F.cross_entropy`), attribute chains, `getattr` with a constant
or constant-folded name (`getattr(F, 'cross' + '_entropy')`), `torch.ops.aten.X`, `__dict__`/`vars` lookups and
`importlib.import_module`. A reference counts against a task when it sits in one of the task's names or in a
module-level helper they use, transitively. Names are compared by identity of the torch objects they denote, so
`torch.nn.modules.loss.CrossEntropyLoss` is `torch.nn.CrossEntropyLoss`.

The runtime half (grader/guard_runtime.py) catches what no parser can see, in the learner's process.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Iterable, Sequence

from grader.engine.manifest import Task

MISSING: Any = object()
ROOTS = ("torch", "torchvision")

# Why an API is off limits, per topic: the end of "27.2 used torch.nn.LSTM (forbidden: write the recurrence yourself)".
def reason(task_id: str) -> str:
    """The learner-facing reason the forbidden APIs of this task are off limits: its topic's `forbidden_reason`
    (topic.toml), else "implement it yourself"."""
    from grader.engine import manifest

    head = task_id.split(".")[0]
    for topic in manifest.topics() if head.isdigit() else ():
        if topic.number == int(head) and topic.forbidden_reason:
            return topic.forbidden_reason
    return "implement it yourself"


def forbidden_message(task_id: str, api: str, where: str = "") -> str:
    """'27.2 used torch.nn.LSTM (forbidden: write the recurrence yourself)', plus where, on a second line."""
    text = f"{task_id} used {api} (forbidden: {reason(task_id)})"
    return text + (f"\n  at {where}" if where else "")


@dataclass(frozen=True)
class Finding:
    """One forbidden reference in the learner's source."""

    api: str  # the manifest's name for it, e.g. torch.nn.functional.cross_entropy
    line: int
    source: str  # how the learner wrote it, e.g. getattr(F, 'cross' + '_entropy')

    def message(self, task_id: str, filename: str) -> str:
        """The learner-facing verdict message for this finding in `task_id`."""
        return forbidden_message(task_id, self.api, f"{filename}:{self.line}: {self.source}")


# --- resolving dotted names to torch objects -------------------------------------------------------------------------


def _step(obj: Any, part: str) -> Any:
    """obj.part without running module __getattr__ hooks (torch lazily imports heavy modules from those)."""
    if type(obj).__name__ in ("_OpNamespace", "_Ops", "_PyOpNamespace"):
        return getattr(obj, part, MISSING)  # torch.ops.<ns>.<op>: creating a packet imports nothing
    if isinstance(obj, ModuleType):
        if part in vars(obj):
            return vars(obj)[part]
        return sys.modules.get(f"{obj.__name__}.{part}", MISSING)
    try:
        return inspect.getattr_static(obj, part)
    except AttributeError:
        return getattr(obj, part, MISSING) if part in ("default",) else MISSING


def lookup(dotted: str) -> Any:
    """The object `dotted` denotes among modules already imported (imports nothing), or MISSING."""
    parts = dotted.split(".")
    if parts[0] not in ROOTS or parts[0] not in sys.modules:
        return MISSING
    obj: Any = sys.modules[parts[0]]
    for part in parts[1:]:
        obj = _step(obj, part)
        if obj is MISSING:
            return MISSING
    return obj


def resolve(name: str) -> Any:
    """The object a manifest name denotes, importing the torch/torchvision modules it needs; MISSING if none."""
    parts = name.split(".")
    if parts[0] not in ROOTS:
        return MISSING
    if parts[:2] == ["torch", "ops"] and len(parts) > 2 and parts[2] == "torchvision":
        _try_import("torchvision")
    for k in range(len(parts), 0, -1):
        if _try_import(".".join(parts[:k])):
            break
    return lookup(name)


def _try_import(module: str) -> bool:
    if module in sys.modules:
        return True
    try:
        importlib.import_module(module)
        return True
    except Exception:  # not a module (an attribute), or a module that cannot load here: resolution says MISSING
        return False


class ForbiddenSet:
    """The forbidden APIs of one task, matched by identity of the objects they denote (or by name as a fallback)."""

    def __init__(self, entries: Iterable[str]):
        self.entries = tuple(entries)
        self._by_id: dict[int, str] = {}
        self._keep: list[Any] = []  # hold the objects so their ids stay theirs
        for entry in self.entries:
            obj = resolve(entry)
            if obj is not MISSING:
                self._by_id.setdefault(id(obj), entry)
                self._keep.append(obj)
        self.tensor_methods = {e.rsplit(".", 1)[1]: e for e in self.entries if e.startswith("torch.Tensor.")}

    def match(self, dotted: str) -> str | None:
        """The entry that `dotted`, or a prefix of it (a forbidden module or class), denotes; None if none."""
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            prefix = ".".join(parts[:k])
            if prefix in self.entries:
                return prefix
            obj = lookup(prefix)
            if obj is not MISSING and id(obj) in self._by_id:
                return self._by_id[id(obj)]
        return None


# --- the parse ---------------------------------------------------------------------------------------------------


class _Names:
    """Flow-insensitive bindings of a file: import aliases, simple assignments, constant strings, star imports."""

    def __init__(self, tree: ast.Module, defined: set[str]):
        self.aliases: dict[str, list[ast.AST | str]] = {}
        self.strings: dict[str, ast.AST] = {}
        self.star: list[str] = []
        self.defined = defined
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases.setdefault(a.asname, []).append(a.name)
                    else:
                        root = a.name.split(".")[0]
                        self.aliases.setdefault(root, []).append(root)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for a in node.names:
                    if a.name == "*":
                        self.star.append(node.module)
                    else:
                        self.aliases.setdefault(a.asname or a.name, []).append(f"{node.module}.{a.name}")
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.aliases.setdefault(t.id, []).append(node.value)
                        self.strings[t.id] = node.value
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                self.aliases.setdefault(node.target.id, []).append(node.value)

    def fold(self, node: ast.AST, depth: int = 0) -> str | None:
        """The constant string `node` evaluates to, if it is built from constants only."""
        if depth > 20:
            return None
        d = depth + 1
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name) and node.id in self.strings:
            return self.fold(self.strings[node.id], d)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.fold(node.left, d), self.fold(node.right, d)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                s = self.fold(v.value if isinstance(v, ast.FormattedValue) else v, d)
                if s is None:
                    return None
                parts.append(s)
            return "".join(parts)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            base = self.fold(node.value, d)
            bounds = [self._int(b) for b in (node.slice.lower, node.slice.upper, node.slice.step)]
            if base is None or MISSING in bounds:
                return None
            return base[slice(*bounds)]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = self.fold(node.func.value, d)
            if owner is None:
                return None
            if node.func.attr == "join" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
                items = [self.fold(e, d) for e in node.args[0].elts]
                return None if None in items else owner.join(items)  # type: ignore[arg-type]
            if node.func.attr == "format" and not node.keywords:
                args = [self.fold(a, d) for a in node.args]
                return None if None in args else owner.format(*args)
            if node.func.attr in ("lower", "upper", "strip") and not node.args:
                return getattr(owner, node.func.attr)()
        return None

    @staticmethod
    def _int(node: ast.AST | None) -> Any:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return -node.operand.value if isinstance(node.operand.value, int) else MISSING
        return MISSING

    def dotted(self, node: ast.AST, depth: int = 0) -> set[str]:
        """The dotted names `node` may denote (empty when it is not a reference to a module attribute)."""
        if depth > 20:
            return set()
        d = depth + 1
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                out: set[str] = set()
                for value in self.aliases[node.id]:
                    out |= {value} if isinstance(value, str) else self.dotted(value, d)
                return out
            if node.id not in self.defined and self.star:
                return {f"{m}.{node.id}" for m in self.star}
            return set()
        if isinstance(node, ast.Attribute):
            return {f"{b}.{node.attr}" for b in self.dotted(node.value, d)}
        if isinstance(node, ast.Subscript):  # X.__dict__['name'] and vars(X)['name']
            key = self.fold(node.slice, d)
            if key is None:
                return set()
            base = node.value
            if isinstance(base, ast.Attribute) and base.attr == "__dict__":
                return {f"{b}.{key}" for b in self.dotted(base.value, d)}
            if isinstance(base, ast.Call) and _called(base, "vars") and len(base.args) == 1:
                return {f"{b}.{key}" for b in self.dotted(base.args[0], d)}
            return set()
        if isinstance(node, ast.Call):
            if _called(node, "getattr") and len(node.args) >= 2:
                name = self.fold(node.args[1], d)
                return {f"{b}.{name}" for b in self.dotted(node.args[0], d)} if name else set()
            if _called(node, "import_module") and node.args:
                name = self.fold(node.args[0], d)
                return {name} if name else set()
            if _called(node, "__import__") and node.args:
                name = self.fold(node.args[0], d)
                has_fromlist = len(node.args) >= 4 or any(k.arg == "fromlist" for k in node.keywords)
                return set() if not name else {name} if has_fromlist else {name.split(".")[0]}
            if isinstance(node.func, ast.Call) and _called(node.func, "attrgetter") and node.func.args and node.args:
                path = self.fold(node.func.args[0], d)
                return {f"{b}.{path}" for b in self.dotted(node.args[0], d)} if path else set()
        return set()

    def receiver_unknown(self, node: ast.AST) -> bool:
        """True when `node` is an expression whose value the parse cannot name (a tensor variable, a call result)."""
        if isinstance(node, ast.Name) and node.id in ("self", "cls"):
            return False
        return not self.dotted(node)


def _called(call: ast.Call, name: str) -> bool:
    f = call.func
    return (isinstance(f, ast.Name) and f.id == name) or (isinstance(f, ast.Attribute) and f.attr == name)


def _module_level_defs(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Top-level definitions (def, class, assignments; also inside top-level if/try/with) by name."""
    defs: dict[str, list[ast.AST]] = {}

    def visit(body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs.setdefault(stmt.name, []).append(stmt)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            defs.setdefault(n.id, []).append(stmt)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(stmt, block, []))
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return defs


def _segment(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def scan_source(source: str, tasks: Sequence[Task]) -> dict[str, list[Finding]]:
    """Per task id, the forbidden references in the code its names use (directly or through module-level helpers).

    Raises SyntaxError when `source` does not parse.
    """
    tree = ast.parse(source)
    defs = _module_level_defs(tree)
    names = _Names(tree, set(defs))
    sets = {t.id: ForbiddenSet(t.forbidden) for t in tasks if t.forbidden}
    uses: dict[str, set[str]] = {}
    refs: dict[str, list[ast.AST]] = {}
    for name, nodes in defs.items():
        uses[name] = set()
        refs[name] = []
        for top in nodes:
            for node in ast.walk(top):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in defs:
                    uses[name].add(node.id)
                if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Import, ast.ImportFrom)):
                    refs[name].append(node)
    result: dict[str, list[Finding]] = {}
    for task in tasks:
        fset = sets.get(task.id)
        if fset is None:
            result[task.id] = []
            continue
        reach, todo = set(), [n for n in task.names if n in defs]
        while todo:
            n = todo.pop()
            if n not in reach:
                reach.add(n)
                todo.extend(uses[n] - reach)
        found: dict[tuple[str, int], Finding] = {}
        for n in sorted(reach):
            for node in refs[n]:
                for api in _forbidden_refs(node, names, fset):
                    key = (api, getattr(node, "lineno", 0))
                    found.setdefault(key, Finding(api, key[1], _segment(source, node)))
        result[task.id] = sorted(found.values(), key=lambda f: (f.line, f.api))
    return result


def _forbidden_refs(node: ast.AST, names: _Names, fset: ForbiddenSet) -> set[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        full = [a.name for a in node.names] if isinstance(node, ast.Import) else [
            f"{node.module}.{a.name}" for a in node.names if node.module and node.level == 0 and a.name != "*"
        ]
        return {m for m in (fset.match(f) for f in full) if m}
    hits = {m for m in (fset.match(d) for d in names.dotted(node)) if m}
    if fset.tensor_methods:
        attr, receiver = None, None
        if isinstance(node, ast.Attribute):
            attr, receiver = node.attr, node.value
        elif isinstance(node, ast.Call) and _called(node, "getattr") and len(node.args) >= 2:
            attr, receiver = names.fold(node.args[1]), node.args[0]
        if attr in fset.tensor_methods and receiver is not None and names.receiver_unknown(receiver):
            hits.add(fset.tensor_methods[attr])
    return hits


def scan_file(path: str, tasks: Sequence[Task]) -> dict[str, list[Finding]]:
    """scan_source over a file's text (read as UTF-8)."""
    with open(path, encoding="utf-8") as f:
        return scan_source(f.read(), tasks)
