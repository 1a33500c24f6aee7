"""What the 25.5 training check and its calibration share: held-out data, metrics and pass marks. 25.5 trains
twice, once on batches drawn by the learner's balanced_sampler and once with the learner's class_weights: one
TrainingTask whose run trains both ways and whose measure gives both runs' metrics, so a model broken in either way
fails it (a broken sampler passes the class-weights run, and the other way round)."""

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
METHODS = {"sampler": "batches drawn by your balanced_sampler",
           "weights": "cross entropy weighted by your class_weights(y, 2)"}


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


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the grader's MLP twice on the 19:1 data: with the learner's balanced_sampler, then with its
    class_weights. {'sampler': that run's result, 'weights': that run's result, 'losses': the sampler run's curve
    followed by the class-weights run's}."""
    x_test = heldout_25(seed)[0]
    out: dict[str, Any] = {m: learner.run(R.train_imbalanced, m, x_test, device_type, seed) for m in METHODS}
    out["losses"] = [float(v) for m in METHODS for v in out[m]["losses"]]
    return out


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out balanced accuracy and minority recall of each run: sampler_balanced_accuracy, ...,
    weights_minority_recall."""
    held = heldout_25(seed)
    return {f"{m}_{k}": v for m in METHODS for k, v in metrics_25(result[m], held).items()}


# The contract's numbers, on each run. Margins: correct variants clear every mark by >= 0.06 on every calibration
# seed; every broken model misses the minority recall of the run it breaks by >= 0.15 (grade calibrate 25).
TASK = TrainingTask("25.5", run, measure, marks=tuple(
    Mark(f"{m}_{metric}", threshold, margin=margin) for m in METHODS
    for metric, threshold, margin in (("balanced_accuracy", MIN_BALANCED_ACCURACY_25, 0.02),
                                      ("minority_recall", MIN_MINORITY_RECALL_25, 0.05))),
    check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
