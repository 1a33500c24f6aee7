"""What the 24.7 training check and its calibration share: held-out data, metrics and the pass mark (the bagged
ensemble beats the mean of its members by MIN_BAGGING_GAIN_24). The members all start from one init (recipes.py), so
the bootstrap samples are their only difference: without resampling the gain is 0 whatever the seed."""

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
MIN_BAGGING_GAIN_24 = 0.02  # ensemble accuracy minus the members' mean accuracy, on the held-out rows


def heldout_24(seed: int = CHECK_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out data with clean labels (x, y) for the bagging task."""
    return tabular.make_noisy_classes(2000, HELD_OUT_OFFSET + seed, label_noise=0.0)


def metrics_24(result: Mapping[str, Any], heldout: tuple[torch.Tensor, ...]) -> dict[str, Any]:
    """Each member's accuracy, their mean, the ensemble's accuracy on the held-out data, and the ensemble's gain over
    that mean."""
    _, y = heldout
    members = [tabular.accuracy(p.argmax(1), y) for p in result["member_probs"]]
    mean = sum(members) / len(members)
    ensemble = tabular.accuracy(result["ensemble_probs"].argmax(1), y)
    return {"member_accuracy": members, "mean_member_accuracy": mean, "ensemble_accuracy": ensemble,
            "gain": ensemble - mean}


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Bag the grader's MLPs with the learner's bootstrap_indices and soft_vote."""
    return learner.run(R.train_bagging, heldout_24(seed)[0], device_type, seed)


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """The ensemble's gain over its members' mean accuracy (and both accuracies)."""
    m = metrics_24(result, heldout_24(seed))
    return {k: v for k, v in m.items() if k != "member_accuracy"}


# Correct bootstraps gain >= +0.05 on every calibration seed, broken ones (no resampling, without replacement, one
# sample for all) at most +0.001 (grade calibrate 24): the mark sits in between with 0.015 to spare on either side.
TASK = TrainingTask("24.7", run, measure, marks=(Mark("gain", MIN_BAGGING_GAIN_24, margin=0.015),),
                    check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
