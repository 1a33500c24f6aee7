"""Topic 26 — cross entropy, from scratch.

Implement the four functions below with elementary tensor operations (exp, log, log1p, max/amax, sum, gather,
where, ...). The grader compares them with PyTorch's own on random inputs, in float32 and float64, for values AND
gradients (autograd must flow through your code: no .item(), .detach() or .data on the path from inputs to output).

Forbidden here (caught statically and at run time, however indirectly you reach them): torch.softmax,
torch.log_softmax, torch.logsumexp and their Tensor methods, F.softmax, F.log_softmax, torch.special.softmax /
log_softmax / logsumexp, nn.Softmax, nn.LogSoftmax, F.softmin, F.cross_entropy, F.nll_loss, F.binary_cross_entropy(
_with_logits), F.logsigmoid, F.softplus, the nn loss modules and the torch.ops.aten ops behind them.
Allowed: torch.exp, torch.log, torch.log1p, torch.sigmoid, amax/max, sum, mean, gather, where, clamp, abs...

Run `grade exercise 26` to check your work, `grade hint 26 --task 26.2` for a hint.
"""

from __future__ import annotations

import torch


# ----------------------------------------------------------------------------------------------------------- 26.1
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax of `x` along `dim`: exp(x_i) / sum_j exp(x_j). Same shape and dtype as x.

    Must stay finite for entries of magnitude 1e4 (exp(1e4) is inf in every float dtype).
    """
    # TODO: make it numerically stable, then normalise along `dim` (keepdim=True helps broadcasting).
    raise NotImplementedError("softmax")


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along `dim`. Same shape and dtype as x.

    Must stay finite for entries of magnitude 1e4: for x = [0, -1e4] the answer is [0, -1e4], not [0, -inf].
    """
    # TODO: work in log space; do not take the log of a softmax.
    raise NotImplementedError("log_softmax")


# ----------------------------------------------------------------------------------------------------------- 26.2
def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross entropy between logits and targets, with exactly the semantics of torch.nn.functional.cross_entropy.

    input: logits of shape (C,), (N, C) or (N, C, d1, ..., dk); the class dimension is 1 ((C,): a single sample).
    target: either class indices (int64) of shape (), (N,) or (N, d1, ..., dk), values in [0, C) or ignore_index;
            or class probabilities (floating point) of the same shape as input.
    weight: optional (C,) rescaling weight per class.
    ignore_index: class-index targets equal to it contribute nothing, neither to the sum nor to the mean's
            denominator. Probability targets take no ignore_index.
    reduction: 'none' (per-sample losses, shape of the target without C), 'sum' or 'mean'.
            Class indices: 'mean' = sum of weighted losses / sum of weight[target] over non-ignored targets.
            Probabilities: 'mean' = sum / (N * d1 * ... * dk).
    label_smoothing: eps in [0, 1]: the target becomes (1 - eps) * target + eps / C (uniform over all C classes),
            the uniform part weighted by `weight` too.
    Returns a 0-dim tensor for 'mean'/'sum'.
    """
    # TODO: log-probabilities over the class dimension (reuse your log_softmax).
    # TODO: class-index targets: gather -log p at the target class, mask ignored positions, weight, reduce.
    # TODO: probability targets: -sum_c weight_c * target_c * log p_c, then reduce.
    # TODO: label smoothing for both kinds of target.
    raise NotImplementedError("cross_entropy")


# ----------------------------------------------------------------------------------------------------------- 26.3
def binary_cross_entropy_with_logits(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    pos_weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """-[pos_weight * y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x))] * weight, reduced like torch's.

    input: logits x of any shape; target: y in [0, 1], same shape as input.
    weight: optional, broadcastable to input, multiplies each element's loss.
    pos_weight: optional, broadcastable to input (typically (C,) for the last dim), multiplies the positive term only.
    reduction: 'none' (same shape as input), 'sum' or 'mean' (over all elements).
    Must stay finite for logits of magnitude 1e4 (sigmoid(1e4) rounds to exactly 1 and log(1 - 1) = -inf).
    """
    # TODO: write log(sigmoid(x)) and log(1 - sigmoid(x)) in a form that never takes log(0) nor exp(large).
    raise NotImplementedError("binary_cross_entropy_with_logits")
