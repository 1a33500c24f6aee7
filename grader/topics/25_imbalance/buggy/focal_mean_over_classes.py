# expect: 25.3 fail "mean over non-reduced dims"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch.utils.data import WeightedRandomSampler


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
    one_hot = torch.nn.functional.one_hot(target, logits.shape[1]).to(log_probs.dtype)
    loss = -((1 - log_probs.exp()) ** gamma) * log_probs * one_hot  # (N, C), zero off the target class
    if alpha is not None:
        loss = alpha.to(loss.dtype)[None, :] * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss.sum(1)
    raise ValueError(f"unknown reduction {reduction!r}")
