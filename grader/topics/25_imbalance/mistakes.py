"""Known mistakes for topic 25 (imbalanced data), as functions with the learner's signatures.

The checks run the same recipe on each and name the mistake whose result the learner's matches.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 25.1
def _counts(targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.bincount(targets.reshape(-1), minlength=num_classes)[:num_classes].double()


def _class_weights(balanced: Callable, effective: Callable) -> Callable:
    def class_weights(targets, num_classes, scheme="balanced", beta=0.999):
        n = _counts(targets, num_classes)
        w = balanced(n, num_classes) if scheme == "balanced" else effective(n, beta)
        return w.float()

    return class_weights


def _balanced(n, c):
    return torch.where(n > 0, n.sum() / (c * n.clamp(min=1)), torch.zeros_like(n))


def _effective(n, beta):
    w = torch.where(n > 0, (1 - beta) / (1 - beta ** n.clamp(min=1)), torch.zeros_like(n))
    return w * (n > 0).sum() / w.sum()


CLASS_WEIGHT_MISTAKES: dict[str, Callable] = {
    "balanced weights N/n_c without C (the contract is N / (C * n_c))": _class_weights(
        lambda n, c: torch.where(n > 0, n.sum() / n.clamp(min=1), torch.zeros_like(n)), _effective
    ),
    "balanced weights 1/n_c (the contract is N / (C * n_c))": _class_weights(
        lambda n, c: torch.where(n > 0, 1 / n.clamp(min=1), torch.zeros_like(n)), _effective
    ),
    "C taken as the number of classes present; the contract's C is num_classes": _class_weights(
        lambda n, c: torch.where(n > 0, n.sum() / ((n > 0).sum() * n.clamp(min=1)), torch.zeros_like(n)), _effective
    ),
    "a class with n_c = 0 gets inf or nan instead of 0": _class_weights(lambda n, c: n.sum() / (c * n), _effective),
    "effective weights not normalised (rescale them to sum to the number of present classes)": _class_weights(
        _balanced, lambda n, b: torch.where(n > 0, (1 - b) / (1 - b ** n.clamp(min=1)), torch.zeros_like(n))
    ),
    "effective weights normalised to sum to num_classes (only the present classes count)": _class_weights(
        _balanced, lambda n, b: _effective(n, b) * len(n) / (n > 0).sum()
    ),
}


# ----------------------------------------------------------------------------------------------------------- 25.2
def sampler_weights_proportional_to_count(targets: torch.Tensor) -> torch.Tensor:
    """Normalised per-sample weights n_{y_i}: the majority class is drawn even more often."""
    w = torch.bincount(targets)[targets].double()
    return w / w.sum()


def sampler_weights_uniform(targets: torch.Tensor) -> torch.Tensor:
    """Equal weights: the sampler reproduces the imbalance."""
    return torch.full((len(targets),), 1.0 / len(targets), dtype=torch.float64)


def sampler_weights_per_class(targets: torch.Tensor) -> torch.Tensor:
    """One weight per class (1 / n_c) instead of one per sample: the sampler then draws class ids, not row ids."""
    counts = torch.bincount(targets).double()
    w = 1 / counts
    return w / w.sum()


SAMPLER_WEIGHT_MISTAKES: dict[str, Callable] = {
    "weights proportional to n_y instead of 1/n_y": sampler_weights_proportional_to_count,
    "equal weights for every sample (the sampler reproduces the imbalance)": sampler_weights_uniform,
    "one weight per class instead of one per sample (WeightedRandomSampler needs len(targets) weights)":
        sampler_weights_per_class,
}
SAMPLER_WITHOUT_REPLACEMENT = "replacement=False (the minority rows can then be drawn only once per epoch)"


# ----------------------------------------------------------------------------------------------------------- 25.3
def _focal_terms(logits: torch.Tensor, target: torch.Tensor, gamma: float) -> torch.Tensor:
    log_pt = torch.log_softmax(logits, 1).gather(1, target[:, None]).squeeze(1)
    return -((1 - log_pt.exp()) ** gamma) * log_pt


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def focal_alpha_all_classes(logits, target, gamma=2.0, alpha=None, reduction="mean"):
    """alpha (C,) broadcast against the per-sample loss (N, 1): an (N, C) loss, every class's alpha on every sample."""
    loss = _focal_terms(logits, target, gamma)
    if alpha is not None:
        loss = loss[:, None] * alpha.to(loss.dtype)[None, :]
    return _reduce(loss, reduction)


