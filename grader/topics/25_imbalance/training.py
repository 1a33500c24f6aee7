"""What the 25.5 training checks and their calibration share: held-out data, metrics and pass marks. 25.5 trains
twice: once on batches drawn by the learner's balanced_sampler, once with the learner's class_weights."""

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
MIN_BALANCED_ACCURACY_25 = 0.85
MIN_MINORITY_RECALL_25 = 0.8


def heldout_25(seed: int = CHECK_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out data with both classes equally frequent (x, y): recall is measured on 1000 minority rows."""
    return tabular.make_imbalanced(2000, HELD_OUT_OFFSET + seed, minority_fraction=0.5)


def metrics_25(result: Mapping[str, Any], heldout: tuple[torch.Tensor, ...]) -> dict[str, float]:
    """Balanced accuracy and minority (class 1) recall of one imbalanced-training run."""
    _, y = heldout
    return {
        "balanced_accuracy": tabular.balanced_accuracy(result["pred"], y, 2),
        "minority_recall": tabular.recall(result["pred"], y, 1),
    }


def runner(method: str):
    """run(learner, seed, device_type) for one rebalancing method ('sampler' or 'weights')."""
    def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
        return learner.run(R.train_imbalanced, method, heldout_25(seed)[0], device_type, seed)

    run.__name__ = f"run_{method}"
    return run


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out balanced accuracy and minority recall."""
    return metrics_25(result, heldout_25(seed))


MARKS = (Mark("balanced_accuracy", MIN_BALANCED_ACCURACY_25), Mark("minority_recall", MIN_MINORITY_RECALL_25))
SAMPLER = TrainingTask("25.5", runner("sampler"), measure, MARKS, check_seed=CHECK_SEED, label="sampler", folder=FOLDER)
WEIGHTS = TrainingTask("25.5", runner("weights"), measure, MARKS, check_seed=CHECK_SEED, label="weights", folder=FOLDER)
TRAINING = (SAMPLER, WEIGHTS)
