"""Calibrate the vision training tasks 21.5 (TinyDetector), 22.3 (UNet) and 28.4 (LeNet5): train the reference with the
grader's loop on several seeds and record, in grader/calibration/NN.json, the held-out metrics per seed, the training
time and the reference loss curve of the check's seed (shown beside the learner's).

    python -m grader.calibrate_vision [21 22 28] [--seeds 6] [--check]

The checks' pass marks are the contract's numbers; the calibration records that the reference clears each of them with
margin on every seed. This module also holds what the checks and the calibration must agree on: the training seed, the
held-out sets (made here, in the trusted process: their labels never reach the learner's) and the metrics.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from types import ModuleType
from typing import Any, Callable

import torch

from grader.data import vision
from grader.manifest import PACKAGE_DIR, SOLUTIONS_DIR

CALIBRATION_DIR = PACKAGE_DIR / "calibration"
TRAIN_SEED = 0  # the seed the checks train with; calibration seeds are 0..n-1, so it is always among them

# The contract's pass marks, and the margin by which the reference must clear them on every calibration seed.
PASS_MARKS: dict[int, dict[str, float]] = {
    21: {"accuracy": 0.9, "mean_iou": 0.6},
    22: {"miou": 0.8},
    28: {"accuracy": 0.95},
}
MARGINS: dict[int, dict[str, float]] = {
    21: {"accuracy": 0.03, "mean_iou": 0.1},
    22: {"miou": 0.05},
    28: {"accuracy": 0.02},
}


def heldout_detection() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(images, labels, boxes): 200 held-out detection images, from a seed training never uses."""
    return vision.make_detection_images(200, seed=921_005)


def heldout_segmentation() -> tuple[torch.Tensor, torch.Tensor]:
    """(images, masks): 200 held-out segmentation images, from a seed training never uses."""
    return vision.make_segmentation_images(200, seed=922_003)


def heldout_glyphs() -> tuple[torch.Tensor, torch.Tensor]:
    """(images, labels): 500 held-out glyph images, from a seed training never uses."""
    return vision.make_glyphs(500, seed=928_004)


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


def segmentation_metrics(pred: torch.Tensor, masks: torch.Tensor) -> dict[str, float]:
    """{'miou': mean over classes of IoU (classes absent from both left out), 'pixel_accuracy'}."""
    c = len(vision.SEGMENTATION_CLASSES)
    pred, masks = pred.long(), masks.long()
    cm = torch.bincount((masks * c + pred.clamp(0, c - 1)).flatten(), minlength=c * c).reshape(c, c).double()
    tp = cm.diag()
    iou = tp / (cm.sum(0) + cm.sum(1) - tp)
    return {"miou": float(iou.nanmean()), "pixel_accuracy": float((pred == masks).double().mean())}


def glyph_metrics(pred: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """{'accuracy'}."""
    return {"accuracy": float((pred.long() == labels).double().mean())}


def evaluate(topic: int, result: dict[str, Any]) -> dict[str, float]:
    """The held-out metrics of a training recipe's result for this topic."""
    if topic == 21:
        _, labels, boxes = heldout_detection()
        return detection_metrics(result["logits"], result["boxes"], labels, boxes)
    if topic == 22:
        return segmentation_metrics(result["masks"], heldout_segmentation()[1])
    return glyph_metrics(result["predictions"], heldout_glyphs()[1])


def training_call(topic: int) -> tuple[Callable[..., dict[str, Any]], torch.Tensor]:
    """The topic's training recipe and the held-out images it predicts on."""
    from grader.recipes import cnn, detection, segmentation

    if topic == 21:
        return detection.train_detector, heldout_detection()[0]
    if topic == 22:
        return segmentation.train_unet, heldout_segmentation()[0]
    return cnn.train_lenet, heldout_glyphs()[0]


def calibration_record(topic: int) -> dict[str, Any]:
    """The recorded calibration of a topic ({} when it was never run)."""
    path = CALIBRATION_DIR / f"{topic}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def load_reference(topic: int) -> ModuleType:
    """The topic's reference solution, imported under a private name."""
    path = next(SOLUTIONS_DIR.glob(f"{topic:02d}_*.py"))
    spec = importlib.util.spec_from_file_location(f"reference_{topic}", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def calibrate(topic: int, seeds: int = 6) -> dict[str, Any]:
    """Train the reference on seeds 0..seeds-1 and return the calibration record of the topic's training task."""
    train, images = training_call(topic)
    reference = load_reference(topic)
    task = {21: "21.5", 22: "22.3", 28: "28.4"}[topic]
    record: dict[str, Any] = {
        "task": task,
        "pass_marks": PASS_MARKS[topic],
        "margins": MARGINS[topic],
        "seeds": [],
        "metrics": [],
        "seconds": [],  # wall time of each training (the recipes train on one intra-op thread)
        "cpu_seconds": [],
    }
    for seed in range(seeds):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = train(reference, seed, "cpu", images)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        metrics = {k: round(v, 4) for k, v in evaluate(topic, result).items()}
        record["seeds"].append(seed)
        record["metrics"].append(metrics)
        record["seconds"].append(round(seconds, 2))
        record["cpu_seconds"].append(round(cpu_seconds, 2))
        if seed == TRAIN_SEED:
            record["reference_losses"] = [round(v, 5) for v in result["losses"]]
        print(f"{task} seed {seed}: {metrics} in {seconds:.1f} s", flush=True)
    record["min"] = {k: min(m[k] for m in record["metrics"]) for k in PASS_MARKS[topic]}
    return record


def clears_margin(topic: int, record: dict[str, Any]) -> bool:
    """True when every seed of the record clears every pass mark plus its margin."""
    return all(record["min"][k] >= PASS_MARKS[topic][k] + MARGINS[topic][k] for k in PASS_MARKS[topic])


def main(argv: list[str] | None = None) -> int:
    """Calibrate the topics named on the command line (all three by default); exit 1 below a margin."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("topics", nargs="*", type=int, default=[21, 22, 28])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--check", action="store_true", help="recompute, do not write; exit 1 below the margin")
    args = parser.parse_args(argv)
    ok = True
    for topic in args.topics:
        record = calibrate(topic, args.seeds)
        good = clears_margin(topic, record)
        ok = ok and good
        if not args.check:
            CALIBRATION_DIR.mkdir(parents=True, exist_ok=True)
            path = CALIBRATION_DIR / f"{topic}.json"
            path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {path}")
        print(f"{record['task']}: min {record['min']} (pass marks {PASS_MARKS[topic]}): {'ok' if good else 'TOO LOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
