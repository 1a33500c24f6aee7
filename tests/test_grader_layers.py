"""The grader's subpackages import one way: topics -> kit -> engine.harness, cli -> engine, and the engine imports
none of them. Checked on every import statement of every module (those inside functions too), so a lazy import
cannot hide a cycle; and in a fresh interpreter, importing the engine loads no topic, kit or command-line module."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
GRADER = REPO / "grader"

# What each layer may import from the grader (prefixes of dotted names); relative imports stay inside a topic folder.
ALLOWED = {
    "engine": ("grader.engine",),
    "kit": ("grader.kit", "grader.engine.harness"),
    "cli": ("grader.cli", "grader.engine", "grader.kit.calibration"),
    "topics": ("grader.kit", "grader.engine.harness"),
}


def grader_imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every absolute import of a grader module in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "grader"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == "grader":
            if node.module == "grader":
                found += [(node.lineno, f"grader.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


MODULES = sorted(p for layer in ALLOWED for p in (GRADER / layer).rglob("*.py") if "buggy" not in p.parts
                 and "variants" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER)))
def test_imports_go_one_way(path):
    layer = path.relative_to(GRADER).parts[0]
    allowed = ALLOWED[layer] + (("grader.engine.plugin",) if path.name == "conftest.py" else ())  # pytest's fixtures
    wrong = [f"line {line}: {name}" for line, name in grader_imports(path)
             if not any(name == a or name.startswith(a + ".") for a in allowed)]
    assert not wrong, f"grader/{layer} may import only {allowed}; {path.name} imports " + ", ".join(wrong)


def test_relative_imports_stay_inside_their_topic():
    for path in (GRADER / "topics").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                raise AssertionError(f"{path}:{node.lineno} reaches outside its topic folder")


def test_the_engine_loads_no_topic_kit_or_cli_module():
    code = ("import json, sys\nimport grader.engine.runner, grader.engine.plugin, grader.engine.worker\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('grader.'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded and all(m.startswith("grader.engine") for m in loaded), loaded
