"""Known mistakes for topic 22 (Dice loss, confusion matrix, IoU metrics), run in the trusted process.

Each *_MISTAKES dict maps the learner-facing name of a mistake to a function with the signature of the task's function
that computes what an implementation with that mistake returns; the checks name the one a wrong answer matches.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 22.1
def dice(
    logits: torch.Tensor,
    target: torch.Tensor,
    smooth: float = 1.0,
    ignore_index: int | None = None,
    *,
    per_image: bool = False,
    mask_probs: bool = True,
    mask_target: bool = True,
    smooth_numerator: bool = True,
) -> torch.Tensor:
    """Dice loss with the flagged mistakes: Dice per image then averaged, ignored pixels left in sum(p) and/or counted
    as class 0, smooth only in the denominator."""
    c = logits.shape[1]
    p = logits.softmax(1)
    valid = torch.ones_like(target, dtype=torch.bool) if ignore_index is None else target != ignore_index
    t = F.one_hot(torch.where(valid, target, 0), c).movedim(-1, 1).to(p.dtype)
    m = valid.unsqueeze(1).to(p.dtype)
    if mask_probs:
        p = p * m
    if mask_target:
        t = t * m
    dims = list(range(2, logits.dim())) if per_image else [0] + list(range(2, logits.dim()))
    inter = (p * t).sum(dims)
    card = p.sum(dims) + t.sum(dims)
    d = (2 * inter + (smooth if smooth_numerator else 0.0)) / (card + smooth)
    return 1 - d.mean()


def _dice_with(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda logits, target, smooth=1.0, ignore_index=None: dice(logits, target, smooth, ignore_index, **flags)


DICE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "Dice computed per image and then averaged (the contract sums over all N*H*W pixels at once)": _dice_with(
        per_image=True
    ),
    "ignore_index not handled: ignored pixels still counted (as class 0)": _dice_with(
        mask_probs=False, mask_target=False
    ),
    "ignore_index only removed from the target: ignored pixels' probabilities still counted in sum(p)": _dice_with(
        mask_probs=False
    ),
    "smooth added to the denominator only": _dice_with(smooth_numerator=False),
}


# ----------------------------------------------------------------------------------------------------------- 22.2
def confusion(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255, *, transposed: bool = False
) -> torch.Tensor:
    """The confusion matrix, or its transpose (rows = pred)."""
    valid = target != ignore_index
    t, p = target[valid].long(), pred[valid].long()
    rows, cols = (p, t) if transposed else (t, p)
    cm = torch.bincount(rows * num_classes + cols, minlength=num_classes * num_classes)
    return cm.reshape(num_classes, num_classes)


CONFUSION_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "confusion matrix transposed (rows must be the target, columns the prediction)": (
        lambda pred, target, num_classes, ignore_index=255: confusion(
            pred, target, num_classes, ignore_index, transposed=True
        )
    ),
}


def iou_parts(
    pred: torch.Tensor,
    target: torch.Tensor,
    num_classes: int,
    ignore_index: int = 255,
    *,
    absent_zero: bool = False,
    precision: bool = False,
    keep_ignored: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(miou, iou) with the flagged mistakes: absent classes as 0, TP / (TP + FP), ignored pixels kept as class 0."""
    if keep_ignored:
        target = torch.where(target == ignore_index, 0, target)
    cm = confusion(pred, target, num_classes, ignore_index).double()
    tp = cm.diag()
    denom = cm.sum(0) if precision else cm.sum(0) + cm.sum(1) - tp
    iou = (tp / denom).float()
    if absent_zero:
        iou = iou.nan_to_num(0.0)
        return iou.mean(), iou
    return iou.nanmean(), iou


def _iou_with(**flags: bool) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    def model(pred, target, num_classes, ignore_index=255):
        return iou_parts(pred, target, num_classes, ignore_index, **flags)

    return model


MEAN_IOU_MISTAKES: dict[str, Callable[..., tuple[torch.Tensor, torch.Tensor]]] = {
    "mIoU counting classes absent from both pred and target as IoU 0 (they are NaN and left out of the mean)": (
        _iou_with(absent_zero=True)
    ),
    "IoU computed as TP / (TP + FP) (that is precision; IoU is TP / (TP + FP + FN))": _iou_with(precision=True),
    "ignore_index pixels not excluded (counted as class 0)": _iou_with(keep_ignored=True),
}


def accuracy_counting_ignored(pred: torch.Tensor, target: torch.Tensor, ignore_index: int = 255) -> torch.Tensor:
    """Pixel accuracy whose denominator counts the ignored pixels too."""
    valid = target != ignore_index
    return ((pred == target) & valid).sum().float() / target.numel()


PIXEL_ACCURACY_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "pixel accuracy dividing by every pixel, ignored ones included": accuracy_counting_ignored,
}
