# expect: 26.1 forbidden "softmax"
"""Reference solution, topic 26: softmax, log_softmax, cross_entropy and binary_cross_entropy_with_logits from scratch.

Everything here is built from exp, log, max and sums only: no torch softmax/logsumexp/loss functions.
"""

from __future__ import annotations

import torch


# ----------------------------------------------------------------------------------------------------------- 26.1
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along `dim`: exp(x) / sum(exp(x)), computed without overflow."""
    # softmax(x) == softmax(x - c) for any constant c. Subtracting the max makes every exponent <= 0, so exp never
    # overflows (exp(1e4) is inf in any float dtype) and the largest term is exactly 1, so the sum is never 0.
    # The max is detached: the output does not depend on it, and detaching keeps its (zero) gradient out of autograd.
    return torch.ops.aten._softmax(x, dim, False)  # forbidden: the aten op behind torch.softmax


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along `dim`, computed stably as (x - m) - log(sum(exp(x - m))) with m the max."""
    # Never log(softmax(x)): for large logits softmax underflows to 0 and log(0) = -inf, while the true value is just a
    # large negative number. In log space the result stays finite.
    shifted = x - x.detach().amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


# ----------------------------------------------------------------------------------------------------------- 26.2
def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross entropy between logits `input` and `target`, with the semantics of torch.nn.functional.cross_entropy.

    input: (C,), (N, C) or (N, C, d1, ..., dk) logits; the class dimension is 1 (0 for (C,)).
    target: class indices (int64) of shape (), (N,) or (N, d1, ..., dk), or class probabilities shaped like input.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    unbatched = input.dim() == 1
    if unbatched:  # (C,) is one sample: give it a batch dimension and take it away at the end
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    num_classes = input.shape[1]
    logp = log_softmax(input, dim=1)
    # weight broadcast over the class dimension: (1, C, 1, ..., 1)
    class_w = None if weight is None else weight.view(1, num_classes, *([1] * (input.dim() - 2)))

    if target.is_floating_point():
        # Probability targets: H(t, p) = -sum_c w_c t_c log p_c. Label smoothing mixes t with the uniform distribution.
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / num_classes
        per_class = -logp * target
        if class_w is not None:
            per_class = per_class * class_w
        loss = per_class.sum(dim=1)
        if reduction == "none":
            return loss.squeeze(0) if unbatched else loss
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / loss.numel()  # 'mean' divides by N*d1*...*dk here, never by the weights

    # Class-index targets. Ignored positions get a weight of 0; a safe index (0) keeps gather in range for them.
    valid = target != ignore_index
    safe_target = torch.where(valid, target, torch.zeros_like(target))
    nll = -logp.gather(1, safe_target.unsqueeze(1)).squeeze(1)  # -log p[target], shape (N, d1, ...)
    sample_w = weight[safe_target] if weight is not None else torch.ones_like(nll)
    sample_w = sample_w * valid
    nll = nll * sample_w

    smooth = None
    if label_smoothing > 0:
        # The uniform part of the smoothed target: -sum_c w_c log p_c, counted for non-ignored positions only.
        per_class = -logp if class_w is None else -logp * class_w
        smooth = per_class.sum(dim=1) * valid

    if reduction == "none":
        loss = nll if smooth is None else (1 - label_smoothing) * nll + (label_smoothing / num_classes) * smooth
        return loss.squeeze(0) if unbatched else loss
    total = nll.sum()
    if smooth is not None:
        total = (1 - label_smoothing) * total + (label_smoothing / num_classes) * smooth.sum()
    if reduction == "sum":
        return total
    # 'mean' is a weighted mean: divide by the total weight of the non-ignored targets, not by N. Without weights
    # that is the number of non-ignored targets (ignored ones count neither above nor below the line).
    return total / sample_w.sum()


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
    log_sig = torch.clamp(input, max=0) - torch.log1p(torch.exp(-input.abs()))
    log_one_minus_sig = log_sig - input  # log(1 - sigmoid(x)) = log(sigmoid(-x)) = log(sigmoid(x)) - x
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
