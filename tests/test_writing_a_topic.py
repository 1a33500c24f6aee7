"""docs/writing-a-topic.md stays true: its worked example (topic 36, inverted dropout) is built into a private
catalog from the doc's own code blocks and graded with `grade exercise 36` in a fresh process: the solution passes
every task, the stub fails every task as not implemented, the known-buggy file gets the verdict its header promises."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "writing-a-topic.md"
BLOCK = re.compile(r"^```(?:python|toml)\n# ((?:grader|solutions)/[\w/.]+)\n(.*?)^```", re.M | re.S)


def example_files() -> dict[str, str]:
    """{path in the repository: text} of the worked example's blocks (their first line names the file)."""
    return {path: body for path, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("doc-catalog")
    for path, body in example_files().items():
        target = root / path.removeprefix("grader/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    shutil.copy(REPO / "grader" / "topics" / "conftest.py", root / "topics" / "conftest.py")
    (root / "topics" / "__init__.py").write_text("", encoding="utf-8")
    (root / "topics" / "36_dropout" / "__init__.py").write_text("", encoding="utf-8")
    return root


def grade(catalog: Path, learner_text: str, tmp_path: Path) -> tuple[int, dict]:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "36_dropout.py").write_text(learner_text, encoding="utf-8")
    out = tmp_path / "verdict.json"
    env = {**os.environ, "TORCHPREP_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "exercise", "36", "--catalog", str(catalog),
                           "--workspace", str(workspace), "--json", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.returncode, {t["id"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tasks"]}


def test_the_doc_has_every_file_of_the_example():
    files = set(example_files())
    folder = "grader/topics/36_dropout/"
    assert {folder + n for n in ("topic.toml", "stub.py", "checks.py", "recipes.py", "mistakes.py")} <= files
    assert "solutions/36_dropout.py" in files and any(p.startswith(folder + "buggy/") for p in files)


@pytest.mark.slow
def test_the_example_solution_passes(catalog, tmp_path):
    code, tasks = grade(catalog, (catalog / "solutions" / "36_dropout.py").read_text(encoding="utf-8"), tmp_path)
    assert code == 0 and all(t["status"] == "pass" for t in tasks.values()), tasks


@pytest.mark.slow
def test_the_example_stub_fails(catalog, tmp_path):
    code, tasks = grade(catalog, (catalog / "topics" / "36_dropout" / "stub.py").read_text(encoding="utf-8"), tmp_path)
    assert code == 1 and all(t["status"] == "fail" and "not implemented" in t["message"] for t in tasks.values())


@pytest.mark.slow
def test_the_example_buggy_file_gets_its_verdict(catalog, tmp_path):
    buggy = next((catalog / "topics" / "36_dropout" / "buggy").glob("*.py"))
    tid, status, text = re.search(r'# expect: (\S+) (\w+) "(.*)"', buggy.read_text(encoding="utf-8")).groups()
    learner = (catalog / "solutions" / "36_dropout.py").read_text(encoding="utf-8") + "\n\n" + buggy.read_text()
    _, tasks = grade(catalog, learner, tmp_path)
    assert tasks[tid]["status"] == status and text in tasks[tid]["message"], tasks[tid]
