"""Topic 28 (CNN): the reference against torch on worked examples, that F.unfold (allowed in 28.1) reaches no forbidden
op, the mistake models, the calibration record (the reference and the correct variants clear the marks), the
affine-model probe, and a direct run of the checks on the reference solution (every task passes) and on the stub
(every task fails)."""

from __future__ import annotations

import math
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from grader.engine import manifest
from grader.kit.calibration import compose, record
from grader.kit.compare import is_close
from grader.kit.training import model_structure
from grader.kit.vision_checks import structure_cause
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

C = topic_module(28, "training")
M = topic_module(28, "mistakes")

REF = load_solution(28)
REF_PATH = manifest.topic(28).solution_path


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


class OpLog(TorchDispatchMode):
    """Records the aten ops dispatched while active."""

    def __init__(self):
        super().__init__()
        self.ops: set[str] = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.add(func._schema.name.split("::")[-1])
        return func(*args, **(kwargs or {}))


def forbidden_aten(task_id: str) -> set[str]:
    """The torch.ops.aten op names the task forbids."""
    return {n.split(".")[-1] for n in manifest.find_task(task_id)[1].forbidden if n.startswith("torch.ops.aten.")}


@pytest.mark.parametrize("task_id", ["28.1", "28.2"])
def test_reference_reaches_no_forbidden_aten_op_forward_or_backward(task_id):
    x = torch.randn(2, 4, 7, 7, requires_grad=True)
    with OpLog() as log:
        if task_id == "28.1":
            w = torch.randn(6, 2, 3, 2, requires_grad=True)
            out = REF.conv2d(x, w, torch.randn(6), stride=(2, 1), padding="valid", dilation=2, groups=2)
        else:
            out = REF.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        out.sum().backward()
    assert "im2col" in log.ops or "unfold" in log.ops
    assert not (log.ops & forbidden_aten(task_id)), log.ops & forbidden_aten(task_id)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_reference_conv2d_and_pool_match_torch_on_a_worked_example():
    x, w = torch.randn(1, 2, 6, 5, dtype=torch.float64), torch.randn(4, 1, 2, 3, dtype=torch.float64)
    for kwargs in ({"padding": "same", "groups": 2}, {"stride": 2, "padding": (1, 0), "dilation": (1, 2), "groups": 2}):
        assert torch.allclose(REF.conv2d(x, w, **kwargs), F.conv2d(x, w, **kwargs))
    assert torch.equal(REF.max_pool2d(x, 2, ceil_mode=True), F.max_pool2d(x, 2, ceil_mode=True))
    assert REF.conv_output_size(32, 5) == 28 and REF.conv_output_size(7, 3, stride=2, padding=1, dilation=2) == 3


def test_lenet_has_the_classic_parameter_count():
    assert sum(p.numel() for p in REF.LeNet5().parameters()) == 61_706 == M.lenet_parameter_count()
    assert sum(p.numel() for p in REF.LeNet5(5, 3).parameters()) == M.lenet_parameter_count(5, 3)


@pytest.mark.parametrize("name", list(M.CONV_MISTAKES))
def test_each_conv_mistake_differs_from_torch(name):
    x, w = torch.randn(1, 2, 6, 6), torch.randn(2, 2, 2, 3)
    cases = [{"padding": "same"}, {"padding": 1, "dilation": 2}, {}]
    assert any(not is_close(M.CONV_MISTAKES[name](x, w, None, **kw), F.conv2d(x, w, None, **kw)) for kw in cases)


@pytest.mark.parametrize("name", list(M.POOL_MISTAKES))
def test_each_pool_mistake_differs_from_torch(name):
    x = -torch.rand(1, 1, 5, 5) - 0.5
    cases = [
        ((2,), {"ceil_mode": True}),
        ((3,), {"stride": 2, "padding": 1}),
        ((2,), {"dilation": 2, "stride": 1}),
        ((2,), {}),
    ]
    assert any(not is_close(M.POOL_MISTAKES[name](x, *a, **kw), F.max_pool2d(x, *a, **kw)) for a, kw in cases)


