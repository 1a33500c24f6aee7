"""What the 28.4 training check and its calibration share: the held-out glyphs (made here, in the trusted process:
their labels never reach the learner's), the metrics and the pass marks."""

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


def affine_residual(result: Mapping[str, Any]) -> float:
    """The trained model's affine residual from the recipe's model_structure (kit.training): about 1e-6 for an affine
    LeNet5 (no nonlinearity anywhere), order 0.1 or more with a ReLU or tanh after its layers, 0 for a constant output.
    inf when the probe could not run: it then establishes nothing, and the mark does not fail the model for it."""
    structure = result.get("structure")
    value = structure.get("affine_residual") if isinstance(structure, Mapping) else None
    return float(value) if isinstance(value, (int, float)) else float("inf")


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out accuracy, and the affine residual of the trained model."""
    return {**glyph_metrics(result["predictions"], heldout_glyphs()[1]), "affine_residual": affine_residual(result)}


# Calibrated on variants/ (grade calibrate 28). An affine LeNet5 (no nonlinearity: the contract asks for one after
# each layer but the last) reaches about 0.98 accuracy on the glyphs, as much as some correct models, so no accuracy
# mark can catch it: the affine-residual mark checks the property itself (affine about 1e-6, correct models >= 0.1).
ACCURACY = Mark("accuracy", 0.97, margin=0.02)
NONLINEAR = Mark("affine_residual", 1e-4, margin=5e-5)
TASK = TrainingTask("28.4", run, measure, marks=(ACCURACY, NONLINEAR), folder=FOLDER)
TRAINING = (TASK,)
PASS_MARKS = {m.metric: m.threshold for m in TASK.marks}
