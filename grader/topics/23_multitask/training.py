"""What the 23.4 training check and its calibration share: held-out data, metrics and pass marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask
from grader.kit.data import tabular

from . import recipes as R

FOLDER = Path(__file__).resolve().parent

CHECK_SEED = 0
HELD_OUT_OFFSET = 10_000  # held-out data of training seed s is drawn with seed HELD_OUT_OFFSET + s
MIN_ACCURACY_23 = 0.9
MIN_R2_23 = 0.9


def heldout_23(seed: int = CHECK_SEED) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Held-out two-task data (x, class, target) for training seed `seed`."""
    return tabular.make_two_task(2000, HELD_OUT_OFFSET + seed)


def metrics_23(result: Mapping[str, Any], heldout: tuple[torch.Tensor, ...]) -> dict[str, float]:
    """Classification accuracy and regression R^2 of a train_multitask result on the held-out data."""
    _, cls, target = heldout
    return {"accuracy": tabular.accuracy(result["cls_pred"], cls), "r2": tabular.r2_score(result["reg_pred"], target)}


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's MultiTaskNet + UncertaintyWeighting with the grader's loop."""
    return learner.run(R.train_multitask, heldout_23(seed)[0], device_type, seed)


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out accuracy and R^2."""
    return metrics_23(result, heldout_23(seed))


# The contract's numbers. Margins: the worst correct variant clears each by >= 0.06 on every calibration seed, the
# broken models miss the mark they fail by >= 0.35 (grade calibrate 23).
TASK = TrainingTask("23.4", run, measure, marks=(Mark("accuracy", MIN_ACCURACY_23, margin=0.03),
                                                 Mark("r2", MIN_R2_23, margin=0.03)),
                    check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
