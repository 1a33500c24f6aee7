# expect: 22.2 fail "absent from both pred and target as IoU 0"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def mean_iou(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255
) -> tuple[torch.Tensor, torch.Tensor]:
    """(miou, iou): iou (C,) float32 = TP / (TP + FP + FN) per class, NaN for a class absent from both pred and target;
    miou = nanmean(iou), a 0-dim tensor."""
    cm = confusion_matrix(pred, target, num_classes, ignore_index).double()
    true_positive = cm.diag()
    # Row sums are the target's pixels of each class (TP + FN), column sums the predicted ones (TP + FP).
    union = cm.sum(dim=1) + cm.sum(dim=0) - true_positive
    iou = (true_positive / union.clamp(min=1)).float()
    return iou.mean(), iou
