"""Authoring guards over the whole manifest, through the real runner and learner process:
every stub fails every task ("not implemented yet"), every reference solution passes every task, on the CPU, and
again on CUDA where one is present. Each topic must have its solution, stub and checks: a missing file fails here.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from grader import catalog as catalogs
from grader.proxy import ChildPool
from grader.runner import child_spec, grade

CATALOG = catalogs.builtin()
TOPICS = [t.number for t in CATALOG.topics]
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here (torch.cuda.is_available() is False)")


def _files_exist(number: int) -> None:
    topic = CATALOG.topic(number)
    missing = [str(p) for p in (CATALOG.solution_path(topic), CATALOG.stub_path(topic), CATALOG.check_path(topic))
               if not p.exists()]
    assert not missing, f"topic {number} is missing {', '.join(missing)}"


def _grade(number: int, which: str, device: str, tmp_path, pool=None):
    _files_exist(number)
    topic = CATALOG.topic(number)
    path = CATALOG.solution_path(topic) if which == "solution" else CATALOG.stub_path(topic)
    return grade(number, tmp_path, device=device, learner_file=path, pool=pool)


@pytest.fixture(scope="module")
def stub_pool(tmp_path_factory):
    """One learner process reused for every stub (our own files): a fresh process per stub only costs time.
    Reference solutions each get a fresh process, as a learner's file does."""
    spec = dataclasses.replace(child_spec(tmp_path_factory.mktemp("stubs")), preload=("torchvision",))
    pool = ChildPool(spec, reuse=True)
    yield pool
    pool.close()


def _report(verdict) -> str:
    return "\n".join(f"{t.id} {t.status}: {t.message}" for t in verdict.tasks if not t.passed)


@pytest.mark.slow
@pytest.mark.parametrize("number", TOPICS)
def test_reference_solution_passes_every_task_on_cpu(number, tmp_path):
    verdict = _grade(number, "solution", "cpu", tmp_path)
    assert verdict.unassigned == (), f"checks without @pytest.mark.task: {verdict.unassigned}"
    assert verdict.all_passed, _report(verdict)


@pytest.mark.slow
@pytest.mark.parametrize("number", TOPICS)
def test_stub_fails_every_task(number, tmp_path, stub_pool):
    verdict = _grade(number, "stub", "cpu", tmp_path, stub_pool)
    assert verdict.total == len(CATALOG.topic(number).tasks)
    wrong = [f"{t.id} {t.status}: {t.message.splitlines()[0] if t.message else ''}" for t in verdict.tasks
             if t.status != "fail" or "not implemented" not in t.message]
    assert not wrong, "a stub task must fail as not implemented:\n" + "\n".join(wrong)


@CUDA
@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.parametrize("number", TOPICS)
def test_reference_solution_passes_every_task_on_cuda(number, tmp_path):
    verdict = _grade(number, "solution", "cuda", tmp_path)
    assert verdict.all_passed, _report(verdict)


@CUDA
@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.parametrize("number", TOPICS)
def test_stub_fails_every_task_on_cuda(number, tmp_path):
    verdict = _grade(number, "stub", "cuda", tmp_path)
    assert all(t.status == "fail" for t in verdict.tasks), _report(verdict)