def focal_mean_over_classes_too(logits, target, gamma=2.0, alpha=None, reduction="mean"):
    """The focal term masked by one-hot targets as an (N, C) tensor, then .mean() over all N*C entries."""
    log_p = torch.log_softmax(logits, 1)
    terms = -((1 - log_p.exp()) ** gamma) * log_p * F.one_hot(target, logits.shape[1]).to(log_p.dtype)
    if alpha is not None:
        terms = terms * alpha.to(terms.dtype)[None, :]
    return _reduce(terms, reduction) if reduction != "none" else terms.sum(1)


def focal_mean_by_alpha_sum(logits, target, gamma=2.0, alpha=None, reduction="mean"):
    """'mean' divided by sum(alpha_t), as F.cross_entropy does with weight=."""
    loss = _focal_terms(logits, target, gamma)
    if alpha is None:
        return _reduce(loss, reduction)
    a = alpha.to(loss.dtype)[target]
    loss = a * loss
    return loss.sum() / a.sum() if reduction == "mean" else _reduce(loss, reduction)


def focal_alpha_ignored(logits, target, gamma=2.0, alpha=None, reduction="mean"):
    """alpha never applied."""
    return _reduce(_focal_terms(logits, target, gamma), reduction)


def focal_pt_power(logits, target, gamma=2.0, alpha=None, reduction="mean"):
    """p_t^gamma instead of (1 - p_t)^gamma: easy samples weighted up instead of down."""
    log_pt = torch.log_softmax(logits, 1).gather(1, target[:, None]).squeeze(1)
    loss = -(log_pt.exp() ** gamma) * log_pt
    if alpha is not None:
        loss = alpha.to(loss.dtype)[target] * loss
    return _reduce(loss, reduction)


FOCAL_MISTAKES: dict[str, Callable] = {
    "focal loss with alpha applied to all classes (use alpha[target] per sample)": focal_alpha_all_classes,
    "focal loss with the mean over non-reduced dims (N * C entries; 'mean' is over the N samples only)":
        focal_mean_over_classes_too,
    "'mean' divided by the sum of alpha_t, as cross_entropy's weight= does; the contract's mean is over samples":
        focal_mean_by_alpha_sum,
    "alpha is ignored": focal_alpha_ignored,
    "p_t^gamma instead of (1 - p_t)^gamma": focal_pt_power,
}


# ----------------------------------------------------------------------------------------------------------- 25.4
def _sigmoid_focal(alpha_rule: Callable, stable: bool = True) -> Callable:
    def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
        p = torch.sigmoid(inputs)
        ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none") if stable else -(
            targets * torch.log(p) + (1 - targets) * torch.log(1 - p))
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce * (1 - p_t) ** gamma
        a = alpha_rule(alpha, targets)
        if a is not None:
            loss = a * loss
        return _reduce(loss, reduction)

    return sigmoid_focal_loss


def _tv_alpha(alpha, t):
    return alpha * t + (1 - alpha) * (1 - t) if alpha >= 0 else None


SIGMOID_FOCAL_MISTAKES: dict[str, Callable] = {
    "sigmoid focal loss with alpha not applied to negatives as (1 - alpha) (alpha multiplies every element)":
        _sigmoid_focal(lambda a, t: a if a >= 0 else None),
    "sigmoid focal loss with alpha on the positives only (negatives must get 1 - alpha)":
        _sigmoid_focal(lambda a, t: a * t + (1 - t) if a >= 0 else None),
    "alpha and 1 - alpha swapped (alpha weights the positives)":
        _sigmoid_focal(lambda a, t: (1 - a) * t + a * (1 - t) if a >= 0 else None),
    "alpha < 0 must mean no weighting at all": _sigmoid_focal(lambda a, t: a * t + (1 - a) * (1 - t)),
    "naive log(sigmoid(x)) cross entropy (inf for large |x|; use the stable BCE-with-logits form)":
        _sigmoid_focal(_tv_alpha, stable=False),
}
