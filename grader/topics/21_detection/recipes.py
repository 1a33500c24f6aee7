"""Recipes for topic 21 (object detection): call the learner's box functions with forward and backward, and train the
learner's TinyDetector with the grader's loop.

They run where the learner's code runs, under the task's forbidden-API guard: torchvision's reference ops are called
by the checks, never here.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from grader.kit.data.vision import DETECTION_CLASSES, make_detection_images
from grader.kit.recipes import forward_backward
from grader.kit.training import model_structure, one_thread, train_one_cycle


def call_box_iou(mod: Any, boxes1: torch.Tensor, boxes2: torch.Tensor) -> dict[str, Any]:
    """mod.box_iou(boxes1, boxes2) with gradients wrt both box sets."""
    inputs = {"boxes1": boxes1, "boxes2": boxes2}
    return forward_backward(lambda boxes1, boxes2: mod.box_iou(boxes1, boxes2), inputs, wrt=["boxes1", "boxes2"])


def box_iou_values(mod: Any, boxes1: torch.Tensor, boxes2: torch.Tensor) -> Any:
    """mod.box_iou(boxes1, boxes2), values only."""
    with torch.no_grad():
        return mod.box_iou(boxes1, boxes2)


def call_nms(mod: Any, boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> Any:
    """mod.nms(boxes, scores, iou_threshold)."""
    with torch.no_grad():
        return mod.nms(boxes, scores, iou_threshold)


def call_batched_nms(
    mod: Any, boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, iou_threshold: float
) -> Any:
    """mod.batched_nms(boxes, scores, idxs, iou_threshold)."""
    with torch.no_grad():
        return mod.batched_nms(boxes, scores, idxs, iou_threshold)


def call_encode(
    mod: Any, reference_boxes: torch.Tensor, proposals: torch.Tensor, weights: tuple[float, ...]
) -> dict[str, Any]:
    """mod.encode_boxes(reference_boxes, proposals, weights=weights) with gradients wrt both inputs."""
    return forward_backward(
        lambda reference_boxes, proposals: mod.encode_boxes(reference_boxes, proposals, weights=tuple(weights)),
        {"reference_boxes": reference_boxes, "proposals": proposals},
        wrt=["reference_boxes", "proposals"],
    )


def call_decode(mod: Any, rel_codes: torch.Tensor, boxes: torch.Tensor, weights: tuple[float, ...]) -> dict[str, Any]:
    """mod.decode_boxes(rel_codes, boxes, weights=weights) with gradients wrt both inputs."""
    return forward_backward(
        lambda rel_codes, boxes: mod.decode_boxes(rel_codes, boxes, weights=tuple(weights)),
        {"rel_codes": rel_codes, "boxes": boxes},
        wrt=["rel_codes", "boxes"],
    )


def call_detection_loss(
    mod: Any,
    class_logits: torch.Tensor,
    box_preds: torch.Tensor,
    target_labels: torch.Tensor,
    target_boxes: torch.Tensor,
    box_weight: float | None,
) -> dict[str, Any]:
    """mod.detection_loss(...) (box_weight passed only when not None) with gradients wrt logits and both box sets."""
    extra = {} if box_weight is None else {"box_weight": box_weight}
    return forward_backward(
        lambda class_logits, box_preds, target_boxes: mod.detection_loss(
            class_logits, box_preds, target_labels, target_boxes, **extra
        ),
        {"class_logits": class_logits, "box_preds": box_preds, "target_boxes": target_boxes},
        wrt=["class_logits", "box_preds", "target_boxes"],
    )


def _outputs(out: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """The (class_logits, boxes) pair of a TinyDetector forward, or a TypeError that says what came back instead."""
    if not isinstance(out, (tuple, list)) or len(out) != 2 or not all(isinstance(t, torch.Tensor) for t in out):
        raise TypeError(
            f"TinyDetector.forward must return (class_logits, boxes), two tensors; it returned {_describe(out)}"
        )
    return out[0], out[1]


def _describe(out: Any) -> str:
    if isinstance(out, torch.Tensor):
        return f"one tensor of shape {tuple(out.shape)}"
    if isinstance(out, (tuple, list)):
        return f"a {type(out).__name__} of {len(out)}: " + ", ".join(_describe(o) for o in out)
    return type(out).__name__


def detector_output_shapes(mod: Any, num_classes: int, batch: int, device_type: str) -> dict[str, Any]:
    """Shapes and range of mod.TinyDetector(num_classes) on `batch` random 64x64 images, in eval mode."""
    torch.manual_seed(0)
    model = mod.TinyDetector(num_classes).to(torch.device(device_type)).eval()
    images = torch.rand(batch, 3, 64, 64, generator=torch.Generator().manual_seed(1)).to(device_type)
    with torch.no_grad():
        out = model(images)
    if not isinstance(out, (tuple, list)) or len(out) != 2 or not all(isinstance(t, torch.Tensor) for t in out):
        return {"returned": _describe(out)}
    logits, boxes = out
    return {
        "returned": "pair",
        "logits_shape": list(logits.shape),
        "boxes_shape": list(boxes.shape),
        "boxes_min": float(boxes.min()) if boxes.numel() else 0.0,
        "boxes_max": float(boxes.max()) if boxes.numel() else 0.0,
        "finite": bool(torch.isfinite(logits).all() and torch.isfinite(boxes).all()),
    }


@one_thread()
def train_detector(
    mod: Any,
    seed: int,
    device_type: str,
    heldout_images: torch.Tensor,
    n_train: int = 3000,
    epochs: int = 4,
    batch_size: int = 64,
    lr: float = 1e-2,
    box_weight: float = 5.0,
) -> dict[str, Any]:
    """Train mod.TinyDetector(3) on make_detection_images(n_train, seed) with the grader's loop and predict on the
    held-out images.

    Loop: train_one_cycle (Adam, peak lr, warm-up over the first 15% of the steps, cosine decay towards lr/1000),
    cross entropy + box_weight * L1 on the normalised boxes, shuffled mini-batches: 4 epochs of 47 batches = 188 steps.
    Returns {'losses': per-step training loss, 'logits': (B, 3), 'boxes': (B, 4)} for the held-out images (float32,
    CPU), and 'structure': model_structure of the trained model on 16 training images (module counts, constant
    outputs, affine residual).
    """
    device = torch.device(device_type)
    images, labels, boxes = make_detection_images(n_train, seed)
    torch.manual_seed(seed)
    model = mod.TinyDetector(len(DETECTION_CLASSES)).to(device)

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        logits, pred = _outputs(model(images[idx].to(device)))
        return F.cross_entropy(logits, labels[idx].to(device)) + box_weight * F.l1_loss(pred, boxes[idx].to(device))

    losses = train_one_cycle(
        model, batch_loss, seed=seed, n_train=n_train, epochs=epochs, batch_size=batch_size, lr=lr, report_every=5
    )
    all_logits, all_boxes = [], []
    with torch.no_grad():
        for chunk in heldout_images.split(100):
            logits, pred = _outputs(model(chunk.to(device)))
            all_logits.append(logits.float().cpu())
            all_boxes.append(pred.float().cpu())
    structure = model_structure(model, images[:16].to(device))
    return {"losses": losses, "logits": torch.cat(all_logits), "boxes": torch.cat(all_boxes), "structure": structure}
