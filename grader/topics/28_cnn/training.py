"""What the 28.4 training check and its calibration share: the held-out glyphs (made here, in the trusted process:
their labels never reach the learner's), the metric and the pass mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask
from grader.kit.data import vision

from . import recipes as R

FOLDER = Path(__file__).resolve().parent

TRAIN_SEED = 0  # the seed a grading trains with (one of the calibration seeds)


def heldout_glyphs() -> tuple[torch.Tensor, torch.Tensor]:
    """(images, labels): 500 held-out glyph images, from a seed training never uses."""
    return vision.make_glyphs(500, seed=928_004)


def glyph_metrics(pred: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """{'accuracy'}."""
    return {"accuracy": float((pred.long() == labels).double().mean())}


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's LeNet5 with the grader's loop; predictions on the held-out glyphs."""
    return learner.run(R.train_lenet, seed, device_type, heldout_glyphs()[0])


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out accuracy."""
    return glyph_metrics(result["predictions"], heldout_glyphs()[1])


TASK = TrainingTask("28.4", run, measure, marks=(Mark("accuracy", 0.95, margin=0.02),), folder=FOLDER)
TRAINING = (TASK,)
PASS_MARKS = {m.metric: m.threshold for m in TASK.marks}
