# expect: 26.3 fail "naive log(sigmoid(x))"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 26.3
def binary_cross_entropy_with_logits(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    pos_weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """-[pos_weight * y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x))], times weight, then reduced."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    # log(sigmoid(x)) = -log(1 + exp(-x)) = min(x, 0) - log1p(exp(-|x|)): exp only ever sees -|x| <= 0, so nothing
    # overflows, and log1p keeps precision when exp(-|x|) is tiny. log(sigmoid(x)) via sigmoid then log would give
    # log(0) = -inf at x = -1e4.
    log_sig = torch.sigmoid(input).log()  # BUG: log(0) = -inf once sigmoid saturates
    log_one_minus_sig = (1 - torch.sigmoid(input)).log()  # log(1 - sigmoid(x)) = log(sigmoid(-x)) = log(sigmoid(x)) - x
    pos_term = target * log_sig
    if pos_weight is not None:  # pos_weight scales the positive term only (recall vs precision trade-off)
        pos_term = pos_weight * pos_term
    loss = -(pos_term + (1 - target) * log_one_minus_sig)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
