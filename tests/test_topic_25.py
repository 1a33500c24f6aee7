"""Topic 25 (imbalanced data): the mistake models, the power and false-failure rate of the statistical sampler check,
the reference against torch and torchvision, the calibration record (the naive run fails, the learner's methods pass),
and a direct run of the checks on the solution and the stub."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
import torchvision
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module
from torch.utils.data import WeightedRandomSampler

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


def test_calibration_shows_rebalancing_passes_and_the_naive_run_fails():
    calib = C.load(25)
    assert calib, "grader/calibration/25.json is missing: run python -m grader.calibrate_tabular 25"
    for method in ("sampler", "weights"):
        runs = calib[method]["runs"]
        assert len(runs) >= 5
        for run in runs:
            assert run["balanced_accuracy"] >= C.MIN_BALANCED_ACCURACY_25 + 0.03, (method, run)
            assert run["minority_recall"] >= C.MIN_MINORITY_RECALL_25 + 0.03, (method, run)
    for run in calib["naive"]["runs"]:
        assert run["minority_recall"] < C.MIN_MINORITY_RECALL_25 - 0.1, run
        assert run["balanced_accuracy"] < C.MIN_BALANCED_ACCURACY_25, run


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(25)
