# expect: 22.2 fail "confusion matrix transposed"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int = 255) -> torch.Tensor:
    """(C, C) int64 counts: entry [t, p] is the number of pixels of true class t predicted as p (rows = target,
    columns = pred), over the pixels whose target is not ignore_index."""
    valid = target != ignore_index
    # Each (target, pred) pair gets its own bin t * C + p: one bincount builds the whole matrix.
    pairs = pred[valid].long() * num_classes + target[valid].long()
    return torch.bincount(pairs, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
