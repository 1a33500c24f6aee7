"""Topic 21 (object detection): the mistake models, the tied-score NMS validity rule, the calibration record (the
reference and the correct variants clear the marks, the broken models miss them), the structure probe, and a direct run
of the checks on the reference solution (every task passes) and on the stub (every task fails)."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision
from torchvision.models.detection._utils import BoxCoder

from grader.kit.calibration import record
from grader.kit.compare import is_close
from grader.kit.training import model_structure
from grader.kit.vision_checks import structure_cause
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

C = topic_module(21, "training")
nms_violation = topic_module(21, "support").nms_violation
M = topic_module(21, "mistakes")

REF = load_solution(21)
BOXES1 = torch.tensor([[0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 9.0, 7.0], [1.0, 0.5, 4.0, 3.0]])
BOXES2 = torch.tensor([[1.0, 1.0, 3.0, 3.0], [6.0, 0.0, 7.0, 1.0], [0.0, 0.0, 2.0, 2.0]])
WEIGHTS = (10.0, 10.0, 5.0, 5.0)


def _corpus_rows(rec):
    """{label: rows} of the reference and the correct variants in a calibration record."""
    return {label: rows for label, rows in rec.get("runs", {}).items()
            if label == "reference" or label.startswith("correct")}


def _assert_correct_models_clear_the_marks(task, number):
    rec = record(task)
    assert rec, f"{task.folder / 'calibration.json'} has no record of {task.key}: run `grade calibrate {number}`"
    assert len(rec["seeds"]) >= 5 and C.TRAIN_SEED == task.check_seed and task.check_seed in rec["seeds"]
    correct = _corpus_rows(rec)
    assert "reference" in correct and len(correct) >= 6, sorted(correct)
    thin = []
    for label, rows in correct.items():
        assert sorted(r["seed"] for r in rows) == sorted(rec["seeds"]), label
        for row in rows:
            for mark in task.marks:
                value = row[mark.metric]
                clearance = value - mark.threshold if mark.higher_is_better else mark.threshold - value
                if not clearance >= mark.margin:
                    thin.append(f"{label} seed {row['seed']}: {mark.metric} {value} ({mark.describe()}, margin "
                                f"{mark.margin})")
    assert not thin, "\n".join(thin)
    losses = rec["reference_losses"]
    assert losses and all(math.isfinite(v) for v in losses)
    return rec


def test_reference_matches_torchvision_on_a_worked_example():
    assert torch.allclose(REF.box_iou(BOXES1, BOXES2), torchvision.ops.box_iou(BOXES1, BOXES2))
    # [0,0,2,2] vs [1,1,3,3]: intersection 1, union 4 + 4 - 1 = 7.
    assert REF.box_iou(BOXES1, BOXES2)[0, 0].item() == pytest.approx(1 / 7)
    codes = REF.encode_boxes(BOXES1, BOXES2, WEIGHTS)
    assert torch.allclose(codes, BoxCoder(WEIGHTS).encode_single(BOXES1, BOXES2))
    assert torch.allclose(REF.decode_boxes(codes, BOXES2, WEIGHTS), BOXES1, atol=1e-5)


def test_model_functions_without_mistakes_are_the_contract():
    # The mistake models share one implementation with flags: with every flag off they must be the correct function.
    assert torch.allclose(M.iou(BOXES1, BOXES2), torchvision.ops.box_iou(BOXES1, BOXES2))
    scores = torch.tensor([0.9, 0.3, 0.6])
    assert torch.equal(M.greedy_nms(BOXES1, scores, 0.1), torchvision.ops.nms(BOXES1, scores, 0.1))
    assert torch.allclose(M.encode(BOXES1, BOXES2, WEIGHTS), BoxCoder(WEIGHTS).encode_single(BOXES1, BOXES2))
    codes = torch.tensor([[0.1, -0.2, 6.0, 30.0], [0.0, 0.5, -1.0, 0.2], [1.0, 1.0, 1.0, 1.0]])
    assert torch.allclose(M.decode(codes, BOXES2, WEIGHTS), BoxCoder(WEIGHTS).decode_single(codes, BOXES2))


@pytest.mark.parametrize("name", list(M.IOU_MISTAKES))
def test_each_iou_mistake_differs_from_torchvision(name):
    disjoint = torch.tensor([[0.0, 0.0, 1.0, 1.0]]), torch.tensor([[2.0, 2.0, 3.0, 3.0], [0.5, 0.0, 2.0, 1.0]])
    assert not is_close(M.IOU_MISTAKES[name](*disjoint), torchvision.ops.box_iou(*disjoint))


NMS_INPUTS = {
    "chain": (torch.tensor([[0.0, 0, 2, 1], [1, 0, 3, 1], [2, 0, 4, 1]]), torch.tensor([0.9, 0.8, 0.7]), 0.3),
    "equal to the threshold": (torch.tensor([[0.0, 0, 3, 1], [1, 0, 4, 1]]), torch.tensor([0.9, 0.8]), 0.5),
    "increasing scores": (
        torch.tensor([[0.0, 0, 2, 2], [0, 0, 2, 2.5], [3, 3, 4, 4]]),
        torch.tensor([0.1, 0.2, 0.3]),
        0.5,
    ),
    "touching": (torch.tensor([[0.0, 0, 1, 1], [1, 0, 2, 1]]), torch.tensor([0.5, 0.7]), 0.0),
    "disjoint on both axes": (torch.tensor([[0.0, 0, 1, 1], [2, 2, 3, 3]]), torch.tensor([0.5, 0.7]), 0.25),
}


@pytest.mark.parametrize("name", list(M.NMS_MISTAKES))
def test_each_nms_mistake_differs_somewhere(name):
    # Each mistake changes the kept set on at least one of the checks' fixed cases.
    differs = [
        case
        for case, (boxes, scores, thr) in NMS_INPUTS.items()
        if not torch.equal(M.NMS_MISTAKES[name](boxes, scores, thr), torchvision.ops.nms(boxes, scores, thr))
    ]
    assert differs


@pytest.mark.parametrize("name", list(M.BATCHED_NMS_MISTAKES))
def test_each_batched_nms_mistake_differs(name):
    boxes = torch.tensor([[0.0, 0, 2, 2], [0, 0, 2, 2], [5, 5, 6, 6]])
    scores, idxs = torch.tensor([0.3, 0.1, 0.5]), torch.tensor([1, 0, 1])
    want = torchvision.ops.batched_nms(boxes, scores, idxs, 0.5)
    assert not torch.equal(M.BATCHED_NMS_MISTAKES[name](boxes, scores, idxs, 0.5), want)


@pytest.mark.parametrize("name", list(M.ENCODE_MISTAKES))
def test_each_encode_mistake_differs(name):
    want = BoxCoder(WEIGHTS).encode_single(BOXES1, BOXES2)
    assert not is_close(M.ENCODE_MISTAKES[name](BOXES1, BOXES2, WEIGHTS), want)


@pytest.mark.parametrize("name", list(M.DECODE_MISTAKES))
def test_each_decode_mistake_differs(name):
    codes = torch.tensor([[0.1, -0.2, 30.0, 1.0], [0.5, 0.5, -1.0, 0.2], [1.0, 1.0, 1.0, 1.0]])
    assert not is_close(M.DECODE_MISTAKES[name](codes, BOXES2, WEIGHTS), BoxCoder(WEIGHTS).decode_single(codes, BOXES2))


@pytest.mark.parametrize("name", list(M.LOSS_MISTAKES))
def test_each_loss_mistake_differs(name):
    logits, labels = torch.tensor([[2.0, -1.0], [0.5, 0.5]]), torch.tensor([0, 1])
    preds = torch.tensor([[0.0, 0.2, 1.0, 3.0], [1.0, 1.0, 1.0, 1.0]])
    targets = torch.tensor([[0.3, 0.0, 2.5, 1.0], [1.1, 0.9, 1.0, 4.0]])
    want = REF.detection_loss(logits, preds, labels, targets)
    assert not is_close(M.LOSS_MISTAKES[name](logits, preds, labels, targets), want)


def test_tied_score_rule_accepts_every_tie_break_and_rejects_invalid_sets():
    boxes = torch.tensor([[0.0, 0, 2, 2], [0, 0, 2, 2], [5, 5, 6, 6]])
    scores = torch.tensor([0.5, 0.5, 0.2])
    for keep in ([0, 2], [1, 2]):  # either twin may survive a tie
        assert nms_violation(torch.tensor(keep), boxes, scores, 0.5) is None
    assert "not sorted" in nms_violation(torch.tensor([2, 0]), boxes, scores, 0.5)
    assert "both kept" in nms_violation(torch.tensor([0, 1, 2]), boxes, scores, 0.5)
    assert "dropped" in nms_violation(torch.tensor([0]), boxes, scores, 0.5)
    assert "int64" in nms_violation(torch.tensor([0.0, 2.0]), boxes, scores, 0.5)


def test_calibration_shows_the_reference_and_correct_variants_clear_the_marks_with_margin():
    rec = _assert_correct_models_clear_the_marks(C.TASK, 21)
    assert len(rec["reference_losses"]) == 188  # 4 epochs of 47 batches of the one-cycle loop


def test_calibration_shows_each_broken_model_misses_a_mark_on_every_seed():
    rec = record(C.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    assert any("no BatchNorm2d" in label for label in broken)  # the message's no-BatchNorm claim rests on this run
    for label, rows in broken.items():
        assert all(not C.TASK.passes(row) for row in rows), label


def test_structure_probe_names_a_constant_detector_and_counts_its_modules():
    torch.manual_seed(0)
    correct = model_structure(REF.TinyDetector(3), C.heldout_detection()[0][:16])
    assert correct["counts"]["BatchNorm2d"] == 4 and correct["constant"] == [False, False]
    assert structure_cause(correct, "your TinyDetector", needs_batchnorm=True) is None

    class Blind(REF.TinyDetector):  # buggy/majority_class.py: sees nothing
        def forward(self, images):
            features = self.features(images) * 0
            return self.classifier(features.mean(dim=(2, 3))), torch.sigmoid(self.box_head(features))

    blind = model_structure(Blind(3), C.heldout_detection()[0][:16])
    assert blind["constant"] == [True, True]
    cause = structure_cause(blind, "your TinyDetector", outputs=("class logits", "boxes"), needs_batchnorm=False)
    assert cause.startswith("Your TinyDetector's class logits and boxes were the same for every input")


def test_detection_metrics_score_a_perfect_and_a_constant_answer():
    _, labels, boxes = C.heldout_detection()
    logits = torch.nn.functional.one_hot(labels, 3).float()
    assert C.detection_metrics(logits, boxes, labels, boxes) == {"accuracy": 1.0, "mean_iou": pytest.approx(1.0)}
    constant = C.detection_metrics(torch.zeros_like(logits), boxes.mean(0).expand_as(boxes), labels, boxes)
    assert constant["accuracy"] < 0.5 and constant["mean_iou"] < 0.5


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(21)
