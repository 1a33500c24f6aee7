"""Reference solution of topic 40: time-series forecasting — sliding windows, a chronological split normalised with
training statistics only, and a direct multi-output forecaster."""

from __future__ import annotations

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 40.1
def sliding_windows(
    series: torch.Tensor, input_length: int, horizon: int, stride: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets): window i reads series[i*stride : i*stride + input_length] and forecasts the next horizon
    steps. Windows that do not fit are dropped; Tensor.unfold does exactly that."""
    size = input_length + horizon
    if series.shape[0] < size:
        tail = tuple(series.shape[1:])
        return series.new_zeros((0, input_length, *tail)), series.new_zeros((0, horizon, *tail))
    w = series.unfold(0, size, stride)  # (N, size) or (N, C, size): unfold puts the window last
    if series.dim() == 2:
        w = w.transpose(1, 2)  # (N, size, C)
    return w[:, :input_length], w[:, input_length:]


# ----------------------------------------------------------------------------------------------------------- 40.2
def chronological_split(
    series: torch.Tensor, input_length: int, horizon: int, train_end: int, val_end: int, stride: int = 1
) -> dict:
    """Split at train_end and val_end, normalise with the training part's statistics, window each part on its own."""
    train = series[:train_end]
    mean, std = train.mean(dim=0), train.std(dim=0)  # the future is never looked at
    z = (series - mean) / std
    return {
        "train": sliding_windows(z[:train_end], input_length, horizon, stride),
        "val": sliding_windows(z[train_end:val_end], input_length, horizon, stride),
        "test": sliding_windows(z[val_end:], input_length, horizon, stride),
        "mean": mean,
        "std": std,
    }


# ----------------------------------------------------------------------------------------------------------- 40.3
class Forecaster(nn.Module):
    """An MLP from the input window straight to all horizon steps (direct multi-output forecasting)."""

    def __init__(self, input_length: int, horizon: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(input_length, 64), nn.ReLU(), nn.Linear(64, horizon))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
