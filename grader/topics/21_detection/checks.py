"""Checks for topic 21: box_iou (21.1), nms/batched_nms (21.2), encode_boxes/decode_boxes (21.3), detection_loss (21.4),
TinyDetector trained on synthetic one-object images (21.5).

21.1-21.3 are "same as torchvision" (torchvision.ops.box_iou / nms / batched_nms, BoxCoder.encode_single /
decode_single): values within torch.testing's default tolerances for float32 and float64 and gradients wrt every box
input. NMS inputs use boxes on a quarter-pixel grid and thresholds exactly representable in float32, so IoUs that equal
the threshold happen and are decided exactly; inputs with tied scores are checked for a valid kept set, not for order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import pytest
import torch
import torch.nn.functional as F
import torchvision
from hypothesis import given
from hypothesis import strategies as st
from torchvision.models.detection._utils import BoxCoder

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
    namespace,
    seeded,
    show,
    structure_cause,
    structure_facts,
    training_curve,
)
from grader.kit.data.vision import DETECTION_CLASSES

from . import mistakes as M
from . import recipes as R
from . import training as CAL
from .support import as_tensor, distinct_scores, make_boxes, make_codes, nms_violation

TORCHVISION = namespace(
    box_iou=torchvision.ops.box_iou,
    nms=torchvision.ops.nms,
    batched_nms=torchvision.ops.batched_nms,
    encode_boxes=lambda reference_boxes, proposals, weights: BoxCoder(weights).encode_single(
        reference_boxes, proposals
    ),
    decode_boxes=lambda rel_codes, boxes, weights: BoxCoder(weights).decode_single(rel_codes, boxes),
    detection_loss=lambda class_logits, box_preds, target_labels, target_boxes, box_weight=1.0: (
        F.cross_entropy(class_logits, target_labels) + box_weight * F.smooth_l1_loss(box_preds, target_boxes, beta=1.0)
    ),
)
THRESHOLDS = [0.0, 0.25, 0.5, 0.75]  # exactly representable: torch (float32) and torchvision (double) agree on ties
WEIGHTS = [(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0), (2.0, 0.5, 1.5, 3.0)]


# ----------------------------------------------------------------------------------------------------------- 21.1
IOU_HINT = "inter = clamp(min(x2) - max(x1), 0) * clamp(min(y2) - max(y1), 0); IoU = inter / (area1 + area2 - inter)"


@pytest.mark.task("21.1")
@few(20)
@given(n=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def test_box_iou_matches_torchvision(learner, device, n, m, seed, dtype):
    boxes1 = make_boxes(n, seed, dtype, device)
    boxes2 = make_boxes(m, seed + 7919, dtype, device)
    got = learner.run(R.call_box_iou, boxes1, boxes2)
    want = R.call_box_iou(TORCHVISION, boxes1, boxes2)
    check_result(
        got,
        want,
        mistakes_of(R.call_box_iou, "box_iou", M.IOU_MISTAKES, boxes1, boxes2),
        what="box_iou",
        inputs=f"boxes1={show(boxes1)}, boxes2={show(boxes2)}",
        hint=IOU_HINT,
    )


IOU_CASES = {
    "disjoint on both axes": ([[0, 0, 1, 1]], [[2, 2, 3, 3]]),
    "disjoint on x only": ([[0, 0, 1, 2]], [[2, 0, 3, 2]]),
    "touching edges": ([[0, 0, 1, 1]], [[1, 0, 2, 1]]),
    "identical": ([[1, 2, 5, 7]], [[1, 2, 5, 7]]),
    "nested": ([[0, 0, 4, 4]], [[1, 1, 2, 2]]),
    "partial overlap": ([[0, 0, 2, 2], [0, 0, 1, 1]], [[1, 1, 3, 3], [0.5, 0, 1.5, 1], [5, 5, 6, 6]]),
    "no boxes in boxes1": ([], [[0, 0, 1, 1], [1, 1, 2, 3]]),
    "no boxes in boxes2": ([[0, 0, 1, 1]], []),
    "large coordinates": ([[1000.5, 2000.25, 1800, 2600]], [[1500, 2100, 1900.75, 2800]]),
}


@pytest.mark.task("21.1")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(IOU_CASES))
def test_box_iou_edge_cases(learner, device, case, dtype):
    boxes1, boxes2 = (as_tensor(rows, dtype, device) for rows in IOU_CASES[case])
    got = learner.run(R.box_iou_values, boxes1, boxes2)
    want = torchvision.ops.box_iou(boxes1, boxes2)
    check_value(
        got,
        want,
        lambda: {name: fn(boxes1, boxes2) for name, fn in M.IOU_MISTAKES.items()},
        what=f"box_iou ({case})",
        inputs=f"boxes1={show(boxes1)}, boxes2={show(boxes2)}",
        hint=IOU_HINT,
    )


# ----------------------------------------------------------------------------------------------------------- 21.2
NMS_HINT = (
    "visit boxes by decreasing score; keep a box unless a box already KEPT overlaps it with IoU > iou_threshold "
    "(nms relies on your box_iou: make 21.1 pass first)"
)


@pytest.mark.task("21.2")
@few(25)
@given(
    n=st.integers(0, 10),
    seed=st.integers(0, 2**16),
    threshold=st.sampled_from(THRESHOLDS),
    dtype=st.sampled_from(DTYPES),
)
def test_nms_matches_torchvision(learner, device, n, seed, threshold, dtype):
    boxes = make_boxes(n, seed, dtype, device, span=6.0, grid=True)
    scores = distinct_scores(n, seed, dtype, device)
    got = learner.run(R.call_nms, boxes, scores, threshold)
    want = torchvision.ops.nms(boxes, scores, threshold)
    check_value(
        got,
        want,
        lambda: {name: fn(boxes, scores, threshold) for name, fn in M.NMS_MISTAKES.items()},
        what="nms kept indices",
        inputs=f"boxes={show(boxes)}, scores={show(scores)}, iou_threshold={threshold}",
        hint=NMS_HINT,
    )


NMS_CASES = {
    "IoU exactly equal to the threshold": ([[0, 0, 3, 1], [1, 0, 4, 1]], [0.9, 0.8], 0.5),
    "touching boxes, threshold 0": ([[0, 0, 1, 1], [1, 0, 2, 1], [5, 5, 6, 6]], [0.5, 0.7, 0.6], 0.0),
    "a chain: the middle box is suppressed, the last is not": (
        [[0, 0, 2, 1], [1, 0, 3, 1], [2, 0, 4, 1]],
        [0.9, 0.8, 0.7],
        0.3,
    ),
    "scores in increasing order": ([[0, 0, 2, 2], [0, 0, 2, 2.5], [3, 3, 4, 4]], [0.1, 0.2, 0.3], 0.5),
    "one box": ([[1, 1, 2, 2]], [0.3], 0.5),
    "no boxes": ([], [], 0.5),
    "identical boxes": ([[0, 0, 2, 2]] * 4, [0.2, 0.9, 0.4, 0.1], 0.5),
    "threshold 1 keeps everything": ([[0, 0, 2, 2], [0, 0, 2, 2]], [0.4, 0.6], 1.0),
}


@pytest.mark.task("21.2")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(NMS_CASES))
def test_nms_edge_cases(learner, device, case, dtype):
    rows, score_list, threshold = NMS_CASES[case]
    boxes = as_tensor(rows, dtype, device)
    scores = torch.tensor(score_list, dtype=dtype, device=device)
    got = learner.run(R.call_nms, boxes, scores, threshold)
    want = torchvision.ops.nms(boxes, scores, threshold)
    check_value(
        got,
        want,
        lambda: {name: fn(boxes, scores, threshold) for name, fn in M.NMS_MISTAKES.items()},
        what=f"nms kept indices ({case})",
        inputs=f"boxes={show(boxes)}, scores={show(scores)}, iou_threshold={threshold}",
        hint=NMS_HINT,
    )


@pytest.mark.task("21.2")
@few(20)
@given(
    n=st.integers(2, 9),
    levels=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    threshold=st.sampled_from(THRESHOLDS),
    dtype=st.sampled_from(DTYPES),
)
def test_nms_with_tied_scores_keeps_a_valid_set(learner, device, n, levels, seed, threshold, dtype):
    boxes = make_boxes(n, seed, dtype, device, span=6.0, grid=True)
    tiers = torch.randint(0, levels, (n,), generator=seeded(seed + 3)).to(torch.float64)
    scores = (tiers / levels + 0.25).to(dtype=dtype, device=device)
    got = learner.run(R.call_nms, boxes, scores, threshold)
    problem = nms_violation(got, boxes, scores, threshold)
    if problem:
        lines = [
            f"nms kept indices {show(got)}: {problem}",
            f"  for boxes={show(boxes)}, scores={show(scores)} (tied), iou_threshold={threshold}",
        ]
        if nms_violation(got, boxes, scores, threshold, ge=True) is None:
            lines.append(f"  this matches a known mistake: {next(iter(M.NMS_MISTAKES))}")
        lines.append(f"  hint: {NMS_HINT}")
        raise AssertionError("\n".join(lines))


@pytest.mark.task("21.2")
@few(20)
@given(
    n=st.integers(0, 10),
    categories=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    threshold=st.sampled_from(THRESHOLDS),
    dtype=st.sampled_from(DTYPES),
)
def test_batched_nms_matches_torchvision(learner, device, n, categories, seed, threshold, dtype):
    boxes = make_boxes(n, seed, dtype, device, span=6.0, grid=True)
    scores = distinct_scores(n, seed, dtype, device)
    idxs = torch.randint(0, categories, (n,), generator=seeded(seed + 5)).to(device)
    got = learner.run(R.call_batched_nms, boxes, scores, idxs, threshold)
    want = torchvision.ops.batched_nms(boxes, scores, idxs, threshold)
    check_value(
        got,
        want,
        lambda: {name: fn(boxes, scores, idxs, threshold) for name, fn in M.BATCHED_NMS_MISTAKES.items()},
        what="batched_nms kept indices",
        inputs=f"boxes={show(boxes)}, scores={show(scores)}, idxs={show(idxs)}, iou_threshold={threshold}",
        hint="boxes of different idxs never suppress each other; return the kept indices sorted by decreasing score",
    )


# ----------------------------------------------------------------------------------------------------------- 21.3
CODER_HINT = (
    "centres cx = x1 + 0.5*w; dx = wx*(gx - px)/pw, dw = ww*log(gw/pw); decode divides by the weights and clamps dw, dh"
)


@pytest.mark.task("21.3")
@few(20)
@given(
    n=st.integers(1, 5),
    seed=st.integers(0, 2**16),
    weights=st.sampled_from(WEIGHTS),
    dtype=st.sampled_from(DTYPES),
)
def test_encode_matches_boxcoder(learner, device, n, seed, weights, dtype):
    reference_boxes = make_boxes(n, seed, dtype, device, span=40.0)
    proposals = make_boxes(n, seed + 104729, dtype, device, span=40.0)
    got = learner.run(R.call_encode, reference_boxes, proposals, weights)
    want = R.call_encode(TORCHVISION, reference_boxes, proposals, weights)
    check_result(
        got,
        want,
        mistakes_of(R.call_encode, "encode_boxes", M.ENCODE_MISTAKES, reference_boxes, proposals, weights),
        what="encode_boxes",
        inputs=f"reference_boxes={show(reference_boxes)}, proposals={show(proposals)}, weights={weights}",
        hint=CODER_HINT,
    )


@pytest.mark.task("21.3")
@few(20)
@given(
    n=st.integers(1, 5),
    seed=st.integers(0, 2**16),
    weights=st.sampled_from(WEIGHTS),
    dtype=st.sampled_from(DTYPES),
)
def test_decode_matches_boxcoder(learner, device, n, seed, weights, dtype):
    codes = make_codes(n, seed, weights, dtype, device)
    boxes = make_boxes(n, seed + 15485863, dtype, device, span=40.0)
    got = learner.run(R.call_decode, codes, boxes, weights)
    want = R.call_decode(TORCHVISION, codes, boxes, weights)
    check_result(
        got,
        want,
        mistakes_of(R.call_decode, "decode_boxes", M.DECODE_MISTAKES, codes, boxes, weights),
        what="decode_boxes",
        inputs=f"rel_codes={show(codes)}, boxes={show(boxes)}, weights={weights}",
        hint=CODER_HINT,
    )


DECODE_CASES = {
    "dw and dh beyond the clamp": (
        [[0.1, -0.2, 6.0, 9.0], [0.0, 0.0, -1.0, 5.0]],
        [[0, 0, 10, 20], [5, 5, 8, 9]],
        (1.0, 1.0, 1.0, 1.0),
    ),
    "weighted codes beyond the clamp": ([[1.0, 2.0, 30.0, 25.0]], [[10, 10, 50, 30]], (10.0, 10.0, 5.0, 5.0)),
    "zero codes give the boxes back": ([[0.0, 0.0, 0.0, 0.0]], [[3, 4, 7, 12]], (2.0, 0.5, 1.5, 3.0)),
}


@pytest.mark.task("21.3")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(DECODE_CASES))
def test_decode_edge_cases(learner, device, case, dtype):
    code_rows, box_rows, weights = DECODE_CASES[case]
    codes, boxes = as_tensor(code_rows, dtype, device), as_tensor(box_rows, dtype, device)
    got = learner.run(R.call_decode, codes, boxes, weights)
    want = R.call_decode(TORCHVISION, codes, boxes, weights)
    check_result(
        got,
        want,
        mistakes_of(R.call_decode, "decode_boxes", M.DECODE_MISTAKES, codes, boxes, weights),
        what=f"decode_boxes ({case})",
        inputs=f"rel_codes={show(codes)}, boxes={show(boxes)}, weights={weights}",
        hint=CODER_HINT,
    )


# ----------------------------------------------------------------------------------------------------------- 21.4
@pytest.mark.task("21.4")
@few(20)
@given(
    n=st.integers(1, 5),
    classes=st.integers(2, 5),
    seed=st.integers(0, 2**16),
    box_weight=st.sampled_from([None, 1.0, 0.5, 2.0]),
    dtype=st.sampled_from(DTYPES),
)
def test_detection_loss_matches_torch(learner, device, n, classes, seed, box_weight, dtype):
    gen = seeded(seed)
    logits = (torch.randn(n, classes, generator=gen, dtype=torch.float64) * 2).to(dtype=dtype, device=device)
    labels = torch.randint(0, classes, (n,), generator=gen).to(device)
    box_preds = (torch.rand(n, 4, generator=gen, dtype=torch.float64) * 4).to(dtype=dtype, device=device)
    # Differences of both signs and both regimes of smooth L1: |d| < 1 (quadratic) and |d| > 1 (linear).
    diff = torch.randn(n, 4, generator=gen, dtype=torch.float64) * 1.5
    target_boxes = (box_preds.double().cpu() + diff).to(dtype=dtype, device=device)
    got = learner.run(R.call_detection_loss, logits, box_preds, labels, target_boxes, box_weight)
    want = R.call_detection_loss(TORCHVISION, logits, box_preds, labels, target_boxes, box_weight)
    weight_text = "default box_weight" if box_weight is None else f"box_weight={box_weight}"
    check_result(
        got,
        want,
        mistakes_of(
            R.call_detection_loss,
            "detection_loss",
            M.LOSS_MISTAKES,
            logits,
            box_preds,
            labels,
            target_boxes,
            box_weight,
        ),
        what="detection_loss",
        inputs=f"class_logits={show(logits)}, box_preds={show(box_preds)}, target_labels={show(labels)}, "
        f"target_boxes={show(target_boxes)}, {weight_text}",
        hint="cross_entropy(logits, labels) + box_weight * smooth_l1(box_preds, target_boxes, beta=1), both means",
    )


# ----------------------------------------------------------------------------------------------------------- 21.5
@pytest.mark.task("21.5")
@pytest.mark.parametrize("num_classes", [3, 5])
def test_detector_output_shapes(learner, device, num_classes):
    got = learner.run(R.detector_output_shapes, num_classes, 4, device.type)
    call = f"TinyDetector({num_classes}) on images of shape (4, 3, 64, 64)"
    if not isinstance(got, Mapping) or got.get("returned") != "pair":
        returned = got.get("returned") if isinstance(got, Mapping) else type(got).__name__
        raise AssertionError(f"{call} must return (class_logits, boxes); it returned {returned}")
    problems = []
    if got["logits_shape"] != [4, num_classes]:
        problems.append(f"class_logits shape: yours {tuple(got['logits_shape'])}, expected (4, {num_classes})")
    if got["boxes_shape"] != [4, 4]:
        problems.append(f"boxes shape: yours {tuple(got['boxes_shape'])}, expected (4, 4)")
    if not got["finite"]:
        problems.append("the outputs contain NaN or inf")
    if problems:
        raise AssertionError(f"{call}: " + "; ".join(problems))


@pytest.mark.slow
@pytest.mark.task("21.5")
def test_detector_trains_to_the_pass_marks(learner, device, curves):
    images, labels, boxes = CAL.heldout_detection()
    curves.reference = reference_losses(CAL.TASK)
    result = CAL.run(learner, CAL.TASK.check_seed, device.type)
    curves.yours = losses_of(result)
    if diverged(curves.yours):
        raise AssertionError(
            "the training loss became NaN or inf: check the outputs of TinyDetector (a sigmoid on the boxes keeps them "
            "in [0, 1])"
        )
    n = images.shape[0]
    logits, pred_boxes = result["logits"], result["boxes"]
    if tuple(logits.shape) != (n, len(DETECTION_CLASSES)) or tuple(pred_boxes.shape) != (n, 4):
        raise AssertionError(
            f"on {n} held-out images TinyDetector({len(DETECTION_CLASSES)}) returned class_logits "
            f"{tuple(logits.shape)} and boxes {tuple(pred_boxes.shape)}; expected ({n}, {len(DETECTION_CLASSES)}) and "
            f"({n}, 4)"
        )
    metrics = CAL.detection_metrics(logits, pred_boxes, labels, boxes)
    missed = CAL.TASK.failed_marks(metrics)
    if not missed:
        return
    marks = CAL.PASS_MARKS
    failures = []
    if metrics["accuracy"] < marks["accuracy"]:
        text = f"class accuracy {metrics['accuracy']:.3f} < {marks['accuracy']}"
        predicted = logits.argmax(dim=1)
        if bool((predicted == predicted[0]).all()):
            name = DETECTION_CLASSES[int(predicted[0])]
            text += f" (it predicts '{name}' for every image, like a majority-class guess)"
        failures.append(text)
    if metrics["mean_iou"] < marks["mean_iou"]:
        text = f"mean IoU {metrics['mean_iou']:.3f} < {marks['mean_iou']}"
        spread = float(pred_boxes.std(dim=0).max())
        if spread < 0.02:
            text += f" (its boxes hardly change from image to image, like the mean box: std {spread:.3f} at most)"
        failures.append(text)
    structure = result.get("structure")
    text = (
        f"after the grader's training ({len(curves.yours)} steps), on {n} held-out images: {'; '.join(failures)}. "
        f"Measured: {training_curve(curves.yours, curves.reference)}. "
    )
    cause = structure_cause(
        structure, "your TinyDetector", outputs=("class logits", "boxes"), needs_batchnorm=True,
        without_batchnorm=corpus_range(CAL.TASK, "no BatchNorm2d"),
    )
    facts = structure_facts(structure, "your TinyDetector")
    if cause:
        text += cause
    elif facts:
        text += (
            f"{facts}. When a TinyDetector with BatchNorm2d trails the reference, the usual causes are a "
            "box head on globally pooled features (the position is averaged away: regress the box from the flattened "
            "map), a head cut off from the loss (.detach() or torch.no_grad() in forward), or outputs that are not "
            "what the contract says (boxes not squashed into [0, 1], probabilities instead of logits). "
        )
    raise AssertionError(text + reference_summary(replace(CAL.TASK, marks=tuple(missed))))
