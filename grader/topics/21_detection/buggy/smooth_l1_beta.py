# expect: 21.4 fail "smooth L1 with the wrong beta"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def detection_loss(
    class_logits: torch.Tensor,
    box_preds: torch.Tensor,
    target_labels: torch.Tensor,
    target_boxes: torch.Tensor,
    box_weight: float = 1.0,
) -> torch.Tensor:
    """Mean cross entropy of the class logits (N, C) plus box_weight times the mean smooth L1 (beta = 1) between the
    predicted (N, 4) and target (N, 4) boxes."""
    # Smooth L1 is quadratic for small errors (smooth gradients near the optimum) and linear for large ones (an
    # outlier box does not dominate the gradient the way it would with MSE).
    cls = F.cross_entropy(class_logits, target_labels)
    box = F.smooth_l1_loss(box_preds, target_boxes, beta=1.0 / 9)
    return cls + box_weight * box
