"""What the 21.5 training check and its calibration share: the held-out set (made here, in the trusted process: its
labels never reach the learner's), the metrics and the pass marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch

from grader.kit.calibration import Mark, TrainingTask
from grader.kit.data import vision

from . import recipes as R

FOLDER = Path(__file__).resolve().parent

TRAIN_SEED = 0  # the seed a grading trains with (one of the calibration seeds)


def heldout_detection() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(images, labels, boxes): 200 held-out detection images, from a seed training never uses."""
    return vision.make_detection_images(200, seed=921_005)


def paired_iou(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """IoU (B,) of each predicted xyxy box with its own target box (0 for a degenerate prediction)."""
    pred, target = pred.double(), target.double()
    wh = (torch.minimum(pred[:, 2:], target[:, 2:]) - torch.maximum(pred[:, :2], target[:, :2])).clamp(min=0)
    inter = wh[:, 0] * wh[:, 1]
    area = lambda b: (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)  # noqa: E731
    union = area(pred) + area(target) - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(inter))


def detection_metrics(
    logits: torch.Tensor, boxes: torch.Tensor, labels: torch.Tensor, target_boxes: torch.Tensor
) -> dict[str, float]:
    """{'accuracy': class accuracy, 'mean_iou': mean IoU of each predicted box with its target box}."""
    return {
        "accuracy": float((logits.argmax(dim=1) == labels).double().mean()),
        "mean_iou": float(paired_iou(boxes, target_boxes).nan_to_num(0.0).mean()),
    }


def run(learner: Any, seed: int, device_type: str) -> Mapping[str, Any]:
    """Train the learner's TinyDetector with the grader's loop; predictions on the held-out images."""
    return learner.run(R.train_detector, seed, device_type, heldout_detection()[0])


def measure(result: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Held-out class accuracy and mean IoU."""
    _, labels, boxes = heldout_detection()
    return detection_metrics(result["logits"], result["boxes"], labels, boxes)


# Calibrated on variants/ (grade calibrate 21): the mean-IoU mark sits between the correct variants (worst about 0.80)
# and a box head on globally pooled features (best about 0.71); a majority or constant class misses the accuracy mark.
TASK = TrainingTask(
    "21.5", run, measure,
    marks=(Mark("accuracy", 0.9, margin=0.03), Mark("mean_iou", 0.75, margin=0.03)),
    folder=FOLDER,
)
TRAINING = (TASK,)
PASS_MARKS = {m.metric: m.threshold for m in TASK.marks}
