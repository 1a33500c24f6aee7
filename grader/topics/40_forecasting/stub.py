"""Topic 40 — time-series forecasting: sliding windows, a chronological split whose normalisation never looks at the
future, and a forecaster trained by the grader that must beat the seasonal-naive baseline.

The grader compares sliding_windows with Tensor.unfold (values and gradients wrt the series, float32 and float64),
checks chronological_split by its rules and by changing the series after the split (your training windows must not
change), then trains your Forecaster on synthetic seasonal series with a trend (`grade data 40` shows some).
Nothing is forbidden here: unfold, slicing, torch.stack, nn.GRU / nn.Conv1d / nn.Linear are all fine.

Run `grade exercise 40` to check your work, `grade hint 40 --task 40.2` for a hint.
"""

from __future__ import annotations

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 40.1
def sliding_windows(
    series: torch.Tensor, input_length: int, horizon: int, stride: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a series into (input window, target window) pairs for direct multi-step forecasting.

    series: (T,) or (T, C) (time first, C channels), any float dtype; input_length >= 1, horizon >= 1, stride >= 1.
    Window i (i = 0, 1, ...) starts at s = i * stride:
        inputs[i]  = series[s : s + input_length]
        targets[i] = series[s + input_length : s + input_length + horizon]   (right after the inputs, no overlap)
    Only whole windows count: the last window is the last i with i * stride + input_length + horizon <= T, so there
    are N = (T - input_length - horizon) // stride + 1 windows when T >= input_length + horizon, else N = 0; the
    (T - input_length - horizon) % stride steps after the last window are unused (never padded).
    Returns (inputs, targets) of shapes (N, input_length) and (N, horizon) for a (T,) series, (N, input_length, C)
    and (N, horizon, C) for (T, C); N = 0 gives empty tensors of those shapes. Same dtype and device as the series,
    differentiable wrt it (build them with slicing, Tensor.unfold or torch.stack, not through Python numbers).
    """
    # TODO
    raise NotImplementedError("sliding_windows")


# ----------------------------------------------------------------------------------------------------------- 40.2
def chronological_split(
    series: torch.Tensor, input_length: int, horizon: int, train_end: int, val_end: int, stride: int = 1
) -> dict:
    """Split a series in time, normalise it with statistics of the training part ONLY, and window each part.

    series: (T,) or (T, C); 2 <= train_end <= val_end <= T. The parts are series[:train_end] (train),
    series[train_end:val_end] (validation) and series[val_end:] (test).
      mean = series[:train_end].mean(dim=0), std = series[:train_end].std(dim=0) (torch's default, unbiased):
        shape () for a (T,) series, (C,) per channel for (T, C). Statistics of the whole series would leak the
        future into training: the grader changes the series after train_end and checks that your training windows
        and statistics do not change.
      z = (series - mean) / std, then each part is windowed ON ITS OWN with your sliding_windows(part of z,
        input_length, horizon, stride): no window crosses train_end or val_end (a validation window's inputs never
        reach back into the training part), and a part shorter than input_length + horizon has no windows.
    Returns {'train': (inputs, targets), 'val': (inputs, targets), 'test': (inputs, targets), 'mean': mean,
    'std': std}, all tensors in the series' dtype and device. The grader never passes a constant training part.
    """
    # TODO: the statistics first (from the training part), then normalise, then window each part.
    raise NotImplementedError("chronological_split")


# ----------------------------------------------------------------------------------------------------------- 40.3
class Forecaster(nn.Module):
    """Forecasts the next `horizon` steps of a univariate series from its last `input_length` steps.

    Constructed with keywords (input_length, horizon); forward(x) takes x float32 (B, input_length), normalised
    windows oldest step first, and returns (B, horizon) forecasts in the same units. Any architecture is fine: an MLP,
    a linear map, a GRU or LSTM over the steps, a Conv1d net...
    The grader trains it with its own loop — Adam (lr 1e-2, divided by 10 for the last quarter), MSE, batches of
    128, 20 epochs over the ~4,250 windows (input_length 36, horizon 12) of the first 180 steps of 32 series with a
    trend and a period of 12 steps, normalised with those steps' mean and std — and measures the MSE on the windows
    of the 60 held-out steps after them. It must beat the seasonal-naive forecast (each step repeats the value one
    period, 12 steps, earlier): your MSE / seasonal-naive MSE <= 0.85.
    """

    def __init__(self, input_length: int, horizon: int) -> None:
        super().__init__()
        # TODO
        raise NotImplementedError("Forecaster.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, input_length) -> (B, horizon)."""
        # TODO
        raise NotImplementedError("Forecaster.forward")
