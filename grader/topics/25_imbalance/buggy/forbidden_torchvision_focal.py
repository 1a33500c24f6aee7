# expect: 25.4 forbidden "sigmoid_focal_loss"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch.utils.data import WeightedRandomSampler


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
