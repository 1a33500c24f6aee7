"""Topic 28 (CNN): the reference against torch on worked examples, that F.unfold (allowed in 28.1) reaches no forbidden
op, the mistake models, the calibration record, and a direct run of the checks on the reference solution (every task
passes) and on the stub (every task fails)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from grader.engine import manifest
from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

C = topic_module(28, "training")
M = topic_module(28, "mistakes")

REF = load_solution(28)


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


def test_calibration_shows_the_reference_clears_the_pass_mark_with_margin():
    record = C.calibration_record(28)
    assert record, "grader/calibration/28.json is missing: run python -m grader.calibrate_vision 28"
    assert len(record["seeds"]) >= 5 and C.TRAIN_SEED in record["seeds"]
    assert C.clears_margin(28, record), record["min"]
    assert record["reference_losses"] and all(math.isfinite(v) for v in record["reference_losses"])


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_the_stub():
    assert_solution_passes_and_stub_fails(28)
