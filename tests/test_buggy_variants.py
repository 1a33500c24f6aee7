"""Every known-buggy learner file under tests/buggy/ gets the verdict its header promises.

Each file holds one realistic bug as an override: the definitions it replaces in the reference solution. The learner
file graded is the solution with the override appended (later definitions win), so a variant states only its bug.
Its first lines say what the grader must answer:
    # expect: 26.2 fail "'mean' divides by the number of targets"
(status pass|fail|error|timeout|forbidden, then a substring of that task's message). Files are graded through the
real runner and learner process; one process is reused across the files (they are our own code).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from grader import catalog as catalogs
from grader.proxy import ChildPool
from grader.runner import child_spec, grade

BUGGY = Path(__file__).parent / "buggy"
FILES = sorted(BUGGY.glob("*.py"))
EXPECT = re.compile(r'^#\s*expect:\s*(\d+\.\d+)\s+(pass|fail|error|timeout|forbidden)\s+"(.*)"\s*$')


def expectations(path: Path) -> list[tuple[str, str, str]]:
    """The (task, status, message substring) lines at the top of a buggy file."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = EXPECT.match(line)
        if m:
            found.append((m.group(1), m.group(2), m.group(3)))
    return found


def topic_of(path: Path) -> int:
    return int(path.name.split("_", 1)[0])


def learner_file_for(path: Path, folder: Path) -> Path:
    """The reference solution with the variant's override appended, written as the learner's file in `folder`."""
    topic = catalogs.builtin().topic(topic_of(path))
    composed = folder / path.stem / topic.filename
    composed.parent.mkdir(parents=True, exist_ok=True)
    override = path.read_text(encoding="utf-8")
    composed.write_text(
        topic.solution_path.read_text(encoding="utf-8") + f"\n\n# ---- known-buggy override: {path.name}\n" + override,
        encoding="utf-8",
    )
    return composed


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_header_is_well_formed(path):
    expected = expectations(path)
    assert expected, f"{path.name}: no '# expect: N.k status \"text\"' line at the top"
    topic = catalogs.builtin().topic(topic_of(path))
    for tid, _, text in expected:
        topic.task(tid)  # KeyError names the valid ids
        assert text, f"{path.name}: an empty message substring checks nothing"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One learner process reused across the buggy files (replaced when one crashes or times out)."""
    workspace = tmp_path_factory.mktemp("buggy")
    # torchvision loads native code, which the sandbox refuses once learner code has run: import it up front
    pool = ChildPool(dataclasses.replace(child_spec(workspace), preload=("torchvision",)), reuse=True)
    yield pool, workspace
    pool.close()


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_buggy_variant_is_diagnosed(path, shared):
    pool, workspace = shared
    expected = expectations(path)
    learner_file = learner_file_for(path, workspace / "variants")
    verdict = grade(topic_of(path), workspace, tasks={t for t, _, _ in expected}, learner_file=learner_file, pool=pool)
    for tid, status, text in expected:
        result = verdict.task(tid)
        assert (result.status, text in result.message) == (status, True), (
            f"{path.name} {tid}: expected {status} with {text!r}, got {result.status}:\n{result.message}")
