"""What the 22.3 training check and its calibration share: the held-out set (made here, in the trusted process: its
masks never reach the learner's), the metrics and the pass mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask
from grader.kit.data import vision

from . import recipes as R

FOLDER = Path(__file__).resolve().parent

TRAIN_SEED = 0  # the seed a grading trains with (one of the calibration seeds)


def heldout_segmentation() -> tuple[torch.Tensor, torch.Tensor]:
    """(images, masks): 200 held-out segmentation images, from a seed training never uses."""
    return vision.make_segmentation_images(200, seed=922_003)


def segmentation_metrics(pred: torch.Tensor, masks: torch.Tensor) -> dict[str, float]:
    """{'miou': mean over classes of IoU (classes absent from both left out), 'pixel_accuracy'}."""
    c = len(vision.SEGMENTATION_CLASSES)
    pred, masks = pred.long(), masks.long()
    cm = torch.bincount((masks * c + pred.clamp(0, c - 1)).flatten(), minlength=c * c).reshape(c, c).double()
    tp = cm.diag()
    iou = tp / (cm.sum(0) + cm.sum(1) - tp)
    return {"miou": float(iou.nanmean()), "pixel_accuracy": float((pred == masks).double().mean())}


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's UNet with the grader's loop; predicted masks of the held-out images."""
    return learner.run(R.train_unet, seed, device_type, heldout_segmentation()[0])


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out mIoU and pixel accuracy."""
    return segmentation_metrics(result["masks"], heldout_segmentation()[1])


# Calibrated on variants/ (grade calibrate 22): the mark sits between the correct variants (worst about 0.95) and a
# UNet without skip connections (best about 0.88) or without BatchNorm2d.
TASK = TrainingTask("22.3", run, measure, marks=(Mark("miou", 0.91, margin=0.02),), folder=FOLDER)
TRAINING = (TASK,)
PASS_MARKS = {m.metric: m.threshold for m in TASK.marks}
