"""Recipes for topic 25 (imbalanced data). They run where the learner's code lives and return plain data only.

No recipe calls a loss function forbidden by 25.3/25.4 while the learner's code runs; the checks compute torch's and
torchvision's reference values in the trusted process.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import WeightedRandomSampler

from grader.kit.data import tabular
from grader.engine.harness import report_progress
from grader.kit.recipes import forward_backward

# The 25.5 training setup; `grade calibrate` uses the same numbers (training.py).
TRAIN_N = 2000
EPOCHS = 8
BATCH = 128
LR = 5e-3
HIDDEN = 32


def _plain(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


def call_class_weights(mod, targets: torch.Tensor, num_classes: int, scheme: str | None = None,
                       beta: float | None = None) -> Any:
    """class_weights(targets, num_classes[, scheme=...][, beta=...]) (arguments left out when None)."""
    kwargs: dict[str, Any] = {}
    if scheme is not None:
        kwargs["scheme"] = scheme
    if beta is not None:
        kwargs["beta"] = beta
    return _plain(mod.class_weights(targets, num_classes, **kwargs))


def sampler_info(mod, targets: torch.Tensor, num_samples: int | None, seed: int) -> dict:
    """Build balanced_sampler(targets[, num_samples], generator=<seeded>) and report what it is and what it draws.

    'weights' are the sampler's weights divided by their sum; 'drawn' is one pass over it; 'again' is one pass over a
    second sampler built with an identically seeded generator; 'class_counts' counts the classes of 'drawn'.
    """
    kwargs = {} if num_samples is None else {"num_samples": num_samples}
    sampler = mod.balanced_sampler(targets, generator=torch.Generator().manual_seed(seed), **kwargs)
    info: dict[str, Any] = {
        "type": type(sampler).__name__,
        "is_weighted_random_sampler": isinstance(sampler, WeightedRandomSampler),
        "replacement": getattr(sampler, "replacement", None),
        "num_samples": getattr(sampler, "num_samples", None),
        "weights": None,
    }
    weights = getattr(sampler, "weights", None)
    if isinstance(weights, torch.Tensor):
        weights = weights.detach().double().cpu()
        info["weights"] = weights / weights.sum()
    drawn = torch.tensor(list(iter(sampler)), dtype=torch.int64)
    again = torch.tensor(list(iter(mod.balanced_sampler(targets, generator=torch.Generator().manual_seed(seed),
                                                         **kwargs))), dtype=torch.int64)
    info["drawn"] = drawn
    info["again"] = again
    valid = bool(((drawn >= 0) & (drawn < len(targets))).all()) if len(drawn) else True
    info["class_counts"] = (
        torch.bincount(targets.cpu()[drawn], minlength=int(targets.max()) + 1) if valid and len(drawn) else None
    )
    return info


def focal(mod, logits: torch.Tensor, target: torch.Tensor, gamma: float | None = None,
          alpha: torch.Tensor | None = None, reduction: str | None = None) -> dict:
    """focal_loss(logits, target, ...) with its gradient wrt logits (arguments left out when None)."""
    kwargs: dict[str, Any] = {}
    if gamma is not None:
        kwargs["gamma"] = gamma
    if alpha is not None:
        kwargs["alpha"] = alpha
    if reduction is not None:
        kwargs["reduction"] = reduction
    return forward_backward(lambda logits: mod.focal_loss(logits, target, **kwargs), {"logits": logits}, wrt=["logits"])


def sigmoid_focal(mod, inputs: torch.Tensor, targets: torch.Tensor, alpha: float | None = None,
                  gamma: float | None = None, reduction: str | None = None) -> dict:
    """sigmoid_focal_loss(inputs, targets, ...) with its gradient wrt inputs (arguments left out when None)."""
    kwargs: dict[str, Any] = {}
    if alpha is not None:
        kwargs["alpha"] = alpha
    if gamma is not None:
        kwargs["gamma"] = gamma
    if reduction is not None:
        kwargs["reduction"] = reduction
    return forward_backward(
        lambda inputs: mod.sigmoid_focal_loss(inputs, targets, **kwargs), {"inputs": inputs}, wrt=["inputs"]
    )


def train_imbalanced(mod, method: str, x_test: torch.Tensor, device: str = "cpu", seed: int = 0) -> dict:
    """Train the grader's MLP on 19:1 make_imbalanced data, rebalanced by `method`:
    'sampler' — batches drawn by the learner's balanced_sampler, plain cross entropy;
    'weights' — shuffled batches, cross entropy weighted by the learner's class_weights(y, 2);
    'naive'   — shuffled batches, plain cross entropy (the calibration's baseline; uses nothing of the learner's).
    Returns {'losses': loss every 10 steps, 'pred': predicted classes on x_test, 'minority_fraction': the share of
    minority rows among the rows trained on in the first epoch (0.05 unbalanced, about 0.5 balanced), 'weights_used':
    the class weights of the 'weights' run (None otherwise), 'class_counts': rows of each class in the training data}.
    """
    with tabular.one_thread():
        return _train_imbalanced(mod, method, x_test, torch.device(device), seed)


def _train_imbalanced(mod, method: str, x_test: torch.Tensor, dev: torch.device, seed: int) -> dict:
    x_cpu, y_cpu = tabular.make_imbalanced(TRAIN_N, seed)
    x, y = x_cpu.to(dev), y_cpu.to(dev)
    gen = torch.Generator().manual_seed(seed)
    weight = None
    sampler = None
    if method == "sampler":
        sampler = mod.balanced_sampler(y_cpu, generator=gen)
    elif method == "weights":
        weight = torch.as_tensor(mod.class_weights(y_cpu, 2)).detach().float().to(dev)
    elif method != "naive":
        raise ValueError(f"unknown method {method!r}")
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(x.shape[1], HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2)).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    steps_per_epoch = -(-TRAIN_N // BATCH)
    total, step = EPOCHS * steps_per_epoch, 0
    curve: list[float] = []
    first_epoch: torch.Tensor | None = None
    for _ in range(EPOCHS):
        # What a DataLoader does with a sampler, without its per-row overhead: one pass of indices, then batches.
        order = torch.as_tensor(list(iter(sampler)), dtype=torch.int64) if sampler is not None else torch.randperm(
            TRAIN_N, generator=gen)
        if first_epoch is None:
            first_epoch = order
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH].to(dev)
            loss = F.cross_entropy(net(x[idx]), y[idx], weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 10 == 0:
                curve.append(float(loss.detach()))
                report_progress(min(step, total), total, curve[-1])
    net.eval()
    with torch.no_grad():
        pred = net(x_test.to(dev)).argmax(1).cpu()
    valid = first_epoch is not None and len(first_epoch) > 0 and bool(
        ((first_epoch >= 0) & (first_epoch < TRAIN_N)).all())
    minority = float((y_cpu[first_epoch] == 1).double().mean()) if valid else None
    return {"losses": curve, "pred": pred, "minority_fraction": minority,
            "weights_used": weight.detach().double().cpu() if weight is not None else None,
            "class_counts": torch.bincount(y_cpu, minlength=2).tolist()}
