"""Inputs for the checks of topic 21 (boxes, scores, box codes) and the rule that decides whether an NMS result on
tied scores is valid. Trusted side only."""

from __future__ import annotations

from typing import Any

import torch
import torchvision

from grader.kit.vision_checks import seeded, show


def make_boxes(n: int, seed: int, dtype, device, span: float = 20.0, grid: bool = False) -> torch.Tensor:
    """n valid xyxy boxes (width and height >= 0.25) with corners in [0, 1.75 * span]; on a 1/4 grid when `grid`."""
    gen = seeded(seed)
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * span
    wh = torch.rand(n, 2, generator=gen, dtype=torch.float64) * span * 0.75 + 0.5
    boxes = torch.cat([xy, xy + wh], dim=1)
    if grid:
        boxes = (boxes * 4).round() / 4
    return boxes.to(dtype=dtype, device=device)


def as_tensor(rows: list[list[float]], dtype, device) -> torch.Tensor:
    """Rows of 4 numbers as an (N, 4) tensor (N may be 0)."""
    return torch.tensor(rows, dtype=torch.float64).reshape(-1, 4).to(dtype=dtype, device=device)


def distinct_scores(n: int, seed: int, dtype, device) -> torch.Tensor:
    """n distinct scores in (0, 1) in a random order."""
    perm = torch.randperm(n, generator=seeded(seed + 1))
    return ((perm.to(torch.float64) + 1) / (n + 1)).to(dtype=dtype, device=device)


def make_codes(n: int, seed: int, weights, dtype, device, scale: float = 0.7) -> torch.Tensor:
    """Codes whose unweighted dw, dh stay far below the clamp log(1000/16) ~ 4.14 (gradients away from the kink)."""
    raw = torch.randn(n, 4, generator=seeded(seed), dtype=torch.float64) * scale
    return (raw * torch.tensor(weights, dtype=torch.float64)).to(dtype=dtype, device=device)


def nms_violation(
    keep: Any, boxes: torch.Tensor, scores: torch.Tensor, threshold: float, ge: bool = False
) -> str | None:
    """Why `keep` is not a result greedy NMS could give for SOME order of the tied scores, or None when it is.

    A kept set is valid iff (a) it is listed by non-increasing score, (b) no two kept boxes overlap by more than the
    threshold, and (c) every dropped box overlaps (IoU > threshold) a kept box whose score is >= its own: within a tie,
    ordering the kept boxes first is always possible, and greedy NMS over such an order gives exactly this set.
    """
    if not isinstance(keep, torch.Tensor) or keep.dtype != torch.int64 or keep.dim() != 1:
        got = show(keep) if isinstance(keep, torch.Tensor) else type(keep).__name__
        return f"expected a 1-D int64 tensor of indices, got {got}"
    kept = keep.cpu().tolist()
    n = boxes.shape[0]
    if any(i < 0 or i >= n for i in kept) or len(set(kept)) != len(kept):
        return f"kept indices {kept} are not distinct indices into {n} boxes"
    s = scores.cpu().tolist()
    for a, b in zip(kept, kept[1:]):
        if s[a] < s[b]:
            return (
                f"kept indices are not sorted by decreasing score: {a} (score {s[a]:.3g}) comes before {b} "
                f"(score {s[b]:.3g})"
            )
    iou = torchvision.ops.box_iou(boxes, boxes).cpu()
    over = (iou >= threshold) if ge else (iou > threshold)
    for i, a in enumerate(kept):
        for b in kept[i + 1 :]:
            if over[a, b]:
                return f"boxes {a} and {b} are both kept but overlap with IoU {iou[a, b]:.4g} > {threshold}"
    for i in range(n):
        if i not in kept and not any(over[i, j] and s[j] >= s[i] for j in kept):
            return (
                f"box {i} (score {s[i]:.3g}) was dropped, but no kept box with a score >= its own overlaps it "
                f"with IoU > {threshold}"
            )
    return None
