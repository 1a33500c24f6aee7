"""Checks for topic 23: MultiTaskNet (23.1), UncertaintyWeighting (23.2), pcgrad (23.3), multi-task training (23.4)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.checks import few, final_example, randn, require
from grader.kit.compare import assert_same, default_tolerances, mismatch, scaled_atol

from . import mistakes as M
from . import recipes as R
from . import training as C

FEW = few(15)


# ----------------------------------------------------------------------------------------------------------- 23.1
@pytest.mark.task("23.1")
@pytest.mark.parametrize(
    "in_features,num_classes,hidden,batch", [(6, 3, 64, 8), (4, 2, 16, 1), (10, 5, 32, 5)], ids=str
)
def test_forward_returns_cls_and_reg(learner, device, in_features, num_classes, hidden, batch):
    x = randn((batch, in_features), batch, device=device)
    got = learner.run(R.forward_outputs, in_features, num_classes, hidden, x, 0)
    call = f"MultiTaskNet({in_features}, {num_classes}, hidden={hidden}) on x of shape {tuple(x.shape)}"
    require(got["type"] == "dict" and got["keys"] == ["cls", "reg"], (
        f"forward must return a dict with exactly the keys 'cls' and 'reg'; yours returned a {got['type']}"
        + (f" with keys {got['keys']}" if got["keys"] is not None else "")
        + f"\n  for {call}"
    ))
    cls, reg = got["cls"], got["reg"]
    require(isinstance(cls, torch.Tensor) and tuple(cls.shape) == (batch, num_classes), (
        f"out['cls'] must be logits of shape (B, num_classes) = {(batch, num_classes)}; yours: "
        f"{tuple(cls.shape) if isinstance(cls, torch.Tensor) else type(cls).__name__}\n  for {call}"
    ))
    hint = ""
    if isinstance(reg, torch.Tensor) and tuple(reg.shape) == (batch, 1):
        hint = "\n  hint: the regression head gives (B, 1): squeeze the last dimension with .squeeze(-1)"
    elif isinstance(reg, torch.Tensor) and reg.dim() == 0:
        hint = "\n  hint: .squeeze() drops the batch dimension of a batch of 1: use .squeeze(-1)"
    require(isinstance(reg, torch.Tensor) and tuple(reg.shape) == (batch,), (
        f"out['reg'] must have shape (B,) = {(batch,)}; yours: "
        f"{tuple(reg.shape) if isinstance(reg, torch.Tensor) else type(reg).__name__}\n  for {call}{hint}"
    ))
    require(cls.is_floating_point() and reg.is_floating_point(), "both outputs must be floating point")
    require(cls.device.type == device.type and reg.device.type == device.type, (
        f"outputs must be on the input's device ({device.type}); yours: cls on {cls.device}, reg on {reg.device}"
    ))


@pytest.mark.task("23.1")
@pytest.mark.parametrize("in_features,num_classes", [(6, 3), (3, 4)], ids=str)
def test_hard_parameter_sharing(learner, device, in_features, num_classes):
    x = randn((16, in_features), 7, device=device)
    got = learner.run(R.gradient_flow, in_features, num_classes, x, 0)
    call = f"MultiTaskNet({in_features}, {num_classes}) on x of shape {tuple(x.shape)}"
    require(got["from_cls"] is not None, f"forward must return a dict with keys 'cls' and 'reg'\n  for {call}")
    rows = list(zip(got["names"], got["from_cls"], got["from_reg"]))
    table = "\n".join(f"    {n}: {'cls' if c else '---'} {'reg' if r else '---'}" for n, c, r in rows)
    where = f"\n  which task's gradient reaches each parameter (backpropagating each output alone):\n{table}"
    require(any(c and r for _, c, r in rows), (
        "no parameter gets gradient from both task losses: the trunk is not shared. Hard parameter sharing means "
        f"one trunk under both heads\n  for {call}{where}"
    ))
    require(any(c and not r for _, c, r in rows), (
        f"no parameter gets gradient from the classification loss alone: the classification head needs parameters "
        f"of its own\n  for {call}{where}"
    ))
    require(any(r and not c for _, c, r in rows), (
        f"no parameter gets gradient from the regression loss alone: the regression head needs parameters of its "
        f"own\n  for {call}{where}"
    ))


@pytest.mark.task("23.1")
def test_hidden_sets_the_trunk_width(learner):
    shapes = learner.run(R.parameter_shapes, 5, 2, 37)
    require(shapes, "MultiTaskNet(5, 2, hidden=37) has no trainable parameters")
    require(any(37 in shape for shape in shapes.values()), (
        "MultiTaskNet(5, 2, hidden=37) has no parameter with a dimension of size 37: use `hidden` as the width of the "
        f"shared trunk\n  parameter shapes: {shapes}"
    ))


# ----------------------------------------------------------------------------------------------------------- 23.2
@pytest.mark.task("23.2")
@pytest.mark.parametrize("num_tasks", [1, 2, 5])
def test_log_vars_parameter_starts_at_zero(learner, num_tasks):
    got = learner.run(R.uncertainty_init, num_tasks)
    require(got["is_parameter"], (
        f"UncertaintyWeighting({num_tasks}).log_vars must be an nn.Parameter (so the optimizer learns it); "
        f"yours: {'missing' if got['log_vars'] is None else 'a plain tensor'}"
    ))
    require("log_vars" in got["param_names"], f"log_vars is not among the module's parameters: {got['param_names']}")
    assert_same(got["log_vars"], torch.zeros(num_tasks), what="initial log_vars",
                inputs=f"UncertaintyWeighting({num_tasks})")


def check_uncertainty(learner, reference, log_vars: torch.Tensor, losses: torch.Tensor) -> None:
    got = learner.run(R.uncertainty_forward, log_vars, losses)
    want = R.uncertainty_forward(reference, log_vars, losses)
    inputs = f"log_vars = {log_vars.tolist()}, losses = {losses.tolist()} ({losses.dtype})"
    for key, what in [(("out",), "weighted loss"), (("grads", "losses"), "gradient wrt losses"),
                      (("param_grads", "log_vars"), "gradient wrt log_vars")]:
        actual, expected = got, want
        for k in key:
            actual, expected = actual[k], expected[k]
        if mismatch(actual, expected) is None:
            continue
        known = {}
        if final_example():
            for name, cls in M.UNCERTAINTY_MISTAKES.items():
                result = R.uncertainty_forward(SimpleNamespace(UncertaintyWeighting=cls), log_vars, losses)
                for k in key:
                    result = result[k]
                known[name] = result
        assert_same(actual, expected, what=what, inputs=inputs, mistakes=known,
                    hint="the contract is sum_i exp(-s_i) * L_i + s_i with s = log_vars")


@pytest.mark.task("23.2")
@FEW
@given(num_tasks=st.integers(1, 5), seed=st.integers(0, 2**16), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_uncertainty_weighting_values_and_grads(learner, reference, device, num_tasks, seed, dtype):
    log_vars = randn((num_tasks,), seed, dtype, device)
    losses = (randn((num_tasks,), seed + 1, dtype, device).abs() * 2 + 0.1)
    check_uncertainty(learner, reference, log_vars, losses)


@pytest.mark.task("23.2")
def test_uncertainty_weighting_fixed_case(learner, reference, device):
    log_vars, losses = torch.tensor([0.5, -1.0], device=device), torch.tensor([2.0, 0.3], device=device)
    check_uncertainty(learner, reference, log_vars, losses)


# ----------------------------------------------------------------------------------------------------------- 23.3
def check_pcgrad(learner, reference, grads: list[torch.Tensor], note: str = "") -> None:
    got = learner.run(R.call_pcgrad, grads)
    want = R.call_pcgrad(reference, grads)
    # A few dot products and subtractions per entry: allow rounding proportional to the gradients' size.
    atol = max(scaled_atol(torch.stack(grads), 8.0 * len(grads) * grads[0].numel()),
               default_tolerances(grads[0].dtype)[1])
    shown = [[round(v, 4) for v in g.tolist()] for g in grads]
    inputs = f"grads = {shown} ({grads[0].dtype}){note}"
    known = {}
    if mismatch(got["out"], want["out"], atol=atol) is not None and final_example():
        known = {name: fn([g.clone() for g in grads]) for name, fn in M.PCGRAD_MISTAKES.items()}
    assert_same(got["out"], want["out"], what="pcgrad result", inputs=inputs, atol=atol, mistakes=known,
                hint="for each i start from grads[i].clone() and project against the original grads[j], j != i, "
                "in order")
    changed = [i for i, m in enumerate(got["modified"]) if m]
    require(not changed, (
        f"pcgrad modified its input gradients in place (grads{changed}): clone before projecting\n  for {inputs}"
    ))


@pytest.mark.task("23.3")
@FEW
@given(
    num_tasks=st.integers(2, 4),
    dim=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_pcgrad_matches_the_definition(learner, reference, device, num_tasks, dim, seed):
    grads = [randn((dim,), seed + t, torch.float64, device) for t in range(num_tasks)]
    check_pcgrad(learner, reference, grads)


PCGRAD_CASES = {
    "conflicting pair": [[1.0, 0.0], [-1.0, 1.0]],
    "no conflict": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
    "three tasks, conflicts in a chain": [[1.0, 0.2, 0.0], [-0.8, 1.0, 0.3], [0.1, -1.0, 0.5]],
    "one task": [[3.0, -4.0]],
    "a zero gradient": [[1.0, 2.0], [0.0, 0.0], [-2.0, 0.5]],
}


@pytest.mark.task("23.3")
@pytest.mark.parametrize("case", list(PCGRAD_CASES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_pcgrad_edge_cases(learner, reference, device, case, dtype):
    grads = [torch.tensor(g, dtype=dtype, device=device) for g in PCGRAD_CASES[case]]
    check_pcgrad(learner, reference, grads, note=f" ({case})")


# ----------------------------------------------------------------------------------------------------------- 23.4
@pytest.mark.task("23.4")
def test_multitask_training_learns_both_tasks(learner, device, curves):
    held = C.heldout_23(C.TASK.check_seed)
    got = C.run(learner, C.TASK.check_seed, device.type)
    curves.yours = list(got["losses"])
    curves.reference = reference_losses(C.TASK)
    curves.label = "cross entropy + MSE"
    n = len(held[0])
    require(tuple(got["cls_pred"].shape) == (n,) and tuple(got["reg_pred"].shape) == (n,), (
        f"predictions on {n} held-out rows have shapes {tuple(got['cls_pred'].shape)} and "
        f"{tuple(got['reg_pred'].shape)}"
    ))
    m = C.metrics_23(got, held)
    detail = (
        f"\n  trained {R.TRAIN_STEPS} Adam steps (lr {R.LR}, batch {R.BATCH}) on {R.TRAIN_N} rows of make_two_task; "
        f"measured on {n} held-out rows; final log_vars {[round(v, 3) for v in got['log_vars'].tolist()]}"
        f"\n  {reference_summary(C.TASK)}"
    )
    require(m["accuracy"] >= C.MIN_ACCURACY_23, (
        f"classification accuracy {m['accuracy']:.3f} < {C.MIN_ACCURACY_23} (R^2 {m['r2']:.3f}){detail}"
    ))
    require(m["r2"] >= C.MIN_R2_23, (
        f"regression R^2 {m['r2']:.3f} < {C.MIN_R2_23} (accuracy {m['accuracy']:.3f}){detail}"
    ))
