# expect: 21.3 fail "decode without the clamp"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


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
    dw = rel_codes[:, 2] / ww
    dh = rel_codes[:, 3] / wh
    pred_cx = dx * w + cx
    pred_cy = dy * h + cy
    pred_w = torch.exp(dw) * w
    pred_h = torch.exp(dh) * h
    return torch.stack(
        (pred_cx - 0.5 * pred_w, pred_cy - 0.5 * pred_h, pred_cx + 0.5 * pred_w, pred_cy + 0.5 * pred_h), dim=1
    )
