"""Checks for topic 22: dice_loss (22.1), confusion_matrix / mean_iou / pixel_accuracy (22.2), UNet trained on
synthetic shape masks (22.3).

22.1 and 22.2 follow the contract's formulas exactly; the reference solution computes the expected values (values and,
for the Dice loss, gradients wrt the logits, in float32 and float64). 22.2's conventions are checked as written: rows
of the confusion matrix are the target, iou is float32 with NaN for a class absent from both pred and target, miou is
its nanmean as a 0-dim tensor.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.vision_checks import (
    DTYPES,
    check_result,
    check_value,
    diverged,
    few,
    corpus_range,
    losses_of,
    mistakes_of,
    seeded,
    show,
    structure_cause,
    structure_facts,
    training_curve,
)
from grader.kit.data.vision import SEGMENTATION_CLASSES

from . import mistakes as M
from . import recipes as R
from . import training as CAL

DICE_HINT = (
    "p = softmax over C, t = one-hot target; zero both at ignored pixels; per class sum over N, H, W at once: "
    "dice_c = (2*sum(p*t) + smooth) / (sum(p) + sum(t) + smooth); loss = 1 - mean_c dice_c"
)


def kwargs_text(kwargs: Mapping[str, Any]) -> str:
    """', smooth=0.5, ignore_index=255' for the message describing a call."""
    return "".join(f", {k}={v!r}" for k, v in kwargs.items())


def labels_with_ignored(
    shape: tuple[int, ...], classes: int, seed: int, ignore_index: int | None, fraction: float
) -> torch.Tensor:
    """Random int64 class labels of `shape`, about `fraction` of them set to ignore_index (at least one pixel valid)."""
    gen = seeded(seed)
    target = torch.randint(0, classes, shape, generator=gen)
    if ignore_index is not None and fraction > 0:
        ignored = torch.rand(shape, generator=gen) < fraction
        ignored.view(-1)[0] = False
        target = torch.where(ignored, torch.full_like(target, ignore_index), target)
    return target


# ----------------------------------------------------------------------------------------------------------- 22.1
@pytest.mark.task("22.1")
@few(25)
@given(
    n=st.integers(1, 3),
    classes=st.integers(2, 4),
    h=st.integers(1, 4),
    w=st.integers(1, 4),
    seed=st.integers(0, 2**16),
    smooth=st.sampled_from([None, 1.0, 0.5, 0.0]),
    ignore_index=st.sampled_from([None, 255, -1]),
    scale=st.sampled_from([1.0, 4.0]),
    dtype=st.sampled_from(DTYPES),
)
def test_dice_loss_matches_reference(
    learner, reference, device, n, classes, h, w, seed, smooth, ignore_index, scale, dtype
):
    logits = torch.randn(n, classes, h, w, generator=seeded(seed), dtype=torch.float64) * scale
    logits = logits.to(dtype=dtype, device=device)
    target = labels_with_ignored((n, h, w), classes, seed + 1, ignore_index, 0.3).to(device)
    kwargs: dict[str, Any] = {}
    if smooth is not None:
        kwargs["smooth"] = smooth
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
    got = learner.run(R.call_dice_loss, logits, target, kwargs)
    want = R.call_dice_loss(reference, logits, target, kwargs)
    check_result(
        got,
        want,
        mistakes_of(R.call_dice_loss, "dice_loss", M.DICE_MISTAKES, logits, target, kwargs),
        what="dice_loss",
        inputs=f"logits={show(logits)}, target={show(target)}{kwargs_text(kwargs)}",
        hint=DICE_HINT,
    )


DICE_CASES = {
    "one pixel": (1, 2, 1, 1, {}),
    "confident logits (magnitude 30)": (2, 3, 3, 3, {"scale": 30.0}),
    "a class absent from the target": (1, 4, 2, 2, {"classes_used": 2}),
    "ignore_index=255 on half the pixels": (2, 3, 4, 4, {"ignore_index": 255, "fraction": 0.5}),
}


@pytest.mark.task("22.1")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(DICE_CASES))
def test_dice_loss_edge_cases(learner, reference, device, case, dtype):
    n, classes, h, w, opts = DICE_CASES[case]
    logits = (torch.randn(n, classes, h, w, generator=seeded(11), dtype=torch.float64) * opts.get("scale", 1.0)).to(
        dtype=dtype, device=device
    )
    ignore_index = opts.get("ignore_index")
    used = opts.get("classes_used", classes)
    target = labels_with_ignored((n, h, w), used, 12, ignore_index, opts.get("fraction", 0.0)).to(device)
    kwargs = {} if ignore_index is None else {"ignore_index": ignore_index}
    got = learner.run(R.call_dice_loss, logits, target, kwargs)
    want = R.call_dice_loss(reference, logits, target, kwargs)
    check_result(
        got,
        want,
        mistakes_of(R.call_dice_loss, "dice_loss", M.DICE_MISTAKES, logits, target, kwargs),
        what=f"dice_loss ({case})",
        inputs=f"logits={show(logits)}, target={show(target)}{kwargs_text(kwargs)}",
        hint=DICE_HINT,
    )


# ----------------------------------------------------------------------------------------------------------- 22.2
METRIC_HINT = (
    "confusion matrix over valid pixels (target != ignore_index), rows = target; iou = diag / (row + col - diag)"
)


def metric_inputs(n, h, w, classes, seed, ignore_index, device) -> tuple[torch.Tensor, torch.Tensor, dict[str, Any]]:
    """(pred, target, kwargs): random predictions and targets, ~20% of targets ignored (255 when ignore_index is None,
    the default)."""
    pred = torch.randint(0, classes, (n, h, w), generator=seeded(seed)).to(device)
    target = labels_with_ignored((n, h, w), classes, seed + 1, 255 if ignore_index is None else ignore_index, 0.2)
    kwargs = {} if ignore_index is None else {"ignore_index": ignore_index}
    return pred, target.to(device), kwargs


def check_metrics(
    learner, reference, pred: torch.Tensor, target: torch.Tensor, classes: int, kwargs: dict[str, Any], label: str = ""
) -> None:
    """confusion_matrix, then mean_iou (iou, then miou), then pixel_accuracy, each against the reference."""
    inputs = f"pred={show(pred)}, target={show(target)}, num_classes={classes}{kwargs_text(kwargs)}"
    suffix = f" ({label})" if label else ""

    got = learner.run(R.call_confusion_matrix, pred, target, classes, kwargs)
    want = R.call_confusion_matrix(reference, pred, target, classes, kwargs)
    check_value(
        got,
        want,
        lambda: {k: f(pred, target, classes, **kwargs) for k, f in M.CONFUSION_MISTAKES.items()},
        what=f"confusion_matrix{suffix}",
        inputs=inputs,
        hint=METRIC_HINT,
    )

    got = learner.run(R.call_mean_iou, pred, target, classes, kwargs)
    want = R.call_mean_iou(reference, pred, target, classes, kwargs)
    if not isinstance(got, list) or len(got) != 2:
        returned = show(got) if isinstance(got, torch.Tensor) else type(got).__name__
        raise AssertionError(f"mean_iou{suffix} must return a pair (miou, iou); it returned {returned}\n  for {inputs}")
    buggy = lambda: {k: f(pred, target, classes, **kwargs) for k, f in M.MEAN_IOU_MISTAKES.items()}  # noqa: E731
    check_value(
        got[1],
        want[1],
        lambda: {k: v[1] for k, v in buggy().items()},
        what=f"iou per class (the second element of mean_iou's result){suffix}",
        inputs=inputs,
        hint=METRIC_HINT + "; a class absent from both pred and target has iou NaN (0/0); iou is float32",
    )
    check_value(
        got[0],
        want[0],
        lambda: {k: v[0] for k, v in buggy().items()},
        what=f"miou (the first element of mean_iou's result){suffix}",
        inputs=inputs,
        hint="miou = nanmean(iou): classes with NaN iou are left out of the mean; a 0-dim tensor",
    )

    got = learner.run(R.call_pixel_accuracy, pred, target, kwargs)
    want = R.call_pixel_accuracy(reference, pred, target, kwargs)
    if not isinstance(got, torch.Tensor) or not got.is_floating_point() or got.numel() != 1:
        text = show(got) if isinstance(got, torch.Tensor) else f"a {type(got).__name__}"
        raise AssertionError(
            f"pixel_accuracy{suffix} must return a floating-point tensor holding one number; it returned {text}\n"
            f"  for {inputs}"
        )
    check_value(
        got.reshape(()).double(),
        want.double(),
        lambda: {k: f(pred, target, **kwargs).double() for k, f in M.PIXEL_ACCURACY_MISTAKES.items()},
        what=f"pixel_accuracy{suffix}",
        inputs=inputs,
        rtol=1.3e-6,
        atol=1e-6,
        hint="correct valid pixels / valid pixels, where valid means target != ignore_index",
    )


@pytest.mark.task("22.2")
@few(25)
@given(
    n=st.integers(1, 2),
    h=st.integers(1, 4),
    w=st.integers(1, 4),
    classes=st.integers(1, 5),
    seed=st.integers(0, 2**16),
    ignore_index=st.sampled_from([None, 255, -1]),
)
def test_metrics_match_reference(learner, reference, device, n, h, w, classes, seed, ignore_index):
    pred, target, kwargs = metric_inputs(n, h, w, classes, seed, ignore_index, device)
    check_metrics(learner, reference, pred, target, classes, kwargs)


METRIC_CASES = {
    "perfect prediction": ([[0, 1], [2, 2]], [[0, 1], [2, 2]], 3, {}),
    "a class absent from both (its iou is NaN)": ([[0, 0], [1, 1]], [[0, 1], [1, 1]], 4, {}),
    "a class only predicted (its iou is 0)": ([[2, 0], [1, 1]], [[0, 0], [1, 1]], 3, {}),
    "every pixel ignored but one": ([[1, 0], [1, 1]], [[255, 255], [1, 255]], 2, {}),
    "ignore_index=-1": ([[0, 1, 1], [1, 0, 0]], [[-1, 1, 0], [1, -1, 0]], 2, {"ignore_index": -1}),
    "one class": ([[0, 0, 0]], [[0, 0, 0]], 1, {}),
}


@pytest.mark.task("22.2")
@pytest.mark.parametrize("case", list(METRIC_CASES))
def test_metrics_edge_cases(learner, reference, device, case):
    pred_rows, target_rows, classes, kwargs = METRIC_CASES[case]
    pred = torch.tensor([pred_rows], dtype=torch.int64, device=device)
    target = torch.tensor([target_rows], dtype=torch.int64, device=device)
    check_metrics(learner, reference, pred, target, classes, kwargs, label=case)


# ----------------------------------------------------------------------------------------------------------- 22.3
UNET_SHAPES = [
    ({"in_channels": 3, "num_classes": 4, "base_channels": 4, "depth": 2}, [2, 3, 8, 12]),
    ({"in_channels": 1, "num_classes": 2, "base_channels": 4, "depth": 3}, [1, 1, 16, 8]),
    ({"in_channels": 3, "num_classes": 5}, [1, 3, 16, 24]),
    ({"in_channels": 2, "num_classes": 3, "base_channels": 8, "depth": 1}, [2, 2, 6, 10]),
]


@pytest.mark.task("22.3")
@pytest.mark.parametrize("kwargs,shape", UNET_SHAPES, ids=[f"{s}" for _, s in UNET_SHAPES])
def test_unet_output_shape(learner, device, kwargs, shape):
    got = learner.run(R.unet_output_shape, kwargs, shape, device.type)
    want = [shape[0], kwargs["num_classes"], shape[2], shape[3]]
    if got != want:
        yours = tuple(got) if isinstance(got, list) else got
        raise AssertionError(
            f"UNet({', '.join(f'{k}={v}' for k, v in kwargs.items())}) on input of shape {tuple(shape)} returned "
            f"{yours}; expected logits of shape {tuple(want)} (same H, W as the input for any H, W divisible by "
            "2**depth)"
        )


@pytest.mark.slow
@pytest.mark.task("22.3")
def test_unet_trains_to_the_pass_mark(learner, device, curves):
    images, masks = CAL.heldout_segmentation()
    curves.reference = reference_losses(CAL.TASK)
    result = CAL.run(learner, CAL.TASK.check_seed, device.type)
    curves.yours = losses_of(result)
    if diverged(curves.yours):
        raise AssertionError("the training loss became NaN or inf")
    predicted = result["masks"]
    if not isinstance(predicted, torch.Tensor) or tuple(predicted.shape) != tuple(masks.shape):
        shape = tuple(getattr(predicted, "shape", ()))
        raise AssertionError(f"predicted masks of shape {shape}, expected {tuple(masks.shape)}")
    metrics = CAL.segmentation_metrics(predicted, masks)
    missed = CAL.TASK.failed_marks(metrics)
    if not missed:
        return
    mark = CAL.PASS_MARKS["miou"]
    c = len(SEGMENTATION_CLASSES)
    pairs = (masks * c + predicted.long().clamp(0, c - 1)).flatten()
    cm = torch.bincount(pairs, minlength=c * c).reshape(c, c).double()
    iou = cm.diag() / (cm.sum(0) + cm.sum(1) - cm.diag())
    per_class = ", ".join(f"{name} {float(v):.2f}" for name, v in zip(SEGMENTATION_CLASSES, iou))
    text = f"mIoU {metrics['miou']:.3f} < {mark} on {masks.shape[0]} held-out images (IoU per class: {per_class})"
    if bool((predicted == predicted.flatten()[0]).all()):
        text += f"; it predicts '{SEGMENTATION_CLASSES[int(predicted.flatten()[0])]}' for every pixel, a constant mask"
    structure = result.get("structure")
    text = (
        f"after the grader's training ({len(curves.yours)} steps): {text}. "
        f"Measured: {training_curve(curves.yours, curves.reference)}. "
    )
    cause = structure_cause(structure, "your UNet", needs_batchnorm=True,
                            without_batchnorm=corpus_range(CAL.TASK, "no BatchNorm2d"))
    facts = structure_facts(structure, "your UNet")
    if cause:
        text += cause
    elif facts:
        text += (
            f"{facts}. When a UNet with BatchNorm2d trails the reference, the usual causes are decoders "
            "that do not receive the encoder's feature map of their resolution (no skip connections: the masks lose "
            "their boundaries), a skip taken from the wrong level, or logits predicted at a low resolution and "
            "upsampled. "
        )
    raise AssertionError(text + reference_summary(replace(CAL.TASK, marks=tuple(missed))))
