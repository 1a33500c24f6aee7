"""Topic 23 (multi-task learning): the mistake models, the 23.1 structure probe (reachability in the autograd graph),
the 23.4 calibration record, and a direct run of the checks on the reference solution (every task passes) and on the
stub (every task fails)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from grader.kit.calibration import record
from grader.kit.checks import randn
from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

C = topic_module(23, "training")
checks = topic_module(23, "checks")
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


class ReluEndedRegHead(REF.MultiTaskNet):
    """The reference with its regression head ending in a ReLU (still hard parameter sharing): at seed 0 the ReLU is
    inactive on every row of a 16-row probe, so every regression gradient is 0 there (a zero-gradient probe would
    call the trunk unshared)."""

    def __init__(self, in_features, num_classes, hidden=64):
        super().__init__(in_features, num_classes, hidden)
        self.reg_head = nn.Sequential(nn.Linear(hidden, 1), nn.ReLU())


class DeadRegHead(ReluEndedRegHead):
    """The same with the head's bias at -10: inactive on every input of every probe, still structurally shared."""

    def __init__(self, in_features, num_classes, hidden=64):
        super().__init__(in_features, num_classes, hidden)
        nn.init.constant_(self.reg_head[0].bias, -10.0)


class DetachedTrunk(ReluEndedRegHead):
    """The regression head reads the trunk's output detached: no gradient of 'reg' reaches the trunk."""

    def forward(self, x):
        h = self.trunk(x)
        return {"cls": self.cls_head(h), "reg": self.reg_head[0](h.detach()).squeeze(-1)}


class RegFromLogits(ReluEndedRegHead):
    """'reg' computed from the classification logits: the classification head has nothing of its own."""

    def forward(self, x):
        logits = self.cls_head(self.trunk(x))
        return {"cls": logits, "reg": logits.sum(-1)}


def sharing(model_cls, in_features=6, num_classes=3):
    """The 23.1 sharing check's message for a model class (None: it passes)."""
    got = R.gradient_reach(SimpleNamespace(MultiTaskNet=model_cls), in_features, num_classes,
                           checks.sharing_inputs(in_features, "cpu"), list(R.PROBE_SEEDS))
    return checks.sharing_problem(got, "probe")


def test_the_relu_ended_head_gets_only_zero_gradients_on_the_old_single_probe():
    """Why 23.1 may not decide from gradient values: on one init and 16 rows (the old probe) 'reg' gives every
    parameter a zero gradient, yet the parameters are in its graph."""
    got = R.gradient_reach(SimpleNamespace(MultiTaskNet=ReluEndedRegHead), 6, 3, [randn((16, 6), 7)], [0])
    shared = [i for i, n in enumerate(got["names"]) if not n.startswith("cls_head")]
    assert all(got["reach_reg"][i] for i in shared)
    assert not any(got["nonzero_reg"])


@pytest.mark.parametrize("model_cls", [REF.MultiTaskNet, ReluEndedRegHead, DeadRegHead], ids=lambda c: c.__name__)
@pytest.mark.parametrize("shape", [(6, 3), (3, 4)], ids=str)
def test_sharing_is_decided_from_the_graph_not_from_zero_gradients(model_cls, shape):
    assert sharing(model_cls, *shape) is None


@pytest.mark.parametrize("model_cls,text", [
    (TwoNetworks, "the trunk is not shared"),
    (DetachedTrunk, "the trunk is not shared"),
    (RegFromLogits, "the classification head needs parameters of its own"),
], ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("shape", [(6, 3), (3, 4)], ids=str)
def test_sharing_still_fails_separate_networks(model_cls, text, shape):
    problem = sharing(model_cls, *shape)
    assert problem is not None and text in problem, problem


def test_a_dead_relu_head_shows_as_reachable_with_zero_gradient():
    got = R.gradient_reach(SimpleNamespace(MultiTaskNet=DeadRegHead), 6, 3, checks.sharing_inputs(6, "cpu"), [0])
    rows = dict(zip(got["names"], zip(got["reach_reg"], got["nonzero_reg"])))
    assert rows["trunk.0.weight"] == (True, False) and rows["reg_head.0.weight"] == (True, False)
    assert "reg(0)" in checks.sharing_problem(
        {**got, "reach_cls": [False] * len(got["names"])}, "probe")


def correct_runs(rec: dict) -> dict:
    """The record's runs of the reference and of the correct variants, by label."""
    return {label: rows for label, rows in rec["runs"].items() if label == "reference" or label.startswith("correct")}


def test_calibration_shows_correct_models_clear_the_pass_marks_with_margin():
    rec = record(C.TASK)
    assert rec, "grader/topics/23_multitask/calibration.json has no 23.4 record: run grade calibrate 23"
    assert len(rec["seeds"]) >= 5 and C.TASK.check_seed in rec["seeds"]
    runs = correct_runs(rec)
    assert len(runs) >= 6, sorted(runs)  # the reference and at least 5 correct variants
    for label, rows in runs.items():
        assert sorted(r["seed"] for r in rows) == sorted(rec["seeds"]), label
        for row in rows:
            assert row["accuracy"] >= C.MIN_ACCURACY_23 + 0.03 and row["r2"] >= C.MIN_R2_23 + 0.03, (label, row)
    curve = rec["reference_losses"]
    assert len(curve) == R.TRAIN_STEPS // 10 and all(math.isfinite(v) for v in curve)


def test_calibration_shows_each_broken_model_misses_a_mark():
    rec = record(C.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    assert len(broken) >= 2
    for label, rows in broken.items():
        for row in rows:
            assert row["accuracy"] < C.MIN_ACCURACY_23 - 0.1 or row["r2"] < C.MIN_R2_23 - 0.1, (label, row)


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(23)
