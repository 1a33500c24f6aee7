"""Topic 22 (segmentation): worked examples of the reference, the mistake models, the calibration record (the
reference and the correct variants clear the mark, the broken models miss it), the structure summary, and a direct run
of the checks on the reference solution (every task passes) and on the stub (every task fails)."""

from __future__ import annotations

import math

import pytest
import torch

from grader.kit.calibration import record
from grader.kit.compare import is_close
from grader.kit.training import model_structure
from grader.kit.vision_checks import structure_cause, structure_facts
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

C = topic_module(22, "training")
M = topic_module(22, "mistakes")

REF = load_solution(22)
PRED = torch.tensor([[[0, 1, 1], [2, 2, 0]], [[1, 1, 0], [0, 0, 0]]])
TARGET = torch.tensor([[[0, 1, 255], [2, 1, 0]], [[1, 0, 0], [0, 255, 0]]])


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


def test_confusion_matrix_rows_are_the_target():
    cm = REF.confusion_matrix(torch.tensor([2, 0]), torch.tensor([1, 1]), 3)
    assert cm.tolist() == [[0, 0, 0], [1, 0, 1], [0, 0, 0]] and cm.dtype == torch.int64


def test_mean_iou_worked_example():
    # Valid pixels (target != 255): 10. Class 0: TP 5, FN 1 (a 0 predicted 1), FP 0 -> 5/6; class 1: TP 2, FN 1
    # (a 1 predicted 2), FP 1 (the 0 predicted 1) -> 2/4; class 2: TP 1, FP 1 -> 1/2. Correct pixels: 8 of 10.
    miou, iou = REF.mean_iou(PRED, TARGET, 3)
    assert iou.dtype == torch.float32 and miou.dim() == 0
    assert torch.allclose(iou, torch.tensor([5 / 6, 2 / 4, 1 / 2]))
    assert miou.item() == pytest.approx((5 / 6 + 0.5 + 0.5) / 3)
    assert REF.pixel_accuracy(PRED, TARGET).item() == pytest.approx(8 / 10)


def test_absent_class_is_nan_and_left_out_of_the_mean():
    miou, iou = REF.mean_iou(torch.tensor([0, 1]), torch.tensor([0, 0]), 3)
    assert torch.isnan(iou[2]) and iou[1].item() == 0.0
    assert miou.item() == pytest.approx(0.25)


def test_dice_loss_worked_example():
    # One pixel, two classes, target 0, logits giving p = (0.75, 0.25): dice_0 = (1.5 + 1) / (1.75 + 1),
    # dice_1 = (0 + 1) / (0.25 + 1); a second pixel ignored.
    logits = torch.log(torch.tensor([[0.75, 0.5], [0.25, 0.5]])).reshape(1, 2, 1, 2)
    target = torch.tensor([[[0, 255]]])
    want = 1 - ((2.5 / 2.75) + (1 / 1.25)) / 2
    assert REF.dice_loss(logits, target, ignore_index=255).item() == pytest.approx(want)


@pytest.mark.parametrize("name", list(M.DICE_MISTAKES))
def test_each_dice_mistake_differs(name):
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 3, 3, generator=gen)
    target = torch.randint(0, 3, (2, 3, 3), generator=gen)
    target[0, 0, :2] = 255
    want = REF.dice_loss(logits, target, ignore_index=255)
    assert not is_close(M.DICE_MISTAKES[name](logits, target, 1.0, 255), want)


def test_mistake_models_without_flags_are_the_contract():
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 3, 2, 2, generator=gen)
    target = torch.randint(0, 3, (2, 2, 2), generator=gen)
    assert torch.allclose(M.dice(logits, target), REF.dice_loss(logits, target))
    assert torch.equal(M.confusion(PRED, TARGET, 3), REF.confusion_matrix(PRED, TARGET, 3))
    assert is_close(list(M.iou_parts(PRED, TARGET, 3)), list(REF.mean_iou(PRED, TARGET, 3)))


@pytest.mark.parametrize("name", list(M.MEAN_IOU_MISTAKES))
def test_each_mean_iou_mistake_differs(name):
    target = torch.tensor([[0, 1, 255], [1, 1, 0]])
    pred = torch.tensor([[0, 0, 1], [1, 2, 0]])
    assert not is_close(list(M.MEAN_IOU_MISTAKES[name](pred, target, 4)), list(REF.mean_iou(pred, target, 4)))


def test_confusion_and_accuracy_mistakes_differ():
    for f in M.CONFUSION_MISTAKES.values():
        assert not torch.equal(f(PRED, TARGET, 3), REF.confusion_matrix(PRED, TARGET, 3))
    for f in M.PIXEL_ACCURACY_MISTAKES.values():
        assert not is_close(f(PRED, TARGET), REF.pixel_accuracy(PRED, TARGET))


def test_unet_keeps_the_size_for_several_depths():
    for depth, size in ((1, 6), (2, 12), (3, 16)):
        net = REF.UNet(3, 5, base_channels=4, depth=depth).eval()
        assert net(torch.rand(1, 3, size, size)).shape == (1, 5, size, size)


def test_calibration_shows_the_reference_and_correct_variants_clear_the_mark_with_margin():
    rec = _assert_correct_models_clear_the_marks(C.TASK, 22)
    assert len(rec["reference_losses"]) == 96  # 3 epochs of 32 batches of the one-cycle loop


def test_calibration_shows_no_skips_and_no_batchnorm_miss_the_mark_on_every_seed():
    rec = record(C.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    for name in ("no skip connections", "no BatchNorm2d"):  # what the stub and the message say about them
        label = next(label for label in broken if label.startswith(f"broken: {name}"))
        assert all(not C.TASK.passes(row) for row in broken[label]), label
    for label, rows in broken.items():
        assert all(not C.TASK.passes(row) for row in rows), label


def test_structure_names_missing_batchnorm_only_when_there_is_no_batchnorm_module():
    images = C.heldout_segmentation()[0][:8]
    torch.manual_seed(0)
    with_bn = model_structure(REF.UNet(3, 4, base_channels=16, depth=2), images)
    assert with_bn["counts"]["BatchNorm2d"] == 10 and with_bn["affine_residual"] > 0.01
    assert structure_cause(with_bn, "your UNet", needs_batchnorm=True) is None
    assert structure_facts(with_bn, "your UNet") == (
        "Your UNet has 11 Conv2d, 2 ConvTranspose2d, 10 BatchNorm2d and 0 Linear modules")
    without = dict(with_bn, counts={**with_bn["counts"], "BatchNorm2d": 0})
    cause = structure_cause(without, "your UNet", needs_batchnorm=True, without_batchnorm="miou 0.8-0.85")
    assert cause.startswith("Your UNet has no nn.BatchNorm2d module (11 Conv2d, 2 ConvTranspose2d, 0 BatchNorm2d")
    assert "failed on every seed: miou 0.8-0.85" in cause
    assert "no nn.BatchNorm2d" not in (structure_cause(without, "your UNet", needs_batchnorm=False) or "")


def test_segmentation_metrics_score_a_perfect_and_a_constant_mask():
    _, masks = C.heldout_segmentation()
    assert C.segmentation_metrics(masks, masks)["miou"] == pytest.approx(1.0)
    assert C.segmentation_metrics(torch.zeros_like(masks), masks)["miou"] < 0.3


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(22)
