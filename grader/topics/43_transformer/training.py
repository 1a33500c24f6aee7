"""What the 43.5 training check and its calibration share: the held-out sequences, the metrics and the pass mark."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask

from . import data as digits
from . import recipes as R

FOLDER = Path(__file__).resolve().parent
HELDOUT_SEED = 990_043  # training batches use seeds seed * 100_003 + step < 500_000
N_HELDOUT = 1000
PASS_MARK = 0.9  # held-out token accuracy; see calibration.json for the two populations it sits between


@cache
def heldout() -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y) of the held-out sequences: N_HELDOUT sequences of digits.LENGTH digits, from a seed training never
    uses. Only x goes to the learner's process."""
    return digits.make_digits(N_HELDOUT, seed=HELDOUT_SEED)


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's DigitSorter with the grader's loop; its predictions on the held-out sequences."""
    x, _ = heldout()
    return learner.run(R.train_digit_sorter, seed, device_type, x.to(device_type))


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """token_accuracy: the fraction of held-out positions whose digit is right; sequence_accuracy: the fraction of
    held-out sequences sorted entirely right (reported, not marked)."""
    _, y = heldout()
    predictions = result["predictions"]
    if not isinstance(predictions, torch.Tensor) or tuple(predictions.shape) != tuple(y.shape):
        raise ValueError(f"predictions must be an int64 tensor of shape {tuple(y.shape)}")
    hits = predictions.cpu().long() == y
    return {"token_accuracy": float(hits.float().mean()), "sequence_accuracy": float(hits.all(dim=1).float().mean())}


TASK = TrainingTask("43.5", run, measure, marks=(Mark("token_accuracy", PASS_MARK, margin=0.05),), folder=FOLDER)
TRAINING = (TASK,)
