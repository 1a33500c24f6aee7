"""Topic 25 (imbalanced data): the mistake models, the power and false-failure rate of the statistical sampler check,
the reference against torch and torchvision, the calibration record (correct answers pass both runs, unbalanced runs fail),
and a direct run of the checks on the solution and the stub."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
import torchvision
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module
from torch.utils.data import WeightedRandomSampler

from grader.kit.calibration import record
from grader.kit.compare import is_close

C = topic_module(25, "training")
checks = topic_module(25, "checks")
M = topic_module(25, "mistakes")
R = topic_module(25, "recipes")

REF = load_solution(25)


def test_reference_class_weights_worked_examples():
    targets = torch.tensor([0] * 19 + [1])
    assert REF.class_weights(targets, 2).tolist() == pytest.approx([20 / 38, 10.0])
    assert REF.class_weights(torch.tensor([0, 0, 2]), 3).tolist() == pytest.approx([0.5, 0.0, 1.0])
    eff = REF.class_weights(torch.tensor([0, 0, 2]), 3, scheme="effective", beta=0.5)
    # (1 - 0.5) / (1 - 0.25) = 2/3 and (1 - 0.5) / (1 - 0.5) = 1, rescaled to sum to 2 present classes.
    assert eff.tolist() == pytest.approx([2 * (2 / 3) / (5 / 3), 0.0, 2 * 1 / (5 / 3)])


@pytest.mark.parametrize("name", list(M.CLASS_WEIGHT_MISTAKES))
def test_each_class_weight_mistake_differs(name):
    targets = torch.tensor([0, 0, 0, 2, 2, 0])
    cases = [(targets, 4, "balanced", None), (targets, 4, "effective", 0.99)]
    mistaken = SimpleNamespace(class_weights=M.CLASS_WEIGHT_MISTAKES[name])
    assert any(not is_close(R.call_class_weights(mistaken, *c).double(), R.call_class_weights(REF, *c).double())
               for c in cases)


def test_reference_focal_loss_is_cross_entropy_at_gamma_0_and_sigmoid_focal_is_torchvisions():
    logits = torch.randn(7, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 3, 0, 1, 2])
    assert torch.allclose(REF.focal_loss(logits, target, gamma=0.0), F.cross_entropy(logits, target))
    x = torch.randn(3, 5, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 3
    t = (x > 0.5).double()
    for alpha in (0.25, -1.0):
        assert torch.allclose(REF.sigmoid_focal_loss(x, t, alpha=alpha, reduction="sum"),
                              torchvision.ops.sigmoid_focal_loss(x, t, alpha=alpha, reduction="sum"))


@pytest.mark.parametrize("name", list(M.FOCAL_MISTAKES))
def test_each_focal_mistake_differs(name):
    logits = torch.randn(5, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    target, alpha = torch.tensor([0, 1, 2, 2, 1]), torch.tensor([0.2, 0.5, 1.5], dtype=torch.float64)
    assert not is_close(M.FOCAL_MISTAKES[name](logits, target, 2.0, alpha, "mean"),
                        REF.focal_loss(logits, target, 2.0, alpha, "mean"))


@pytest.mark.parametrize("name", list(M.SIGMOID_FOCAL_MISTAKES))
def test_each_sigmoid_focal_mistake_differs(name):
    x = torch.tensor([[0.5, -1.0, 200.0], [2.0, -3.0, -200.0]], dtype=torch.float64)
    t = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]], dtype=torch.float64)
    want = [torchvision.ops.sigmoid_focal_loss(x, t, a, 2.0, "sum") for a in (0.25, -1.0)]
    got = [M.SIGMOID_FOCAL_MISTAKES[name](x, t, a, 2.0, "sum") for a in (0.25, -1.0)]
    assert not is_close(got, want)


# -------------------------------------------------------------------------------------- the statistical sampler check
def sampler_variant(weight_of_class, replacement: bool = True):
    def balanced_sampler(targets, num_samples=None, generator=None):
        counts = torch.bincount(targets).double()
        weights = weight_of_class(counts)[targets]
        return WeightedRandomSampler(weights, num_samples or len(targets), replacement=replacement, generator=generator)

    return SimpleNamespace(balanced_sampler=balanced_sampler)


WRONG_SAMPLERS = {
    "weights proportional to n_y": sampler_variant(lambda c: c),
    "uniform weights": sampler_variant(lambda c: torch.ones_like(c)),
    "without replacement": sampler_variant(lambda c: 1 / c, replacement=False),
}


def balance(mod, targets, num_samples, seed):
    info = R.sampler_info(mod, targets, num_samples, seed)
    classes = int(targets.max()) + 1
    return checks.balance_problem(info, classes, len(info["drawn"]), "sampler")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_sampler_check_passes_the_reference_on_any_seed(seed):
    assert balance(REF, checks.IMBALANCED_TARGETS, None, seed) is None
    assert balance(REF, torch.tensor([0] * 600 + [1] * 300 + [2] * 100), 3000, seed) is None


@pytest.mark.parametrize("name", list(WRONG_SAMPLERS))
def test_sampler_check_catches_wrong_samplers(name):
    problem = balance(WRONG_SAMPLERS[name], checks.IMBALANCED_TARGETS, None, 0)
    assert problem is not None and "probability < 1e-07" in problem
    if name == "without replacement":
        assert M.SAMPLER_WITHOUT_REPLACEMENT in problem


def test_one_training_task_trains_both_ways_with_four_marks():
    assert C.TRAINING == (C.TASK,) and C.TASK.label == ""
    assert sorted(m.metric for m in C.TASK.marks) == sorted(
        f"{method}_{metric}" for method in ("sampler", "weights") for metric in ("balanced_accuracy", "minority_recall"))


def test_calibration_shows_rebalancing_passes_both_ways_with_margin():
    rec = record(C.TASK)
    assert rec, "grader/topics/25_imbalance/calibration.json has no 25.5 record: run grade calibrate 25"
    assert len(rec["seeds"]) >= 5 and C.TASK.check_seed in rec["seeds"]
    runs = {label: rows for label, rows in rec["runs"].items() if label == "reference" or label.startswith("correct")}
    assert len(runs) >= 6, sorted(runs)  # the reference and at least 5 correct variants
    for label, rows in runs.items():
        assert sorted(r["seed"] for r in rows) == sorted(rec["seeds"]), label
        for row in rows:
            for method in ("sampler", "weights"):
                assert row[f"{method}_balanced_accuracy"] >= C.MIN_BALANCED_ACCURACY_25 + 0.03, (label, method, row)
                assert row[f"{method}_minority_recall"] >= C.MIN_MINORITY_RECALL_25 + 0.03, (label, method, row)
    curve = rec["reference_losses"]
    per_run = R.EPOCHS * -(-R.TRAIN_N // R.BATCH) // 10  # a loss every 10 steps
    assert len(curve) == 2 * per_run and all(math.isfinite(v) for v in curve)  # the sampler run, then the weights run


UNBALANCED = {  # broken models that leave one run unbalanced, and the run
    "broken: sampler with equal weights: the 19:1 stream unchanged": "sampler",
    "broken: class_weights returns ones (no reweighting)": "weights",
}


def test_calibration_shows_the_unbalanced_runs_fail():
    rec = record(C.TASK)
    for label, method in UNBALANCED.items():
        assert label in rec["runs"], sorted(rec["runs"])
        for row in rec["runs"][label]:
            assert row[f"{method}_minority_recall"] < C.MIN_MINORITY_RECALL_25 - 0.1, (label, row)
            assert row[f"{method}_balanced_accuracy"] < C.MIN_BALANCED_ACCURACY_25, (label, row)


def test_calibration_shows_every_broken_model_fails_the_run_it_breaks():
    rec = record(C.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    assert len(broken) >= 4
    for label, rows in broken.items():
        for row in rows:
            assert min(row["sampler_minority_recall"], row["weights_minority_recall"]) < C.MIN_MINORITY_RECALL_25 - 0.1, (
                label, row)


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(25)
