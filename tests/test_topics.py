"""The generic topic test: every topic folder under grader/topics/ is found (no list to keep), and for each one, through
the real runner and learner process:
- its folder is complete (topic.toml, stub.py, checks.py, its solution in solutions/),
- the stub fails every task as "not implemented yet",
- the reference solution passes every task (on the CPU, and on CUDA where one is present),
- every known-buggy file in its buggy/ folder gets the verdict its header promises.

A known-buggy file holds one realistic bug as an override: the definitions it replaces in the reference solution. The
learner file graded is the solution with the override appended (later definitions win), so a file states only its
bug. Its first lines say what the grader must answer, one line per task the bug breaks:
    # expect: 26.2 fail "'mean' divides by the number of targets"
(status pass|fail|error|timeout|forbidden, then a substring of that task's message).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import torch

from grader.engine import catalog as catalogs
from grader.engine import manifest
from grader.engine.proxy import ChildPool
from grader.engine.runner import child_spec, grade

CATALOG = catalogs.builtin()
TOPICS = manifest.discover(manifest.TOPICS_DIR)  # discovered afresh: the same folders the grader reads
NUMBERS = [t.number for t in TOPICS]
BUGGY = [(t.number, path) for t in TOPICS for path in sorted(t.buggy_dir.glob("*.py"))]
EXPECT = re.compile(r'^#\s*expect:\s*(\d+\.\d+)\s+(pass|fail|error|timeout|forbidden)\s+"(.*)"\s*$')
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here (torch.cuda.is_available() is False)")


def expectations(path: Path) -> list[tuple[str, str, str]]:
    """The (task, status, message substring) lines at the top of a known-buggy file."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = EXPECT.match(line)
        if m:
            found.append((m.group(1), m.group(2), m.group(3)))
    return found


def learner_file_for(number: int, path: Path, folder: Path) -> Path:
    """The reference solution with the override appended, written as the learner's file in `folder`."""
    topic = CATALOG.topic(number)
    composed = folder / f"{number}-{path.stem}" / topic.filename
    composed.parent.mkdir(parents=True, exist_ok=True)
    composed.write_text(
        topic.solution_path.read_text(encoding="utf-8") + f"\n\n# ---- known-buggy override: {path.name}\n"
        + path.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return composed


def _report(verdict) -> str:
    return "\n".join(f"{t.id} {t.status}: {t.message}" for t in verdict.tasks if not t.passed)


def test_the_topics_are_discovered_from_their_folders():
    folders = sorted(p.name for p in manifest.TOPICS_DIR.iterdir() if (p / "topic.toml").is_file())
    assert [t.folder.name for t in TOPICS] == folders
    assert NUMBERS == [t.number for t in CATALOG.topics]
    assert set(range(21, 31)) <= set(NUMBERS)


@pytest.mark.parametrize("number", NUMBERS)
def test_the_topic_folder_is_complete(number):
    topic = CATALOG.topic(number)
    missing = [str(p) for p in (topic.solution_path, topic.stub_path, topic.check_path, topic.folder / "recipes.py")
               if not p.is_file()]
    assert not missing, f"topic {number} is missing {', '.join(missing)}"
    for task in topic.tasks:
        assert len(task.hints) >= 2, f"{task.id} has {len(task.hints)} hints (2-3 progressive hints are expected)"
    if topic.training:
        assert (topic.folder / "training.py").is_file(), f"topic {number} trains models but has no training.py"


@pytest.fixture(scope="module")
def shared_pool(tmp_path_factory):
    """One learner process reused for the stubs and the known-buggy files (our own code; replaced when one crashes or
    times out). Reference solutions each get a fresh process, as a learner's file does."""
    workspace = tmp_path_factory.mktemp("topics")
    # torchvision loads native code, which the sandbox refuses once learner code has run: import it up front
    pool = ChildPool(dataclasses.replace(child_spec(workspace), preload=("torchvision",)), reuse=True)
    yield pool, workspace
    pool.close()


@pytest.mark.slow
@pytest.mark.parametrize("number", NUMBERS)
def test_stub_fails_every_task(number, shared_pool):
    pool, workspace = shared_pool
    topic = CATALOG.topic(number)
    verdict = grade(number, workspace, learner_file=topic.stub_path, pool=pool)
    assert verdict.total == len(topic.tasks)
    wrong = [f"{t.id} {t.status}: {t.message.splitlines()[0] if t.message else ''}" for t in verdict.tasks
             if t.status != "fail" or "not implemented" not in t.message]
    assert not wrong, "a stub task must fail as not implemented:\n" + "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solution_passes_every_task_on_cpu(number, tmp_path):
    verdict = grade(number, tmp_path, device="cpu", learner_file=CATALOG.topic(number).solution_path)
    assert verdict.unassigned == (), f"checks without @pytest.mark.task: {verdict.unassigned}"
    assert verdict.all_passed, _report(verdict)


@pytest.mark.parametrize("number, path", BUGGY, ids=[f"{n}-{p.stem}" for n, p in BUGGY])
def test_buggy_header_is_well_formed(number, path):
    expected = expectations(path)
    assert expected, f"{path}: no '# expect: N.k status \"text\"' line at the top"
    topic = CATALOG.topic(number)
    for tid, _, text in expected:
        topic.task(tid)  # KeyError names the valid ids
        assert text, f"{path}: an empty message substring checks nothing"


@pytest.mark.slow
@pytest.mark.parametrize("number, path", BUGGY, ids=[f"{n}-{p.stem}" for n, p in BUGGY])
def test_buggy_file_gets_its_expected_verdict(number, path, shared_pool):
    pool, workspace = shared_pool
    expected = expectations(path)
    learner_file = learner_file_for(number, path, workspace / "variants")
    verdict = grade(number, workspace, tasks={t for t, _, _ in expected}, learner_file=learner_file, pool=pool)
    for tid, status, text in expected:
        result = verdict.task(tid)
        assert (result.status, text in result.message) == (status, True), (
            f"{path.name} {tid}: expected {status} with {text!r}, got {result.status}:\n{result.message}")


@CUDA
@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solution_passes_every_task_on_cuda(number, tmp_path):
    verdict = grade(number, tmp_path, device="cuda", learner_file=CATALOG.topic(number).solution_path)
    assert verdict.all_passed, _report(verdict)


@CUDA
@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.parametrize("number", NUMBERS)
def test_stub_fails_every_task_on_cuda(number, tmp_path):
    verdict = grade(number, tmp_path, device="cuda", learner_file=CATALOG.topic(number).stub_path)
    assert all(t.status == "fail" for t in verdict.tasks), _report(verdict)
