"""Topic 21 — object detection: box IoU, non-maximum suppression, the Faster R-CNN box coder, the detection loss and a
tiny detector you train.

Boxes are (x1, y1, x2, y2) ("xyxy") with x1 <= x2 and y1 <= y2, as floating-point tensors. The grader compares 21.1-21.3
with torchvision's own ops on random boxes, in float32 and float64, for values AND gradients (autograd must flow
through your code: no .item(), .detach() or .data on the path from inputs to output). 21.4 is compared with torch's
cross entropy and smooth L1. 21.5 is trained by the grader on synthetic 64x64 images holding one coloured shape each
(`grade data 21` shows a few).

Forbidden in 21.1-21.3 (caught statically and at run time, however indirectly you reach them): torchvision.ops.box_iou
(and generalized/distance/complete_box_iou), torchvision.ops.nms, batched_nms, torch.ops.torchvision.nms, and
torchvision's BoxCoder / encode_boxes. Write the box arithmetic yourself with tensor operations.

Run `grade exercise 21` to check your work, `grade hint 21 --task 21.2` for a hint.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 21.1
def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Pairwise intersection-over-union of two sets of xyxy boxes.

    boxes1: (N, 4), boxes2: (M, 4), same floating dtype -> (N, M) tensor of that dtype, entry [i, j] =
    area(boxes1[i] & boxes2[j]) / area(boxes1[i] | boxes2[j]). Boxes that do not overlap have IoU 0. Either set may
    be empty. Same as torchvision.ops.box_iou (continuous coordinates: the width of a box is x2 - x1, no +1).
    """
    # TODO: the intersection of two boxes is a box: top-left = max of the top-lefts, bottom-right = min of the
    #       bottom-rights. Compute all N*M pairs at once by broadcasting.
    raise NotImplementedError("box_iou")


# ----------------------------------------------------------------------------------------------------------- 21.2
def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Greedy non-maximum suppression.

    boxes: (N, 4) xyxy; scores: (N,); returns the int64 indices (on the boxes' device) of the boxes kept, in
    decreasing order of score. Visit boxes from the highest score down; a box is suppressed when its IoU with an
    already KEPT, higher-scored box is > iou_threshold (strictly greater). N may be 0. Same as torchvision.ops.nms.
    """
    # TODO: sort by score, then keep/suppress greedily using your box_iou.
    raise NotImplementedError("nms")


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """NMS done independently per category: boxes with different idxs (N,) int64 never suppress each other.

    Returns the int64 indices kept, in decreasing order of score. Same as torchvision.ops.batched_nms.
    """
    # TODO: run nms per category, or move each category's boxes far apart so they cannot overlap and run nms once.
    raise NotImplementedError("batched_nms")


# ----------------------------------------------------------------------------------------------------------- 21.3
def encode_boxes(
    reference_boxes: torch.Tensor,
    proposals: torch.Tensor,
    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
) -> torch.Tensor:
    """Faster R-CNN regression targets that move each proposal onto its reference (ground-truth) box.

    reference_boxes, proposals: (N, 4) xyxy -> (N, 4) codes (dx, dy, dw, dh) with, for centres cx = x1 + w/2,
    cy = y1 + h/2 and sizes w = x2 - x1, h = y2 - y1 (g = reference box, p = proposal, (wx, wy, ww, wh) = weights):
        dx = wx * (g_cx - p_cx) / p_w     dy = wy * (g_cy - p_cy) / p_h
        dw = ww * log(g_w / p_w)          dh = wh * log(g_h / p_h)
    Same as torchvision's BoxCoder(weights).encode_single(reference_boxes, proposals).
    """
    # TODO: convert both to centre/size form, then apply the formulas.
    raise NotImplementedError("encode_boxes")


def decode_boxes(
    rel_codes: torch.Tensor, boxes: torch.Tensor, weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
) -> torch.Tensor:
    """The inverse of encode_boxes: apply codes (N, 4) = (dx, dy, dw, dh) to boxes (N, 4) -> xyxy boxes (N, 4).

    Divide the codes by the weights, clamp dw and dh at most log(1000 / 16) (so exp cannot blow up), then
    cx' = dx * w + cx, cy' = dy * h + cy, w' = exp(dw) * w, h' = exp(dh) * h, and back to xyxy.
    The result has rel_codes' dtype. Same as torchvision's BoxCoder(weights).decode_single(rel_codes, boxes).
    """
    # TODO: centre/size form, divide by the weights, clamp, exponentiate, back to corners.
    raise NotImplementedError("decode_boxes")


# ----------------------------------------------------------------------------------------------------------- 21.4
def detection_loss(
    class_logits: torch.Tensor,
    box_preds: torch.Tensor,
    target_labels: torch.Tensor,
    target_boxes: torch.Tensor,
    box_weight: float = 1.0,
) -> torch.Tensor:
    """The two-part loss of a detector head, a 0-dim tensor:

        cross_entropy(class_logits (N, C), target_labels (N,) int64)   (mean over the N samples)
      + box_weight * smooth_l1(box_preds (N, 4), target_boxes (N, 4), beta=1.0)   (mean over all N*4 numbers)

    with smooth_l1(d) = 0.5 * d**2 / beta if |d| < beta else |d| - 0.5 * beta. You may use torch's functions here.
    """
    # TODO: classification term + weighted box-regression term.
    raise NotImplementedError("detection_loss")


# ----------------------------------------------------------------------------------------------------------- 21.5
class TinyDetector(nn.Module):
    """A single-object detector for 64x64 RGB images.

    TinyDetector(num_classes); forward(images (B, 3, 64, 64) float in [0, 1]) returns a pair
    (class_logits (B, num_classes), boxes (B, 4)): the object's box as xyxy coordinates normalised to [0, 1] by the
    image size. The grader trains it (Adam with warm-up and cosine decay, cross entropy + L1 on the boxes, ~190 steps
    of 64 images, on one CPU thread) and needs class accuracy >= 0.9 and mean IoU >= 0.75 on held-out images. Keep it
    small: a few strided Conv2d + BatchNorm2d + ReLU-like blocks are enough (without BatchNorm it will not learn in so
    few steps). Regress the box from features that keep their spatial layout (e.g. the flattened last map): a box
    head on globally pooled features stays near mean IoU 0.7.
    """

    def __init__(self, num_classes: int):
        super().__init__()
        # TODO: a small conv feature extractor, a classification head and a box head.
        raise NotImplementedError("TinyDetector.__init__")

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # TODO: return (class_logits, boxes).
        raise NotImplementedError("TinyDetector.forward")
