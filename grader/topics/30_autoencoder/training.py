"""What the 30.1 training check and its calibration share: held-out data, the metric and the pass mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask
from grader.kit.data import tabular

from . import recipes as R

FOLDER = Path(__file__).resolve().parent

CHECK_SEED = 0
HELD_OUT_OFFSET = 10_000
MAX_MSE_OVER_VARIANCE_30 = 0.1


def heldout_30(seed: int = CHECK_SEED) -> torch.Tensor:
    """Held-out manifold data."""
    return tabular.make_manifold(1000, HELD_OUT_OFFSET + seed)


def metrics_30(result: Mapping[str, Any], heldout: torch.Tensor) -> dict[str, float]:
    """Reconstruction MSE, the data's mean per-feature variance, and their ratio."""
    mse = float(((result["reconstruction"].double() - heldout.double()) ** 2).mean())
    variance = float(heldout.double().var(0).mean())
    return {"mse": mse, "variance": variance, "ratio": mse / variance}


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's Autoencoder with the grader's loop; reconstructions of the held-out points."""
    return learner.run(R.train_autoencoder, heldout_30(seed), device_type, seed)


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out reconstruction MSE over the data's variance."""
    return metrics_30(result, heldout_30(seed))


# The contract's number. Margin: correct variants stay below 0.05 (half the mark) on every calibration seed, broken
# models (a linear autoencoder, an output ReLU, a decoder ignoring the code) above 0.15 (grade calibrate 30).
TASK = TrainingTask("30.1", run, measure, marks=(Mark("ratio", MAX_MSE_OVER_VARIANCE_30, higher_is_better=False,
                                                      margin=0.05),),
                    check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
