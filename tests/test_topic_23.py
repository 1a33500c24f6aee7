"""Topic 23 (multi-task learning): the mistake models, the gradient-flow probe, the calibration record, and a direct
run of the checks on the reference solution (every task passes) and on the stub (every task fails)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

C = topic_module(23, "training")
M = topic_module(23, "mistakes")
R = topic_module(23, "recipes")

REF = load_solution(23)


@pytest.mark.parametrize("name", list(M.UNCERTAINTY_MISTAKES))
def test_each_uncertainty_mistake_differs_from_the_contract(name):
    log_vars, losses = torch.tensor([0.5, -1.0]), torch.tensor([2.0, 0.3])
    want = R.uncertainty_forward(REF, log_vars, losses)
    got = R.uncertainty_forward(SimpleNamespace(UncertaintyWeighting=M.UNCERTAINTY_MISTAKES[name]), log_vars, losses)
    assert not is_close(got["out"], want["out"])


@pytest.mark.parametrize("name", list(M.PCGRAD_MISTAKES))
def test_each_pcgrad_mistake_differs_from_the_definition(name):
    # Pairs (0, 1) conflict, the others agree: every mistake shows.
    grads = [torch.tensor([1.0, 0.2, 0.0]), torch.tensor([-0.8, 1.0, 0.3]), torch.tensor([0.5, 0.5, 0.5])]
    assert not is_close(M.PCGRAD_MISTAKES[name]([g.clone() for g in grads]), REF.pcgrad(grads))


def test_pcgrad_reference_on_a_worked_example():
    # g1 = [1, 0] and g2 = [-1, 1] conflict (dot = -1): g1 -> [1, 0] + 1/2 [-1, 1] = [0.5, 0.5]; g2 -> [-1, 1] + [1, 0]
    # = [0, 1]; the sum is [0.5, 1.5]. The inputs stay untouched.
    g1, g2 = torch.tensor([1.0, 0.0]), torch.tensor([-1.0, 1.0])
    assert torch.allclose(REF.pcgrad([g1, g2]), torch.tensor([0.5, 1.5]))
    assert torch.equal(g1, torch.tensor([1.0, 0.0]))


def test_uncertainty_reference_follows_the_contract():
    m = REF.UncertaintyWeighting(2)
    with torch.no_grad():
        m.log_vars.copy_(torch.tensor([0.5, -1.0]))
    expected = torch.exp(torch.tensor(-0.5)) * 2.0 + 0.5 + torch.exp(torch.tensor(1.0)) * 0.3 - 1.0
    assert torch.allclose(m(torch.tensor([2.0, 0.3])), expected)


class TwoNetworks(nn.Module):
    """Two separate networks behind one forward: nothing shared."""

    def __init__(self, in_features, num_classes, hidden=64):
        super().__init__()
        self.a = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))
        self.b = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return {"cls": self.a(x), "reg": self.b(x).squeeze(-1)}


def test_gradient_flow_probe_tells_shared_from_separate():
    x = torch.randn(16, 6, generator=torch.Generator().manual_seed(0))
    ref = R.gradient_flow(REF, 6, 3, x, 0)
    rows = list(zip(ref["from_cls"], ref["from_reg"]))
    assert any(c and r for c, r in rows) and any(c and not r for c, r in rows) and any(r and not c for c, r in rows)
    sep = R.gradient_flow(SimpleNamespace(MultiTaskNet=TwoNetworks), 6, 3, x, 0)
    assert not any(c and r for c, r in zip(sep["from_cls"], sep["from_reg"]))


def test_calibration_shows_the_reference_clears_the_pass_marks_with_margin():
    calib = C.load(23)
    assert calib, "grader/calibration/23.json is missing: run python -m grader.calibrate_tabular 23"
    assert len(calib["runs"]) >= 5 and C.CHECK_SEED in calib["seeds"]
    for run in calib["runs"]:
        assert run["accuracy"] >= C.MIN_ACCURACY_23 + 0.03 and run["r2"] >= C.MIN_R2_23 + 0.03, run
    for name, alt in calib["alternatives"].items():
        assert alt["worst"]["accuracy"] >= C.MIN_ACCURACY_23 + 0.02 and alt["worst"]["r2"] >= C.MIN_R2_23 + 0.02, name
    assert len(calib["reference_curve"]) == R.TRAIN_STEPS // 10


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(23)
