# expect: 26.2 fail "'mean' divides by the number of targets"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


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
    return total / valid.sum()  # BUG: ignores the class weights
