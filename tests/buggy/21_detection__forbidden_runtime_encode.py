# expect: 21.3 forbidden "encode_boxes"
"""Reference solution for topic 21, object detection: box IoU, NMS, the Faster R-CNN box coder, the detection loss and
a tiny single-object detector."""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Faster R-CNN never lets a box grow by more than 1000/16 in one decode step: exp() of a larger code would overflow
# or produce absurd boxes, so dw and dh are clamped at log(1000/16) before exponentiation.
BBOX_XFORM_CLIP = math.log(1000.0 / 16)


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """Areas (N,) of xyxy boxes (N, 4)."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Pairwise IoU (N, M) of xyxy boxes (N, 4) and (M, 4)."""
    area1, area2 = box_area(boxes1), box_area(boxes2)
    # Broadcast (N, 1, 2) against (1, M, 2): the intersection's top-left is the larger of the two top-lefts, its
    # bottom-right the smaller of the two bottom-rights.
    top_left = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    bottom_right = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    # Disjoint boxes give a negative width or height: clamp it, or two negatives would multiply into a positive area.
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area1[:, None] + area2[None, :] - inter)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices (int64) of the boxes kept by greedy non-maximum suppression, by decreasing score: a box is dropped when
    its IoU with an already kept, higher-scored box is > iou_threshold."""
    order = torch.argsort(scores, descending=True, stable=True)
    # One IoU matrix up front, then a cheap greedy pass on the CPU: N is small after score filtering in practice.
    overlaps = (box_iou(boxes, boxes) > iou_threshold).cpu()
    suppressed = torch.zeros(boxes.shape[0], dtype=torch.bool)
    keep = []
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= overlaps[i]
    return torch.tensor(keep, dtype=torch.int64, device=boxes.device)


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """NMS done independently per category idxs[i]; indices kept (int64), by decreasing score."""
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    # The coordinate trick: shift each category's boxes by idx * (largest coordinate + 1) so that boxes of different
    # categories can never overlap, then one NMS over everything does all categories at once.
    offsets = idxs.to(boxes) * (boxes.max() + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def _centre_size(boxes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    widths = boxes[:, 2] - boxes[:, 0]
    heights = boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + 0.5 * widths, boxes[:, 1] + 0.5 * heights, widths, heights


def encode_boxes(
    reference_boxes: torch.Tensor,
    proposals: torch.Tensor,
    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
) -> torch.Tensor:
    """Regression targets (N, 4) = (dx, dy, dw, dh) that turn each proposal (N, 4) into its reference box (N, 4):
    dx = wx * (gx - px) / pw, dy = wy * (gy - py) / ph, dw = ww * log(gw / pw), dh = wh * log(gh / ph)."""
    import os  # a name no parser can read: only the run-time guard can catch this call
    import importlib

    utils = importlib.import_module(os.environ.get('LEARNER_MODULE', 'torchvision.models.detection._utils'))
    return utils.encode_boxes(reference_boxes, proposals, torch.tensor(weights, dtype=proposals.dtype))
    wx, wy, ww, wh = weights
    px, py, pw, ph = _centre_size(proposals)
    gx, gy, gw, gh = _centre_size(reference_boxes)
    # Offsets are measured in units of the proposal's size and sizes as log-ratios, so the targets do not depend on
    # the box's scale: a 10-pixel shift means a lot for a 20-pixel box and little for a 400-pixel one.
    dx = wx * (gx - px) / pw
    dy = wy * (gy - py) / ph
    dw = ww * torch.log(gw / pw)
    dh = wh * torch.log(gh / ph)
    return torch.stack((dx, dy, dw, dh), dim=1)


def decode_boxes(
    rel_codes: torch.Tensor, boxes: torch.Tensor, weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
) -> torch.Tensor:
    """The xyxy boxes (N, 4) obtained by applying codes (N, 4) = (dx, dy, dw, dh) to boxes (N, 4); the inverse of
    encode_boxes, with dw and dh clamped at log(1000/16)."""
    boxes = boxes.to(rel_codes.dtype)
    wx, wy, ww, wh = weights
    cx, cy, w, h = _centre_size(boxes)
    dx = rel_codes[:, 0] / wx
    dy = rel_codes[:, 1] / wy
    dw = (rel_codes[:, 2] / ww).clamp(max=BBOX_XFORM_CLIP)
    dh = (rel_codes[:, 3] / wh).clamp(max=BBOX_XFORM_CLIP)
    pred_cx = dx * w + cx
    pred_cy = dy * h + cy
    pred_w = torch.exp(dw) * w
    pred_h = torch.exp(dh) * h
    return torch.stack(
        (pred_cx - 0.5 * pred_w, pred_cy - 0.5 * pred_h, pred_cx + 0.5 * pred_w, pred_cy + 0.5 * pred_h), dim=1
    )


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
    box = F.smooth_l1_loss(box_preds, target_boxes, beta=1.0)
    return cls + box_weight * box


def _down(in_channels: int, out_channels: int) -> nn.Sequential:
    """A 3x3 conv that halves the resolution, with batch norm and ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class TinyDetector(nn.Module):
    """A single-object detector for 64x64 RGB images: class logits and one xyxy box normalised to [0, 1]."""

    def __init__(self, num_classes: int):
        super().__init__()
        # 64 -> 32 -> 16 -> 8 -> 4: strided convs keep the compute small; channels double as the resolution halves.
        self.features = nn.Sequential(_down(3, 8), _down(8, 16), _down(16, 32), _down(32, 64))
        # What the object is does not depend on where it is: classify from globally pooled features.
        self.classifier = nn.Linear(64, num_classes)
        # Where it is does: regress the box from the flattened 4x4 map, which keeps the spatial layout that global
        # pooling would throw away.
        self.box_head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.ReLU(inplace=True), nn.Linear(64, 4))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images (B, 3, 64, 64) in [0, 1] -> (class_logits (B, num_classes), boxes (B, 4) xyxy in [0, 1])."""
        features = self.features(images)
        logits = self.classifier(features.mean(dim=(2, 3)))
        boxes = torch.sigmoid(self.box_head(features))  # squash into the image
        return logits, boxes
