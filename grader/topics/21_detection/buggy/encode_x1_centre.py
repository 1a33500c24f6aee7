# expect: 21.3 fail "encode with the wrong centre"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def encode_boxes(
    reference_boxes: torch.Tensor, proposals: torch.Tensor, weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
) -> torch.Tensor:
    """Regression targets (N, 4) = (dx, dy, dw, dh) that turn each proposal (N, 4) into its reference box (N, 4):
    dx = wx * (gx - px) / pw, dy = wy * (gy - py) / ph, dw = ww * log(gw / pw), dh = wh * log(gh / ph)."""
    wx, wy, ww, wh = weights
    pw, ph = proposals[:, 2] - proposals[:, 0], proposals[:, 3] - proposals[:, 1]
    gw, gh = reference_boxes[:, 2] - reference_boxes[:, 0], reference_boxes[:, 3] - reference_boxes[:, 1]
    px, py, gx, gy = proposals[:, 0], proposals[:, 1], reference_boxes[:, 0], reference_boxes[:, 1]
    # Offsets are measured in units of the proposal's size and sizes as log-ratios, so the targets do not depend on
    # the box's scale: a 10-pixel shift means a lot for a 20-pixel box and little for a 400-pixel one.
    dx = wx * (gx - px) / pw
    dy = wy * (gy - py) / ph
    dw = ww * torch.log(gw / pw)
    dh = wh * torch.log(gh / ph)
    return torch.stack((dx, dy, dw, dh), dim=1)
