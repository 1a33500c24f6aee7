"""Known mistakes for topic 26 (softmax, cross entropy, BCE with logits), as functions with the learner's signatures.

Each mapping goes from the mistake's learner-facing name to a function that computes what an implementation with that
mistake returns; the checks run them on the failing input and name the one the learner's output matches.
"""

from __future__ import annotations

from typing import Callable

import torch


# ----------------------------------------------------------------------------------------------------------- 26.1
def softmax_without_max(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(x) / sum(exp(x)): overflows to inf/inf = nan once an entry exceeds ~88 (float32)."""
    e = x.exp()
    return e / e.sum(dim=dim, keepdim=True)


def softmax_last_dim(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """A stable softmax that ignores `dim` and always normalises the last dimension."""
    return torch.softmax(x, dim=-1)


def log_of_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)): a softmax entry that underflows to 0 gives -inf."""
    return torch.softmax(x, dim=dim).log()


def log_softmax_without_max(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """x - log(sum(exp(x))) without the max shift: exp overflows, the result is -inf or nan."""
    return x - x.exp().sum(dim=dim, keepdim=True).log()


def log_softmax_last_dim(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """A stable log_softmax that ignores `dim` and always normalises the last dimension."""
    return torch.log_softmax(x, dim=-1)


SOFTMAX_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "softmax without subtracting the max first (exp overflows: inf/inf = nan)": softmax_without_max,
    "softmax over the last dimension whatever `dim` says": softmax_last_dim,
}

LOG_SOFTMAX_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "log(softmax(x)) instead of a stable log_softmax (a softmax that underflows to 0 gives log(0) = -inf)": (
        log_of_softmax
    ),
    "log_softmax without subtracting the max first (exp overflows)": log_softmax_without_max,
    "log_softmax over the last dimension whatever `dim` says": log_softmax_last_dim,
}


# ----------------------------------------------------------------------------------------------------------- 26.2
def cross_entropy_variant(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    mean_over_count: bool = False,
    ignored_in_denominator: bool = False,
    ignore_not_masked: bool = False,
    smoothing_unweighted: bool = False,
    smoothing_over_other_classes: bool = False,
    class_dim_last: bool = False,
    log_of_softmax: bool = False,
) -> torch.Tensor:
    """Cross entropy as torch computes it, except for the mistakes switched on by the keyword flags."""
    unbatched = input.dim() == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    num_classes = input.shape[1]
    class_dim = input.dim() - 1 if class_dim_last else 1
    logp = torch.softmax(input, dim=class_dim).log() if log_of_softmax else torch.log_softmax(input, dim=class_dim)
    class_w = None if weight is None else weight.view(1, num_classes, *([1] * (input.dim() - 2)))

    if target.is_floating_point():
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / num_classes
        per_class = -logp * target
        if class_w is not None:
            per_class = per_class * class_w
        loss = per_class.sum(dim=1)
        if reduction == "none":
            return loss.squeeze(0) if unbatched else loss
        return loss.sum() if reduction == "sum" else loss.sum() / loss.numel()

    valid = target != ignore_index
    if ignore_not_masked:
        valid = torch.ones_like(valid)
    safe = torch.where(valid, target, torch.zeros_like(target))
    nll = -logp.gather(1, safe.unsqueeze(1)).squeeze(1)
    sample_w = weight[safe] if weight is not None else torch.ones_like(nll)
    masked_w = sample_w * valid
    nll = nll * masked_w
    smooth = None
    if label_smoothing > 0:
        per_class = -logp if (class_w is None or smoothing_unweighted) else -logp * class_w
        if smoothing_over_other_classes:  # 1-eps on the target class, eps/(C-1) on each of the others
            others = per_class.sum(dim=1) - per_class.gather(1, safe.unsqueeze(1)).squeeze(1)
            smooth = others * valid * num_classes / max(num_classes - 1, 1)
        else:
            smooth = per_class.sum(dim=1) * valid
    if reduction == "none":
        loss = nll if smooth is None else (1 - label_smoothing) * nll + (label_smoothing / num_classes) * smooth
        return loss.squeeze(0) if unbatched else loss
    total = nll.sum()
    if smooth is not None:
        total = (1 - label_smoothing) * total + (label_smoothing / num_classes) * smooth.sum()
    if reduction == "sum":
        return total
    if ignored_in_denominator:  # every position counts below the line, ignored or not
        if weight is None:
            return total / nll.numel()
        in_range = (target >= 0) & (target < num_classes)
        return total / (weight[target.clamp(0, num_classes - 1)] * in_range).sum()
    if mean_over_count:
        return total / valid.sum()
    return total / masked_w.sum()


def _variant(**flags: bool) -> Callable[..., torch.Tensor]:
    def ce(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        return cross_entropy_variant(input, target, weight, ignore_index, reduction, label_smoothing, **flags)

    return ce


CROSS_ENTROPY_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "'mean' divides by the number of targets instead of the sum of their class weights": _variant(mean_over_count=True),
    "ignored targets still counted in the mean's denominator (ignore_index not excluded from the mean)": _variant(
        ignored_in_denominator=True
    ),
    "ignored targets not masked out (ignore_index has no effect)": _variant(ignore_not_masked=True),
    "label smoothing's uniform term computed without the class weights": _variant(smoothing_unweighted=True),
    "label smoothing spread over the C-1 other classes instead of all C classes": _variant(
        smoothing_over_other_classes=True
    ),
    "log_softmax taken over the last dimension instead of the class dimension 1": _variant(class_dim_last=True),
    "log(softmax(x)) instead of a stable log_softmax (log(0) = -inf for large logits)": _variant(log_of_softmax=True),
}


# ----------------------------------------------------------------------------------------------------------- 26.3
def _bce_variant(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    pos_weight: torch.Tensor | None = None,
    reduction: str = "mean",
    *,
    naive: bool = False,
    pos_weight_everywhere: bool = False,
    pos_weight_on_negatives: bool = False,
    mean_over_batch: bool = False,
) -> torch.Tensor:
    if naive:
        p = torch.sigmoid(input)
        log_sig, log_one_minus = p.log(), (1 - p).log()
    else:
        log_sig = torch.nn.functional.logsigmoid(input)
        log_one_minus = log_sig - input
    pos, neg = target * log_sig, (1 - target) * log_one_minus
    if pos_weight is not None and not pos_weight_everywhere:
        if pos_weight_on_negatives:
            neg = pos_weight * neg
        else:
            pos = pos_weight * pos
    loss = -(pos + neg)
    if pos_weight is not None and pos_weight_everywhere:
        loss = loss * pos_weight
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if mean_over_batch and loss.dim() > 0:
        return loss.sum() / loss.shape[0]
    return loss.mean()


def _bce(**flags: bool) -> Callable[..., torch.Tensor]:
    def bce(input, target, weight=None, pos_weight=None, reduction="mean"):
        return _bce_variant(input, target, weight, pos_weight, reduction, **flags)

    return bce


BCE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "naive log(sigmoid(x)) and log(1 - sigmoid(x)) (log(0) = -inf for large |x|)": _bce(naive=True),
    "pos_weight multiplies the whole loss instead of only the positive term": _bce(pos_weight_everywhere=True),
    "pos_weight applied to the negative term (1 - y) instead of the positive one": _bce(pos_weight_on_negatives=True),
    "'mean' divides by the batch size instead of the number of elements": _bce(mean_over_batch=True),
}
