"""What the 40.3 training check and its calibration share: the held-out windows (made here, in the trusted process:
their targets never reach the learner's), the metrics and the pass mark."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask

from . import data as seasonal
from . import recipes as R

FOLDER = Path(__file__).resolve().parent

CHECK_SEED = 0
PASS_MARK = 0.85  # the forecaster's held-out MSE must be at most 85% of the seasonal-naive forecast's


@cache
def heldout(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets): the normalised windows of the held-out steps of training seed `seed`'s series."""
    inputs, targets = seasonal.forecasting_task(seed)["test"]
    return inputs, targets


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's Forecaster with the grader's loop; forecasts of the held-out windows."""
    return learner.run(R.train_forecaster, seed, device_type, heldout(seed)[0])


def forecast_metrics(predictions: torch.Tensor, seed: int) -> dict[str, float]:
    """{'mse', 'seasonal_naive_mse', 'last_value_mse', 'mse_ratio'}: held-out MSEs (normalised units) of the
    forecasts, of the seasonal-naive forecast and of repeating the last value; mse_ratio = mse / seasonal_naive_mse."""
    inputs, targets = heldout(seed)
    if not isinstance(predictions, torch.Tensor) or tuple(predictions.shape) != tuple(targets.shape):
        raise ValueError(f"forecasts of shape {tuple(getattr(predictions, 'shape', ()))}, expected "
                         f"{tuple(targets.shape)}")
    predictions = predictions.detach().cpu().to(targets.dtype)
    mse = float(((predictions - targets) ** 2).mean())
    naive = float(((seasonal.seasonal_naive(inputs, seasonal.HORIZON) - targets) ** 2).mean())
    last = float(((inputs[:, -1:] - targets) ** 2).mean())
    return {"mse": mse, "seasonal_naive_mse": naive, "last_value_mse": last, "mse_ratio": mse / naive}


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out MSE ratio to the seasonal-naive forecast (and the MSEs behind it)."""
    return forecast_metrics(result["predictions"], seed)


TASK = TrainingTask("40.3", run, measure,
                    marks=(Mark("mse_ratio", PASS_MARK, higher_is_better=False, margin=0.1),),
                    check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
