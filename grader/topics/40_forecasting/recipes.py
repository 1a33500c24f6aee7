"""Recipes for topic 40: call the learner's sliding_windows (forward and backward) and chronological_split, and train
their Forecaster with the grader's loop.

They run where the learner's code runs; the expected values are computed by the checks (Tensor.unfold for the windows)
and the held-out targets never come here.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from grader.kit.crossing import plain_value
from grader.kit.recipes import forward_backward
from grader.kit.training import one_thread, train_minibatches

from . import data as seasonal

EPOCHS = 20
BATCH_SIZE = 128
LR = 1e-2


# ----------------------------------------------------------------------------------------------------------- 40.1
def call_windows(mod: Any, series: torch.Tensor, input_length: int, horizon: int, stride: int | None) -> dict:
    """mod.sliding_windows(series, input_length, horizon[, stride=stride]) and the gradient wrt the series of fixed
    cotangents on both outputs."""
    def fn(series: torch.Tensor) -> Any:
        if stride is None:
            return mod.sliding_windows(series, input_length, horizon)
        return mod.sliding_windows(series, input_length, horizon, stride=stride)

    result = forward_backward(fn, {"series": series}, wrt=["series"])
    result["out"] = plain_value(result["out"])
    return result


# ----------------------------------------------------------------------------------------------------------- 40.2
def call_split(mod: Any, series: torch.Tensor, input_length: int, horizon: int, train_end: int, val_end: int,
               stride: int | None) -> Any:
    """mod.chronological_split(series, input_length, horizon, train_end, val_end[, stride=stride])."""
    if stride is None:
        out = mod.chronological_split(series.clone(), input_length, horizon, train_end, val_end)
    else:
        out = mod.chronological_split(series.clone(), input_length, horizon, train_end, val_end, stride=stride)
    return plain_value(out)


# ----------------------------------------------------------------------------------------------------------- 40.3
def forecaster_output(mod: Any, kwargs: dict[str, Any], x: torch.Tensor) -> Any:
    """mod.Forecaster(**kwargs) applied to x, without gradients."""
    torch.manual_seed(0)
    model = mod.Forecaster(**kwargs).to(x.device)
    with torch.no_grad():
        return plain_value(model(x))


@one_thread()
def train_forecaster(mod: Any, seed: int, device_type: str, heldout_inputs: torch.Tensor) -> dict[str, Any]:
    """Train mod.Forecaster(INPUT_LENGTH, HORIZON) on the training windows of seasonal.forecasting_task(seed) with the
    grader's loop (kit.training.train_minibatches: Adam(LR), the rate / 10 for the last quarter, shuffled batches of
    BATCH_SIZE, EPOCHS epochs, MSE), then forecast the held-out windows.

    Returns {'losses': per-step training MSE, 'predictions': (N, HORIZON) forecasts of heldout_inputs, on the CPU}.
    """
    device = torch.device(device_type)
    inputs, targets = seasonal.forecasting_task(seed)["train"]
    inputs, targets = inputs.to(device), targets.to(device)
    torch.manual_seed(seed)
    model = mod.Forecaster(input_length=seasonal.INPUT_LENGTH, horizon=seasonal.HORIZON).to(device)

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        idx = idx.to(device)
        return F.mse_loss(model(inputs[idx]), targets[idx])

    losses = train_minibatches(model, batch_loss, seed=seed, n_train=inputs.shape[0], epochs=EPOCHS,
                               batch_size=BATCH_SIZE, lr=LR, report_every=20)
    with torch.no_grad():
        predictions = torch.cat([model(part.to(device)).cpu() for part in heldout_inputs.split(512)])
    return {"losses": losses, "predictions": predictions}
