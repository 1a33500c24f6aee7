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


def sharing_inputs(in_features: int, device) -> list[torch.Tensor]:
    """The 23.1 probe batches: 16 standard-normal rows, a single row, and 64 rows at three times the scale."""
    return [randn((16, in_features), 7, device=device), randn((1, in_features), 8, device=device),
            randn((64, in_features), 9, device=device, scale=3.0)]


def sharing_problem(got: dict, call: str) -> str | None:
    """The failure message for a gradient_reach result, or None when it shows hard parameter sharing.

    Structure is decided from reachability in the autograd graph (over several inits and input batches), never from
    a zero gradient: a head ending in a ReLU that is inactive on every probe row still shares the trunk."""
    if "problem" in got:
        return f"{got['problem']}\n  for {call}"
    rows = list(zip(got["names"], got["reach_cls"], got["reach_reg"], got["nonzero_cls"], got["nonzero_reg"]))

    def mark(reach: bool, nonzero: bool, key: str) -> str:
        return (key if nonzero else f"{key}(0)") if reach else "-" * len(key)

    table = "\n".join(f"    {n}: {mark(c, zc, 'cls')} {mark(r, zr, 'reg')}" for n, c, r, zc, zr in rows)
    where = (f"\n  which outputs each parameter feeds, from the autograd graph of each output alone over "
             f"{len(R.PROBE_SEEDS)} inits and 3 input batches ('reg(0)': in the graph, but its gradient was 0 on "
             f"every probe):\n{table}")
    if not any(c and r for _, c, r, _, _ in rows):
        return ("no parameter is in the autograd graph of both outputs, so no parameter gets gradient from both task "
                "losses: the trunk is not shared. Hard parameter sharing means one trunk under both heads, both "
                f"heads reading its output (without .detach())\n  for {call}{where}")
    if not any(c and not r for _, c, r, _, _ in rows):
        return ("every parameter that 'cls' depends on is also in the autograd graph of 'reg': the classification "
                f"head needs parameters of its own\n  for {call}{where}")
    if not any(r and not c for _, c, r, _, _ in rows):
        return ("every parameter that 'reg' depends on is also in the autograd graph of 'cls': the regression head "
                f"needs parameters of its own\n  for {call}{where}")
    return None


@pytest.mark.task("23.1")
@pytest.mark.parametrize("in_features,num_classes", [(6, 3), (3, 4)], ids=str)
def test_hard_parameter_sharing(learner, device, in_features, num_classes):
    xs = sharing_inputs(in_features, device)
    got = learner.run(R.gradient_reach, in_features, num_classes, xs, list(R.PROBE_SEEDS))
    call = f"MultiTaskNet({in_features}, {num_classes}) on batches of shapes {[tuple(x.shape) for x in xs]}"
    problem = sharing_problem(got, call)
    require(problem is None, problem or "")


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
    require(C.TASK.passes(m), multitask_failure(got, held, m))


def multitask_failure(got: dict, held, m: dict) -> str:
    """What was measured when 23.4 fails: the metrics against the marks, the loop, the training loss against the
    reference's, what correct models reach, and what the predictions look like (each symptom with the known mistake
    that produces it)."""
    _, cls, target = held
    pred, classes = got["reg_pred"].double(), got["cls_pred"].long()
    failed = [f"classification accuracy {m['accuracy']:.3f} < {C.MIN_ACCURACY_23}"] if m["accuracy"] < \
        C.MIN_ACCURACY_23 else []
    failed += [f"regression R^2 {m['r2']:.3f} < {C.MIN_R2_23}"] if not m["r2"] >= C.MIN_R2_23 else []
    lines = [" and ".join(failed) + f" (accuracy {m['accuracy']:.3f}, R^2 {m['r2']:.3f})",
             f"  the grader trained {R.TRAIN_STEPS} Adam steps (lr {R.LR}, / 10 for the last quarter, batch {R.BATCH}) "
             f"on {R.TRAIN_N} rows of make_two_task with your UncertaintyWeighting{inits_line(got, 'min(acc, R^2)')}; "
             f"measured on {len(cls)} held-out rows; final log_vars {[round(v, 3) for v in got['log_vars'].tolist()]}",
             f"  {curve_line(list(got['losses']), reference_losses(C.TASK), 'training loss (CE + MSE)')}",
             f"  {reference_summary(C.TASK)}"]
    if m["accuracy"] < C.MIN_ACCURACY_23:
        top = torch.bincount(classes, minlength=int(cls.max()) + 1).max().item() / len(classes)
        if top > 0.9:
            lines.append(f"  measured: {100 * top:.0f}% of the held-out rows get the same class: the logits barely "
                         "depend on the input (what a trunk that sees nothing, or a constant head, gives)")
    if not m["r2"] >= C.MIN_R2_23:
        shape = list(got.get("reg_shape") or [])
        zero, negative = float((pred == 0).double().mean()), float((target < 0).double().mean())
        spread = float(pred.std() / target.double().std())
        if shape and shape != [R.BATCH]:
            lines.append(f"  measured: during training out['reg'] had shape {tuple(shape)} for a batch of {R.BATCH} "
                         f"targets of shape ({R.BATCH},): F.mse_loss broadcasts the two to ({R.BATCH}, {R.BATCH}), so "
                         "every prediction is pulled towards every target (squeeze(-1))")
        elif zero > 0.2:
            lines.append(f"  measured: {100 * zero:.0f}% of your regression predictions are exactly 0 and "
                         f"{100 * float((pred < 0).double().mean()):.0f}% are negative, while {100 * negative:.0f}% of "
                         "the targets are negative (what a ReLU or clamp at the end of the regression head gives)")
        elif spread < 0.2:
            lines.append(f"  measured: your regression predictions barely vary (their spread is {spread:.2f} of the "
                         "targets')")
    return "\n".join(line for line in lines if line.strip())


def curve_line(yours: list[float], reference: list[float], what: str) -> str:
    """'final training loss 0.412 (the reference's: 0.039)', or '' without a curve."""
    if not yours:
        return ""
    line = f"final {what} {yours[-1]:.4g}"
    if len(reference) == len(yours):
        line += f" (the reference's: {reference[-1]:.4g})"
    return line


def inits_line(got: dict, score: str) -> str:
    """How many inits the recipe trained, when it restarted ('' when the first init was kept)."""
    scores = got.get("val_scores") or []
    if len(scores) <= 1:
        return ""
    return (f"; {len(scores)} inits trained (validation {score} {', '.join(f'{v:.3f}' for v in scores)}), "
            "the best kept")
