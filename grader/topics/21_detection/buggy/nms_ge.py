# expect: 21.2 fail "NMS with >= instead of >"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices (int64) of the boxes kept by greedy non-maximum suppression, by decreasing score: a box is dropped when
    its IoU with an already kept, higher-scored box is > iou_threshold."""
    order = torch.argsort(scores, descending=True, stable=True)
    # One IoU matrix up front, then a cheap greedy pass on the CPU: N is small after score filtering in practice.
    overlaps = (box_iou(boxes, boxes) >= iou_threshold).cpu()
    suppressed = torch.zeros(boxes.shape[0], dtype=torch.bool)
    keep = []
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= overlaps[i]
    return torch.tensor(keep, dtype=torch.int64, device=boxes.device)
