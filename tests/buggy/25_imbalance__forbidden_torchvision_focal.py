# expect: 25.4 forbidden "sigmoid_focal_loss"
"""Reference solution, topic 25: imbalanced data (class weights, a balancing sampler, focal losses)."""

from __future__ import annotations

import torch
from torch.utils.data import WeightedRandomSampler


def class_weights(
    targets: torch.Tensor, num_classes: int, scheme: str = "balanced", beta: float = 0.999
) -> torch.Tensor:
    """Per-class loss weights (num_classes,) float32 from int64 class targets; a class with no sample gets 0.

    'balanced': N / (num_classes * n_c) (sklearn's "balanced"), so every class contributes the same total weight.
    'effective': (1 - beta) / (1 - beta**n_c) (Cui et al. 2019, "effective number of samples"), rescaled so the
    weights of the present classes sum to the number of present classes.
    """
    counts = torch.bincount(targets.reshape(-1).long(), minlength=num_classes)[:num_classes].double()
    present = counts > 0
    safe = counts.clamp(min=1)  # avoid 0-division; absent classes are zeroed below
    if scheme == "balanced":
        w = counts.sum() / (num_classes * safe)
    elif scheme == "effective":
        # 1 - beta**n is the "effective number" up to the factor 1 / (1 - beta); more samples => diminishing returns.
        w = (1 - beta) / (1 - beta**safe)
        w = torch.where(present, w, torch.zeros_like(w))
        w = w * present.sum() / w.sum()
    else:
        raise ValueError(f"unknown scheme {scheme!r}; expected 'balanced' or 'effective'")
    return torch.where(present, w, torch.zeros_like(w)).to(torch.get_default_dtype())


def balanced_sampler(
    targets: torch.Tensor, num_samples: int | None = None, generator: torch.Generator | None = None
) -> WeightedRandomSampler:
    """A sampler that draws every class equally often in expectation: per-sample weight 1 / n_{y_i}, with replacement,
    num_samples draws per epoch (default len(targets))."""
    targets = targets.reshape(-1).long()
    counts = torch.bincount(targets)
    weights = 1.0 / counts[targets].double()
    if num_samples is None:
        num_samples = len(targets)
    # replacement=True is what lets the few minority rows be drawn many times per epoch.
    return WeightedRandomSampler(weights, num_samples=num_samples, replacement=True, generator=generator)


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Multi-class focal loss -alpha_t (1 - p_t)^gamma log p_t for logits (N, C) and int64 targets (N,).

    alpha: (C,) per-class weights or None. reduction 'mean' (plain mean over samples), 'sum' or 'none'.
    With gamma=0 and alpha=None it is cross entropy.
    """
    # Stable log-softmax: subtract the row max before exponentiating.
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    log_pt = log_probs.gather(1, target[:, None]).squeeze(1)
    pt = log_pt.exp()
    # (1 - p_t)^gamma is ~0 for well-classified samples: the loss concentrates on the hard ones.
    loss = -((1 - pt) ** gamma) * log_pt
    if alpha is not None:
        loss = alpha.to(loss.dtype)[target] * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"unknown reduction {reduction!r}")


def sigmoid_focal_loss(
    inputs: torch.Tensor,
    targets: torch.Tensor,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> torch.Tensor:
    """RetinaNet's binary focal loss, same as torchvision.ops.sigmoid_focal_loss: inputs are logits, targets 0/1 of
    the same shape; alpha weights positives and (1 - alpha) negatives (alpha < 0: no weighting)."""
    import torchvision.ops as ops

    if reduction in ("none", "mean", "sum"):
        return getattr(ops, "sigmoid_focal" + "_loss")(inputs, targets, alpha, gamma, reduction)
    p = torch.sigmoid(inputs)
    # Binary cross entropy from logits, stable for large |x|: max(x, 0) - x*t + log(1 + exp(-|x|)).
    ce = inputs.clamp(min=0) - inputs * targets + torch.log1p(torch.exp(-inputs.abs()))
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"unknown reduction {reduction!r}")
