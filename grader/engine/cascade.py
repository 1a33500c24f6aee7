"""Cascades: a task whose definitions call the learner's own function from an earlier task fails when that one does.

Read from the learner's source, statically: the top-level definitions a task's names reach (through helpers too),
and for each name an earlier task owns, that task. When both fail, the later task's message says which function it
called and which task to fix first ("24.5 uses your kfold_indices, which fails 24.4: fix that first").
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.engine.manifest import Topic


@dataclass(frozen=True)
class Use:
    """Task `task` reaches the learner's `name`, which task `owner` grades."""

    task: str
    name: str
    owner: str


def _top_level_references(tree: ast.Module) -> dict[str, set[str]]:
    """For each top-level function, class or assignment: the names its body loads."""
    out: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            nodes = node.targets if isinstance(node, ast.Assign) else [node.target]
            targets = [t.id for t in nodes if isinstance(t, ast.Name)]
        else:
            continue
        loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for name in targets:
            out.setdefault(name, set()).update(loads - {name})
    return out


def uses(source: str, topic: Topic) -> dict[str, list[Use]]:
    """task id -> the earlier tasks' names its definitions reach in `source` ({} when the source does not parse)."""
    try:
        graph = _top_level_references(ast.parse(source))
    except (SyntaxError, ValueError):
        return {}
    owner: dict[str, str] = {}
    order = {t.id: i for i, t in enumerate(topic.tasks)}
    for task in topic.tasks:
        for name in task.names:
            owner.setdefault(name, task.id)
    found: dict[str, list[Use]] = {}
    for task in topic.tasks:
        seen: set[str] = set()
        stack = list(task.names)
        reached: list[str] = []
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if owner.get(name, task.id) != task.id and name not in reached:
                reached.append(name)
            stack.extend(sorted(graph.get(name, ())))
        # a task's own names count only when an earlier task owns them (24.7 trains with 24.3's bootstrap_indices)
        listed = [Use(task.id, n, owner[n]) for n in sorted(set(reached) | set(task.names))
                  if n in owner and owner[n] != task.id and order[owner[n]] < order[task.id] and n in graph]
        if listed:
            found[task.id] = listed
    return found


def with_prerequisites(wanted: set[str], found: dict[str, list[Use]]) -> set[str]:
    """`wanted` and every task they use, transitively: a cascade can only be named when the used task is graded."""
    out, stack = set(wanted), list(wanted)
    while stack:
        for use in found.get(stack.pop(), ()):
            if use.owner not in out:
                out.add(use.owner)
                stack.append(use.owner)
    return out


def cascade_note(task: str, found: dict[str, list[Use]], failing: set[str]) -> str:
    """'24.5 uses your kfold_indices, which fails 24.4: fix that first.' ('' when no used task fails)."""
    parts = [f"your {u.name}, which fails {u.owner}" for u in found.get(task, ()) if u.owner in failing]
    if not parts:
        return ""
    return f"{task} uses {'; and '.join(parts)}: fix that first."
