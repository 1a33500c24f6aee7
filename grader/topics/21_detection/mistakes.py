"""Known mistakes for topic 21 (box IoU, NMS, box coding, detection loss), run in the trusted process.

Each *_MISTAKES dict maps the learner-facing name of a mistake to a function with the signature of the task's function
that computes what an implementation with that mistake returns; the checks name the one a wrong answer matches.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F

CLIP = math.log(1000.0 / 16)


# ----------------------------------------------------------------------------------------------------------- 21.1
def iou(
    boxes1: torch.Tensor,
    boxes2: torch.Tensor,
    *,
    clamp: bool = True,
    plus_one: float = 0.0,
    subtract_inter: bool = True,
) -> torch.Tensor:
    """Pairwise IoU with the flagged mistakes: no clamp of negative overlaps, the +1 pixel convention, union = sum."""
    area = lambda b: (b[:, 2] - b[:, 0] + plus_one) * (b[:, 3] - b[:, 1] + plus_one)  # noqa: E731
    lt = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = rb - lt + plus_one
    if clamp:
        wh = wh.clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = area(boxes1)[:, None] + area(boxes2)[None, :]
    return inter / (union - inter if subtract_inter else union)


IOU_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "IoU without clamping negative overlap at 0 (two disjoint sides multiply into a positive area)": lambda b1, b2: iou(
        b1, b2, clamp=False
    ),
    "IoU with the +1 pixel convention (w = x2 - x1 + 1), which torchvision does not use": lambda b1, b2: iou(
        b1, b2, plus_one=1.0
    ),
    "union = area1 + area2 without subtracting the intersection": lambda b1, b2: iou(b1, b2, subtract_inter=False),
}


# ----------------------------------------------------------------------------------------------------------- 21.2
def greedy_nms(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    thr: float,
    *,
    ge: bool = False,
    sort: bool = True,
    only_kept: bool = True,
    iou_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = iou,
) -> torch.Tensor:
    """Greedy NMS with the flagged mistakes: >= instead of >, no sort by score, suppression by any higher box, a
    wrong IoU."""
    n = boxes.shape[0]
    if n == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    ious = iou_fn(boxes, boxes).cpu()
    over = ious >= thr if ge else ious > thr
    order = torch.argsort(scores.cpu(), descending=True, stable=True).tolist() if sort else list(range(n))
    keep: list[int] = []
    seen: list[int] = []
    for i in order:
        rivals = keep if only_kept else seen
        if not any(bool(over[i, j]) for j in rivals if j != i):
            keep.append(i)
        seen.append(i)
    return torch.tensor(keep, dtype=torch.int64, device=boxes.device)


NMS_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "NMS with >= instead of > (a box whose IoU equals iou_threshold must be kept)": lambda b, s, t: greedy_nms(
        b, s, t, ge=True
    ),
    "NMS without sorting by score first (boxes visited in input order)": lambda b, s, t: greedy_nms(
        b, s, t, sort=False
    ),
    "NMS suppressing by every higher-scored box, even ones already suppressed": lambda b, s, t: greedy_nms(
        b, s, t, only_kept=False
    ),
    "NMS built on an IoU with the +1 pixel convention (make 21.1 pass first)": lambda b, s, t: greedy_nms(
        b, s, t, iou_fn=lambda x, y: iou(x, y, plus_one=1.0)
    ),
    "NMS built on an IoU without clamping negative overlap (make 21.1 pass first)": lambda b, s, t: greedy_nms(
        b, s, t, iou_fn=lambda x, y: iou(x, y, clamp=False)
    ),
}


def batched_ignoring_idxs(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, thr: float) -> torch.Tensor:
    """batched_nms that runs one NMS over every box, as if all shared one category."""
    return greedy_nms(boxes, scores, thr)


def batched_grouped_by_class(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, thr: float) -> torch.Tensor:
    """batched_nms whose result is concatenated category by category instead of sorted by score."""
    parts = []
    for c in torch.unique(idxs).tolist():
        where = torch.nonzero(idxs == c).flatten()
        parts.append(where[greedy_nms(boxes[where], scores[where], thr)])
    return torch.cat(parts) if parts else torch.empty(0, dtype=torch.int64, device=boxes.device)


BATCHED_NMS_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "batched_nms ignoring idxs (boxes of different categories suppress each other)": batched_ignoring_idxs,
    "batched_nms returning the kept boxes grouped by category instead of by decreasing score": batched_grouped_by_class,
}


# ----------------------------------------------------------------------------------------------------------- 21.3
def _centre_size(b: torch.Tensor, corner: bool = False):
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    if corner:
        return b[:, 0], b[:, 1], w, h
    return b[:, 0] + 0.5 * w, b[:, 1] + 0.5 * h, w, h


def encode(
    reference: torch.Tensor,
    proposals: torch.Tensor,
    weights=(1.0, 1.0, 1.0, 1.0),
    *,
    corner: bool = False,
    inverted: bool = False,
    divide: bool = False,
) -> torch.Tensor:
    """encode_boxes with the flagged mistakes: x1/y1 as the centre, log(pw/gw), weights dividing."""
    wx, wy, ww, wh = (1 / w for w in weights) if divide else weights
    px, py, pw, ph = _centre_size(proposals, corner)
    gx, gy, gw, gh = _centre_size(reference, corner)
    dw = torch.log(pw / gw) if inverted else torch.log(gw / pw)
    dh = torch.log(ph / gh) if inverted else torch.log(gh / ph)
    return torch.stack((wx * (gx - px) / pw, wy * (gy - py) / ph, ww * dw, wh * dh), dim=1)


def _encode_with(**flags: bool) -> Callable[..., torch.Tensor]:
    def model(reference_boxes, proposals, weights=(1.0, 1.0, 1.0, 1.0)):
        return encode(reference_boxes, proposals, weights, **flags)

    return model


ENCODE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "encode with the wrong centre (x1, y1 instead of cx = x1 + w/2, cy = y1 + h/2)": _encode_with(corner=True),
    "encode with log(proposal size / reference size) (the ratio is upside down)": _encode_with(inverted=True),
    "encode dividing by the weights instead of multiplying": _encode_with(divide=True),
}


def decode(
    codes: torch.Tensor,
    boxes: torch.Tensor,
    weights=(1.0, 1.0, 1.0, 1.0),
    *,
    clamp: bool = True,
    multiply: bool = False,
    corner: bool = False,
) -> torch.Tensor:
    """decode_boxes with the flagged mistakes: no clamp of dw/dh, weights multiplying, x1/y1 as the centre."""
    boxes = boxes.to(codes.dtype)
    wx, wy, ww, wh = (1 / w for w in weights) if multiply else weights
    cx, cy, w, h = _centre_size(boxes, corner)
    dw, dh = codes[:, 2] / ww, codes[:, 3] / wh
    if clamp:
        dw, dh = dw.clamp(max=CLIP), dh.clamp(max=CLIP)
    pcx, pcy = codes[:, 0] / wx * w + cx, codes[:, 1] / wy * h + cy
    pw, ph = torch.exp(dw) * w, torch.exp(dh) * h
    return torch.stack((pcx - 0.5 * pw, pcy - 0.5 * ph, pcx + 0.5 * pw, pcy + 0.5 * ph), dim=1)


def _decode_with(**flags: bool) -> Callable[..., torch.Tensor]:
    return lambda rel_codes, boxes, weights=(1.0, 1.0, 1.0, 1.0): decode(rel_codes, boxes, weights, **flags)


DECODE_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "decode without the clamp of dw, dh at log(1000/16) before exp": _decode_with(clamp=False),
    "decode multiplying the codes by the weights instead of dividing": _decode_with(multiply=True),
    "decode with the wrong centre (x1, y1 instead of cx, cy)": _decode_with(corner=True),
}


# ----------------------------------------------------------------------------------------------------------- 21.4
def _loss(box_term: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]):
    def loss(class_logits, box_preds, target_labels, target_boxes, box_weight=1.0):
        return F.cross_entropy(class_logits, target_labels) + box_weight * box_term(box_preds, target_boxes)

    return loss


LOSS_MISTAKES: dict[str, Callable[..., torch.Tensor]] = {
    "smooth L1 with the wrong beta (1/9, Detectron's default, instead of 1)": _loss(
        lambda p, t: F.smooth_l1_loss(p, t, beta=1 / 9)
    ),
    "smooth L1 with the wrong beta (quadratic below |d| < 1 but without the 0.5 factors)": _loss(
        lambda p, t: torch.where((p - t).abs() < 1, (p - t) ** 2, (p - t).abs()).mean()
    ),
    "L1 loss instead of smooth L1": _loss(lambda p, t: F.l1_loss(p, t)),
    "MSE instead of smooth L1": _loss(lambda p, t: F.mse_loss(p, t)),
    "box loss summed over the 4 coordinates, then averaged over boxes (4x too large)": _loss(
        lambda p, t: F.smooth_l1_loss(p, t, reduction="none").sum(1).mean()
    ),
    "box loss summed instead of averaged": _loss(lambda p, t: F.smooth_l1_loss(p, t, reduction="sum")),
}
