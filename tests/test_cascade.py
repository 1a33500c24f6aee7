"""Cascades are named: when a task fails and it calls the learner's own function from an earlier task that fails too,
its message says so first ("24.5 uses your kfold_indices, which fails 24.4: fix that first"); a task that does not
call it, or whose used task passes, gets no such note."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine import cascade
from grader.engine import catalog as catalogs
from grader.engine.runner import grade

CATALOG = catalogs.builtin()
T21, T24 = CATALOG.topic(21), CATALOG.topic(24)


def owners(found, task):
    return [(u.name, u.owner) for u in found.get(task, [])]


def test_a_direct_call_and_a_call_through_a_helper_are_found():
    direct = "def box_iou(a, b):\n    ...\n\ndef nms(b, s, t):\n    return box_iou(b, b)\n"
    helper = "def box_iou(a, b):\n    ...\n\ndef _pairs(b):\n    return box_iou(b, b)\n\ndef nms(b, s, t):\n    return _pairs(b)\n"
    for source in (direct, helper):
        assert owners(cascade.uses(source, T21), "21.2") == [("box_iou", "21.1")]


def test_a_task_that_does_not_call_the_earlier_function_uses_nothing():
    source = "def box_iou(a, b):\n    ...\n\ndef nms(b, s, t):\n    return b[:1]\n"
    assert "21.2" not in cascade.uses(source, T21)


def test_a_later_task_graded_on_earlier_tasks_names_uses_them():
    source = "def soft_vote(p, w=None):\n    ...\n\ndef bootstrap_indices(n, generator=None):\n    ...\n"
    assert sorted(owners(cascade.uses(source, T24), "24.7")) == [("bootstrap_indices", "24.3"), ("soft_vote", "24.1")]


def test_source_that_does_not_parse_has_no_cascades():
    assert cascade.uses("def nms(:\n", T21) == {}


def test_prerequisites_are_added_transitively():
    found = {"3": [cascade.Use("3", "b", "2")], "2": [cascade.Use("2", "a", "1")]}
    assert cascade.with_prerequisites({"3"}, found) == {"1", "2", "3"}


def _grade_24_5(tmp_path: Path, override: str):
    learner = tmp_path / T24.filename
    learner.write_text(T24.solution_path.read_text(encoding="utf-8") + "\n\n" + override, encoding="utf-8")
    return grade(24, tmp_path, tasks={"24.5"}, learner_file=learner)


BROKEN_KFOLD = ("def kfold_indices(n, k):\n    import torch\n    idx = torch.arange(n)\n"
                "    return [(idx, idx) for _ in range(k)]\n")
BROKEN_OOF = "def out_of_fold_predictions(fit_predict, X, y, k):\n    return fit_predict(X, y, X)\n"


@pytest.mark.slow
def test_a_failing_prerequisite_is_named_first(tmp_path):
    verdict = _grade_24_5(tmp_path, BROKEN_KFOLD)
    assert [t.id for t in verdict.tasks] == ["24.5"]  # the prerequisite is graded, not reported
    result = verdict.task("24.5")
    assert result.status == "fail"
    assert result.message.startswith("24.5 uses your kfold_indices, which fails 24.4: fix that first.")


@pytest.mark.slow
def test_no_note_when_the_used_task_passes(tmp_path):
    result = _grade_24_5(tmp_path, BROKEN_OOF).task("24.5")
    assert result.status == "fail" and "fix that first" not in result.message
