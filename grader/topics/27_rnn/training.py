"""What the 27.4 training check and its calibration share: the held-out sequences, the metric and the pass mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask

from . import data as sequences
from . import recipes as R

FOLDER = Path(__file__).resolve().parent

CHECK_SEED = 0
PASS_MARK = 0.95  # the contract's accuracy for 27.4


def heldout_sets() -> list[tuple[int, torch.Tensor, torch.Tensor]]:
    """(length, x, y) of the held-out sequences: 200 of each length 10, 15 and 20, from seeds training never uses."""
    return [(n, *sequences.make_sequences(200, seed=990_000 + n, length=n)) for n in (10, 15, 20)]


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's SequenceClassifier with the grader's loop; predictions for each held-out length."""
    return learner.run(R.train_sequence_classifier, seed, device_type, [x.to(device_type) for _, x, _ in heldout_sets()])


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out accuracy over all lengths."""
    sets = heldout_sets()
    correct = sum(int((p.cpu().long() == y).sum()) for p, (_, _, y) in zip(result["predictions"], sets))
    return {"accuracy": correct / sum(len(y) for _, _, y in sets)}


TASK = TrainingTask("27.4", run, measure, marks=(Mark("accuracy", PASS_MARK, margin=0.03),), check_seed=CHECK_SEED, folder=FOLDER)
TRAINING = (TASK,)