def test_zero_padding_model_matches_torch_without_padding():
    x = torch.randn(1, 2, 7, 6)
    for kw in ({"ceil_mode": True}, {"stride": 3, "ceil_mode": True}, {}):
        assert torch.equal(M.pool_zero_padding(x, 2, **kw), F.max_pool2d(x, 2, **kw))


@pytest.mark.parametrize("name", list(M.OUTPUT_SIZE_MISTAKES))
def test_each_output_size_mistake_differs(name):
    args = [(32, 5, 1, 0, 1), (10, 3, 2, 1, 2), (9, 2, 2, 0, 1), (8, 3, 1, 2, 1)]
    assert any(M.OUTPUT_SIZE_MISTAKES[name](*a) != REF.conv_output_size(*a) for a in args)


@pytest.mark.parametrize("name", list(M.LENET_COUNT_MISTAKES))
def test_each_lenet_count_mistake_differs(name):
    assert M.LENET_COUNT_MISTAKES[name](10, 1) != 61_706


def test_calibration_shows_the_reference_and_correct_variants_clear_the_marks_with_margin():
    rec = _assert_correct_models_clear_the_marks(C.TASK, 28)
    assert len(rec["reference_losses"]) == 252  # 4 epochs of 63 batches of the one-cycle loop


def test_calibration_shows_the_affine_mark_catches_the_linear_lenet_on_every_seed():
    rows = next(rows for label, rows in record(C.TASK)["runs"].items() if label.startswith("broken: no nonlinearity"))
    assert rows and all(not C.NONLINEAR.passes(row["affine_residual"]) for row in rows)
    assert all(row["affine_residual"] <= C.NONLINEAR.threshold - C.NONLINEAR.margin for row in rows)


def _variant(name):
    """The reference solution with variants/<name>.py appended, as a module."""
    module = ModuleType(f"variant_28_{name}")
    exec(compile(compose(REF_PATH, C.FOLDER / "variants" / f"{name}.py"), name, "exec"), module.__dict__)
    return module


def _affine_residual(module):
    torch.manual_seed(0)
    return model_structure(module.LeNet5(10, 1), C.heldout_glyphs()[0][:16])["affine_residual"]


def test_affine_probe_catches_a_linear_lenet():
    residual = _affine_residual(_variant("broken_no_nonlinearity"))
    assert residual < C.NONLINEAR.threshold - C.NONLINEAR.margin
    assert C.NONLINEAR in C.TASK.failed_marks({"accuracy": 0.99, "affine_residual": residual})
    structure = {"counts": {"Conv2d": 3, "Linear": 2}, "constant": [False], "affine_residual": residual}
    cause = structure_cause(structure, "your LeNet5", affine_below=C.NONLINEAR.threshold, needs_batchnorm=False)
    assert cause.startswith("Your LeNet5's output is an affine function of its input")


@pytest.mark.parametrize("name", [None, "tanh", "relu_avgpool", "leaky_orthogonal"])
def test_affine_probe_passes_a_correct_lenet(name):
    residual = _affine_residual(REF if name is None else _variant(name))
    assert residual > C.NONLINEAR.threshold + C.NONLINEAR.margin
    assert C.TASK.passes({"accuracy": 0.99, "affine_residual": residual})


def test_affine_probe_reports_a_constant_lenet_as_constant_and_a_failed_probe_as_nothing():
    torch.manual_seed(0)
    structure = model_structure(_variant("broken_majority_class").LeNet5(10, 1), C.heldout_glyphs()[0][:16])
    assert structure["constant"] == [True] and structure["affine_residual"] == 0.0
    assert "was the same for every input" in structure_cause(structure, "your LeNet5", needs_batchnorm=False)
    failed = model_structure(REF.LeNet5(10, 1), torch.zeros(4, 3, 32, 32))  # wrong channel count: the probe fails
    assert set(failed) == {"error"}
    assert C.affine_residual({"structure": failed}) == float("inf") and C.NONLINEAR.passes(float("inf"))


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(28)
