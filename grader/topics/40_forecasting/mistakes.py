"""Known mistakes for topic 40, as functions with the learner's signatures (trusted side).

Each table maps the mistake's learner-facing name to what an implementation with that mistake returns; the checks run
them on the failing input and name the one the learner's output matches.
"""

from __future__ import annotations

from typing import Callable

import torch


# ----------------------------------------------------------------------------------------------------------- 40.1
def windows_variant(series: torch.Tensor, input_length: int, horizon: int, stride: int = 1, *, drop_last: bool = False,
                    overlap: bool = False, no_stride: bool = False, channels_first: bool = False):
    """sliding_windows by explicit slicing, with the flagged mistakes."""
    step = 1 if no_stride else stride
    total = series.shape[0]
    n = max(0, (total - input_length - horizon) // step + 1) if total >= input_length + horizon else 0
    if drop_last:
        n = max(0, n - 1)
    first_target = input_length - 1 if overlap else input_length
    xs = [series[i * step: i * step + input_length] for i in range(n)]
    ys = [series[i * step + first_target: i * step + first_target + horizon] for i in range(n)]
    tail = tuple(series.shape[1:])
    x = torch.stack(xs) if xs else series.new_zeros((0, input_length, *tail))
    y = torch.stack(ys) if ys else series.new_zeros((0, horizon, *tail))
    if channels_first and series.dim() == 2:
        x, y = x.transpose(1, 2), y.transpose(1, 2)
    return x, y


def _windows(**flags: bool) -> Callable:
    return lambda series, input_length, horizon, stride=1: windows_variant(series, input_length, horizon, stride,
                                                                           **flags)


WINDOW_MISTAKES: dict[str, Callable] = {
    "the last window dropped (range(T - input_length - horizon) instead of ... + 1: one window too few)":
        _windows(drop_last=True),
    "targets start one step early (they overlap the last input step)": _windows(overlap=True),
    "stride ignored (a window at every step)": _windows(no_stride=True),
    "windows left channels first (N, C, length), as Tensor.unfold returns them, instead of (N, length, C)":
        _windows(channels_first=True),
}


# ----------------------------------------------------------------------------------------------------------- 40.2
def split_variant(series: torch.Tensor, input_length: int, horizon: int, train_end: int, val_end: int,
                  stride: int = 1, *, whole_stats: bool = False, population_std: bool = False,
                  own_stats: bool = False, look_back: bool = False, by_start: bool = False,
                  flat_stats: bool = False) -> dict:
    """chronological_split with the flagged mistakes."""
    def stats(part: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        dims = tuple(range(part.dim())) if flat_stats else (0,)
        return part.mean(dim=dims), part.std(dim=dims, correction=0 if population_std else 1)

    mean, std = stats(series if whole_stats else series[:train_end])
    z = (series - mean) / std
    bounds = [(0, train_end), (train_end, val_end), (val_end, series.shape[0])]
    parts = {}
    for name, (a, b) in zip(("train", "val", "test"), bounds):
        if own_stats and name != "train":
            m, s = stats(series[a:b]) if b - a >= 2 else (mean, std)
            piece = (series[a:b] - m) / s
        elif look_back and name != "train":
            piece = z[max(0, a - input_length):b]
        else:
            piece = z[a:b]
        parts[name] = windows_variant(piece, input_length, horizon, stride)
    if by_start:  # windows of the whole normalised series, each given to the part its first step falls in
        x, y = windows_variant(z, input_length, horizon, stride)
        starts = torch.arange(x.shape[0], device=x.device) * stride
        for name, (a, b) in zip(("train", "val", "test"), bounds):
            keep = (starts >= a) & (starts < b)
            parts[name] = (x[keep], y[keep])
    return {**parts, "mean": mean, "std": std}


def _split(**flags: bool) -> Callable:
    def split(series, input_length, horizon, train_end, val_end, stride=1):
        return split_variant(series, input_length, horizon, train_end, val_end, stride, **flags)

    return split


SPLIT_MISTAKES: dict[str, Callable] = {
    "mean and std of the whole series, not of the training part (the future leaks into the normalisation)":
        _split(whole_stats=True),
    "std with correction=0 (population std) instead of torch's default unbiased std": _split(population_std=True),
    "validation and test parts normalised with their own statistics instead of the training part's":
        _split(own_stats=True),
    "validation and test windows reach back input_length steps into the previous part (this contract windows each "
    "part on its own)": _split(look_back=True),
    "windows of the whole series given to the part where they start (windows straddle the split)":
        _split(by_start=True),
    "one mean and std over every channel instead of per channel (dim=0)": _split(flat_stats=True),
}
