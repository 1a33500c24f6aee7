"""Topic 25: imbalanced data — class weights, a class-balancing sampler, focal losses.

Run `grade exercise 25` to check your work; `grade hint 25` when stuck.
"""

from __future__ import annotations

import torch
from torch.utils.data import WeightedRandomSampler


def class_weights(
    targets: torch.Tensor, num_classes: int, scheme: str = "balanced", beta: float = 0.999
) -> torch.Tensor:
    """25.1 — per-class loss weights from int64 class targets (N,) in [0, num_classes).

    n_c = number of targets equal to c; N = len(targets); C = num_classes.
    'balanced':  w_c = N / (C * n_c)                  (sklearn's "balanced")
    'effective': w_c = (1 - beta) / (1 - beta**n_c)    (Cui et al. 2019), then rescaled so that the weights of the
                 classes present sum to the number of classes present.
    A class with n_c = 0 gets weight 0 (not inf, not nan). Returns (num_classes,) float.
    """
    # TODO
    raise NotImplementedError("class_weights")


def balanced_sampler(
    targets: torch.Tensor, num_samples: int | None = None, generator: torch.Generator | None = None
) -> WeightedRandomSampler:
    """25.2 — a sampler that draws every class equally often in expectation.

    Returns torch.utils.data.WeightedRandomSampler with one weight per sample, proportional to 1 / n_{y_i} (the size
    of that sample's class), replacement=True, num_samples draws (default len(targets)), and the given generator
    (so the same generator state gives the same draws).
    """
    # TODO
    raise NotImplementedError("balanced_sampler")


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """25.3 — multi-class focal loss (Lin et al. 2017).

    logits (N, C) float, target (N,) int64. With p_t the softmax probability of the target class:
        loss_i = -alpha[target_i] * (1 - p_t)**gamma * log(p_t)      (no alpha factor when alpha is None)
    alpha: (C,) per-class weights or None. reduction: 'mean' (the plain mean over the N samples), 'sum' or 'none'
    ((N,)). With gamma=0 and alpha=None it equals cross entropy. Compute log p_t stably (logits may be large).
    Forbidden: F.cross_entropy, F.nll_loss (and nn.CrossEntropyLoss / nn.NLLLoss).
    """
    # TODO
    raise NotImplementedError("focal_loss")


def sigmoid_focal_loss(
    inputs: torch.Tensor,
    targets: torch.Tensor,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> torch.Tensor:
    """25.4 — RetinaNet's binary focal loss, the same as torchvision.ops.sigmoid_focal_loss (values and gradients).

    inputs: logits of any shape; targets: 0/1 floats of the same shape. p = sigmoid(inputs),
        ce  = binary cross entropy from the logits, per element (stable for large |inputs|)
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce * (1 - p_t)**gamma, times alpha_t = alpha * targets + (1 - alpha) * (1 - targets) when alpha >= 0
    reduction: 'none' (same shape as inputs), 'mean' (over all elements) or 'sum'.
    Forbidden: torchvision.ops.sigmoid_focal_loss.
    """
    # TODO
    raise NotImplementedError("sigmoid_focal_loss")
