# expect: 24.6 fail "adaboost without clamping"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable
import torch


def adaboost_update(sample_weights: torch.Tensor, misclassified: torch.Tensor) -> tuple[torch.Tensor, float]:
    """One AdaBoost round: (new sample weights summing to 1, the weak learner's vote alpha).

    err = sum(w * mis) / sum(w), clamped to [1e-10, 1 - 1e-10]; alpha = 0.5 * ln((1 - err) / err); misclassified rows
    are multiplied by exp(alpha), the others by exp(-alpha), then everything is renormalised.
    """
    w = sample_weights
    mis = misclassified.to(w.dtype)
    err = (w * mis).sum() / w.sum()
    # Clamp: a perfect (err = 0) or perfectly wrong learner would otherwise give an infinite alpha.
    alpha = 0.5 * torch.log((1 - err) / err)
    new = w * torch.exp(torch.where(misclassified.bool(), alpha, -alpha))
    return new / new.sum(), float(alpha)
