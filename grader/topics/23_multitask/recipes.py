"""Recipes for topic 23 (multi-task learning). They run where the learner's code lives and return plain data only."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from grader.kit.data import tabular
from grader.engine.harness import report_progress
from grader.kit.recipes import cotangent_like, forward_backward

# The 23.4 training setup; `grade calibrate 23` trains the corpus with the same numbers.
TRAIN_N = 2048
TRAIN_STEPS = 400
BATCH = 128
LR = 5e-3
IN_FEATURES = 6
NUM_CLASSES = 3


def describe_output(out: Any) -> dict[str, Any]:
    """What forward returned, as plain data: its type, its keys, and the 'cls' / 'reg' tensors when present."""
    info: dict[str, Any] = {"type": type(out).__name__, "keys": None, "cls": None, "reg": None}
    if isinstance(out, dict):
        info["keys"] = sorted(str(k) for k in out)
        for key in ("cls", "reg"):
            value = out.get(key)
            info[key] = value.detach() if isinstance(value, torch.Tensor) else None
    return info


def forward_outputs(mod, in_features: int, num_classes: int, hidden: int, x: torch.Tensor, seed: int) -> dict:
    """Build MultiTaskNet(in_features, num_classes, hidden=hidden) and describe forward(x)."""
    with tabular.seeded(seed, x.device):
        net = mod.MultiTaskNet(in_features, num_classes, hidden=hidden).to(x.device)
    return describe_output(net(x))


def gradient_flow(mod, in_features: int, num_classes: int, x: torch.Tensor, seed: int) -> dict:
    """Which parameters receive gradient from the classification output alone and from the regression output alone.

    Each output is backpropagated separately with a fixed random cotangent (a stand-in for its task loss). Returns
    {'names': [...], 'from_cls': [bool...], 'from_reg': [bool...]} (a gradient counts when it has a nonzero entry).
    """
    with tabular.seeded(seed, x.device):
        net = mod.MultiTaskNet(in_features, num_classes).to(x.device)
    out = net(x)
    named = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    if not isinstance(out, dict) or not {"cls", "reg"} <= set(out):
        return {"names": [n for n, _ in named], "from_cls": None, "from_reg": None}
    params = [p for _, p in named]

    def nonzero_grads(output: torch.Tensor, cot_seed: int) -> list[bool]:
        if not isinstance(output, torch.Tensor) or not output.requires_grad or not params:
            return [False] * len(params)
        grads = torch.autograd.grad(
            output, params, grad_outputs=cotangent_like(output, cot_seed), retain_graph=True, allow_unused=True
        )
        return [g is not None and bool((g != 0).any()) for g in grads]

    return {
        "names": [n for n, _ in named],
        "from_cls": nonzero_grads(out["cls"], 1),
        "from_reg": nonzero_grads(out["reg"], 2),
    }


def parameter_shapes(mod, in_features: int, num_classes: int, hidden: int) -> dict[str, list[int]]:
    """The trainable parameters of MultiTaskNet(in_features, num_classes, hidden=hidden): name -> shape."""
    net = mod.MultiTaskNet(in_features, num_classes, hidden=hidden)
    return {n: list(p.shape) for n, p in net.named_parameters() if p.requires_grad}


def uncertainty_init(mod, num_tasks: int) -> dict:
    """The state of a fresh UncertaintyWeighting(num_tasks): its parameter names and log_vars."""
    m = mod.UncertaintyWeighting(num_tasks)
    log_vars = getattr(m, "log_vars", None)
    return {
        "param_names": [n for n, _ in m.named_parameters()],
        "is_parameter": isinstance(log_vars, torch.nn.Parameter),
        "log_vars": log_vars.detach().clone() if isinstance(log_vars, torch.Tensor) else None,
    }


def uncertainty_forward(mod, log_vars: torch.Tensor, losses: torch.Tensor) -> dict:
    """UncertaintyWeighting with log_vars set to the given values, called on `losses`: the output and the gradients
    wrt losses and wrt log_vars."""
    m = mod.UncertaintyWeighting(len(losses)).to(device=losses.device, dtype=losses.dtype)
    with torch.no_grad():
        m.log_vars.copy_(log_vars)
    return forward_backward(lambda losses: m(losses), {"losses": losses}, wrt=["losses"],
                            params={"log_vars": m.log_vars})


def call_pcgrad(mod, grads: list[torch.Tensor]) -> dict:
    """pcgrad on copies of `grads`: the result and whether the function modified its inputs in place."""
    copies = [g.clone() for g in grads]
    out = mod.pcgrad(copies)
    modified = [not torch.equal(c, g) for c, g in zip(copies, grads)]
    return {"out": out.detach() if isinstance(out, torch.Tensor) else out, "modified": modified}


def train_multitask(mod, x_test: torch.Tensor, device: str = "cpu", seed: int = 0) -> dict:
    """Train the learner's MultiTaskNet with its UncertaintyWeighting on make_two_task data (the grader's loop).

    Returns {'losses': unweighted CE + MSE every 10 steps, 'cls_pred', 'reg_pred' on x_test, 'log_vars'}.
    """
    with tabular.one_thread():
        return _train_multitask(mod, x_test, torch.device(device), seed)


def _train_multitask(mod, x_test: torch.Tensor, dev: torch.device, seed: int) -> dict:
    x, cls, reg = (t.to(dev) for t in tabular.make_two_task(TRAIN_N, seed))
    torch.manual_seed(seed)
    net = mod.MultiTaskNet(IN_FEATURES, NUM_CLASSES).to(dev)
    weighting = mod.UncertaintyWeighting(2).to(dev)
    opt = torch.optim.Adam(list(net.parameters()) + list(weighting.parameters()), lr=LR)
    batches = torch.Generator().manual_seed(seed)
    curve: list[float] = []
    for step in range(1, TRAIN_STEPS + 1):
        idx = torch.randint(0, TRAIN_N, (BATCH,), generator=batches).to(dev)
        out = net(x[idx])
        task_losses = torch.stack([F.cross_entropy(out["cls"], cls[idx]), F.mse_loss(out["reg"], reg[idx])])
        loss = weighting(task_losses)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            curve.append(float(task_losses.detach().sum()))
            report_progress(step, TRAIN_STEPS, curve[-1])
    net.eval()
    with torch.no_grad():
        out = net(x_test.to(dev))
    return {
        "losses": curve,
        "cls_pred": out["cls"].argmax(1).cpu(),
        "reg_pred": out["reg"].reshape(-1).float().cpu(),
        "log_vars": weighting.log_vars.detach().cpu(),
    }
