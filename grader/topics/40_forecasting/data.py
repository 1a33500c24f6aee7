"""Synthetic seasonal series for topic 40: trend + two seasonal harmonics + noise, seeded and generated in code.

Each series is  level + slope * t + a1 * sin(2 pi t / P + phi1) + a2 * sin(4 pi t / P + phi2) + noise  with period
P = PERIOD steps, a random level, slope, amplitudes and phases per series, and Gaussian noise of standard deviation
NOISE. The same arguments always give the same series.

The 40.3 forecasting task (the grader's own windows, the same rule as 40.1 and 40.2) reads each of N_SERIES series
of TOTAL_LENGTH steps: its first TRAIN_END steps are training data, the rest is held out; normalisation statistics come
from the training parts only.
"""

from __future__ import annotations

import math

import torch

PERIOD = 12
INPUT_LENGTH = 36  # three periods of history
HORIZON = 12  # one period ahead
NOISE = 0.4
SLOPE = 0.005  # the largest |trend| per step
N_SERIES = 32
TOTAL_LENGTH = 240
TRAIN_END = 180


def make_series(n_series: int, length: int, seed: int, noise: float = NOISE, slope: float = SLOPE) -> torch.Tensor:
    """float32 (n_series, length): per series level ~ U(-2, 2), slope ~ U(-slope, slope) per step, a1 ~ U(0.5, 1.5),
    a2 ~ U(0, 0.5), phases ~ U(0, 2 pi), plus N(0, noise^2) noise."""
    if n_series < 0 or length < 0:
        raise ValueError(f"n_series and length must be >= 0, got {n_series}, {length}")
    gen = torch.Generator().manual_seed(seed)

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n_series, 1, generator=gen, dtype=torch.float64)

    t = torch.arange(length, dtype=torch.float64)
    level, trend = uniform(-2, 2), uniform(-slope, slope)
    a1, a2 = uniform(0.5, 1.5), uniform(0.0, 0.5)
    p1, p2 = uniform(0, 2 * math.pi), uniform(0, 2 * math.pi)
    season = a1 * torch.sin(2 * math.pi * t / PERIOD + p1) + a2 * torch.sin(4 * math.pi * t / PERIOD + p2)
    eps = torch.randn(n_series, length, generator=gen, dtype=torch.float64) * noise
    return (level + trend * t + season + eps).to(torch.float32)


def trending_series(length: int, seed: int, channels: int | None = None) -> torch.Tensor:
    """One series (length,) or (length, channels) with a steep trend, so that the statistics of its first part differ
    clearly from those of the whole (the 40.2 checks' leak detector)."""
    n = 1 if channels is None else channels
    series = make_series(n, length, seed, noise=0.3, slope=0.0)
    series = series + torch.linspace(0.0, 6.0, length)  # always rising: whole-series mean > training mean
    return series[0] if channels is None else series.t().contiguous()


def windows(series: torch.Tensor, input_length: int, horizon: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The 40.1 rule along the last dim of (n_series, T), stride 1, all series stacked: (inputs (N, L), targets (N, H))."""
    if series.shape[-1] < input_length + horizon:
        return series.new_zeros(0, input_length), series.new_zeros(0, horizon)
    w = series.unfold(-1, input_length + horizon, 1).reshape(-1, input_length + horizon)
    return w[:, :input_length].contiguous(), w[:, input_length:].contiguous()


def forecasting_task(seed: int) -> dict[str, torch.Tensor]:
    """The 40.3 data of training seed `seed`: normalised training and held-out windows and the statistics.

    {'train': (inputs, targets), 'test': (inputs, targets), 'mean': (), 'std': ()}: mean and std (unbiased) over
    every series' first TRAIN_END steps; train windows from those steps, test windows from the steps after (each part
    windowed on its own, so no window crosses the split).
    """
    series = make_series(N_SERIES, TOTAL_LENGTH, seed)
    train_part, test_part = series[:, :TRAIN_END], series[:, TRAIN_END:]
    mean, std = train_part.mean(), train_part.std()
    norm = lambda x: (x - mean) / std  # noqa: E731
    return {"train": windows(norm(train_part), INPUT_LENGTH, HORIZON),
            "test": windows(norm(test_part), INPUT_LENGTH, HORIZON), "mean": mean, "std": std}


def seasonal_naive(inputs: torch.Tensor, horizon: int, period: int = PERIOD) -> torch.Tensor:
    """The forecast 'as one period ago': step h (0-based) of the horizon repeats inputs[:, L - period + h mod period]."""
    length = inputs.shape[-1]
    idx = torch.tensor([length - period + (h % period) for h in range(horizon)])
    return inputs[..., idx]


def show(n: int = 3) -> str:
    """A few series as rows of numbers, one period per line."""
    series = make_series(n, 2 * PERIOD, seed=0)
    lines = [f"40.3 series: trend + seasonality of period {PERIOD} + noise (sd {NOISE}); the model reads "
             f"{INPUT_LENGTH} steps and forecasts the next {HORIZON}. Two periods of {n} series:"]
    for i, row in enumerate(series):
        for k in range(2):
            part = " ".join(f"{v:6.2f}" for v in row[k * PERIOD:(k + 1) * PERIOD].tolist())
            lines.append(f"  series {i} t={k * PERIOD:>2}..{(k + 1) * PERIOD - 1:>2}: {part}")
    return "\n".join(lines)
