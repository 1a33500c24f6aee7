# expect: 21.2 fail "batched_nms ignoring idxs"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """NMS done independently per category idxs[i]; indices kept (int64), by decreasing score."""
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    # The coordinate trick: shift each category's boxes by idx * (largest coordinate + 1) so that boxes of different
    # categories can never overlap, then one NMS over everything does all categories at once.
    return nms(boxes, scores, iou_threshold)
