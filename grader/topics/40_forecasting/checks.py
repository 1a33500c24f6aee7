"""Checks for topic 40: sliding_windows (40.1), chronological_split (40.2) and a Forecaster trained on synthetic
seasonal series (40.3).

40.1 is "same as Tensor.unfold": series.unfold(0, input_length + horizon, stride) split at input_length (time first
for (T, C) series), values exact in float32 and float64 and the gradient wrt the series. 40.2 is checked by its rules
(statistics of the training part, each part windowed on its own) and by a leak detector: the series is changed after
train_end (after val_end) and the training (validation) windows and the statistics must stay exactly the same.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Mapping

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.checks import few, known, randn, require
from grader.kit.compare import assert_same, mismatch

from . import data as seasonal
from . import mistakes as M
from . import recipes as R
from . import training as T

DTYPES = [torch.float32, torch.float64]
FEW = few(15)


def unfold_windows(series: torch.Tensor, input_length: int, horizon: int, stride: int = 1):
    """torch's own windows: Tensor.unfold along time, moved back to time first, split at input_length."""
    size = input_length + horizon
    if series.shape[0] < size:  # unfold refuses a window longer than the series
        tail = tuple(series.shape[1:])
        return series.new_zeros((0, input_length, *tail)), series.new_zeros((0, horizon, *tail))
    w = series.unfold(0, size, stride)
    if series.dim() == 2:
        w = w.movedim(-1, 1)
    return w[:, :input_length], w[:, input_length:]


TORCH = SimpleNamespace(sliding_windows=unfold_windows)


# ----------------------------------------------------------------------------------------------------------- 40.1
def describe_windows(series, input_length, horizon, stride) -> str:
    kind = f"series of shape {tuple(series.shape)} ({series.dtype})"
    return kind + f", input_length={input_length}, horizon={horizon}" + ("" if stride is None else f", stride={stride}")


def check_windows(learner, series, input_length, horizon, stride) -> None:
    got = learner.run(R.call_windows, series, input_length, horizon, stride)
    want = R.call_windows(TORCH, series, input_length, horizon, stride)
    where = describe_windows(series, input_length, horizon, stride)
    out = got["out"]
    require(isinstance(out, list) and len(out) == 2, (
        f"sliding_windows returned {out!r}; expected a pair (inputs, targets)\n  for {where}"))
    table = known(R.call_windows, M.WINDOW_MISTAKES, "sliding_windows", series, input_length, horizon, stride)
    for i, name in enumerate(("inputs", "targets")):
        assert_same(out[i], want["out"][i], what=f"sliding_windows(...) {name}", inputs=where,
                    mistakes={k: v["out"][i] for k, v in table.items()})
    # No gradient at all (no window, so nothing depends on the series) is a gradient of zeros.
    zeros = torch.zeros_like(series)
    mine, theirs = got["grads"]["series"], want["grads"]["series"]
    hint = ("your windows do not depend on the series through autograd (built from Python numbers?)"
            if mine is None and theirs is not None and bool(theirs.any()) else "")
    assert_same(zeros if mine is None else mine, zeros if theirs is None else theirs, what="gradient wrt the series",
                inputs=where, hint=hint)


@st.composite
def window_case(draw) -> dict[str, Any]:
    channels = draw(st.one_of(st.none(), st.integers(1, 3)))
    return dict(length=draw(st.integers(0, 20)), channels=channels, input_length=draw(st.integers(1, 5)),
                horizon=draw(st.integers(1, 4)), stride=draw(st.one_of(st.none(), st.integers(1, 4))))


@pytest.mark.task("40.1")
@FEW
@given(case=window_case(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def test_windows_match_unfold(learner, device, case, seed, dtype):
    shape = (case["length"],) if case["channels"] is None else (case["length"], case["channels"])
    series = randn(shape, seed, dtype, device)
    check_windows(learner, series, case["input_length"], case["horizon"], case["stride"])


WINDOW_CASES = {
    "exactly one window (T = input_length + horizon)": dict(shape=(7,), args=(4, 3, None)),
    "too short for a window": dict(shape=(6,), args=(4, 3, None)),
    "stride 3 leaves a 2-step tail": dict(shape=(16,), args=(4, 2, 3)),
    "the last window ends exactly at T with stride 2": dict(shape=(12,), args=(3, 1, 2)),
    "(T, C) series, channels last": dict(shape=(10, 2), args=(3, 2, 1)),
    "(T, C) series too short": dict(shape=(3, 4), args=(3, 1, 2)),
}


@pytest.mark.task("40.1")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(WINDOW_CASES), ids=list(WINDOW_CASES))
def test_windows_cases(learner, device, case, dtype):
    spec = WINDOW_CASES[case]
    series = torch.arange(math.prod(spec["shape"]), dtype=dtype, device=device).reshape(spec["shape"])
    check_windows(learner, series, *spec["args"])


# ----------------------------------------------------------------------------------------------------------- 40.2
SPLIT_KEYS = ["train", "val", "test", "mean", "std"]


def describe_split(series, input_length, horizon, train_end, val_end, stride) -> str:
    return (f"a trending series of shape {tuple(series.shape)} ({series.dtype}), input_length={input_length}, "
            f"horizon={horizon}, train_end={train_end}, val_end={val_end}" + ("" if stride is None else
                                                                            f", stride={stride}"))


def split_output(learner, args, where: str) -> Mapping[str, Any]:
    got = learner.run(R.call_split, *args)
    require(isinstance(got, Mapping), f"chronological_split returned {type(got).__name__}, expected a dict\n  for "
                                      f"{where}")
    require(sorted(got) == sorted(SPLIT_KEYS), (
        f"chronological_split returned the keys {sorted(got)}; expected exactly {SPLIT_KEYS}\n  for {where}"))
    for part in ("train", "val", "test"):
        require(isinstance(got[part], list) and len(got[part]) == 2, (
            f"chronological_split(...)[{part!r}] is {got[part]!r}; expected a pair (inputs, targets)\n  for {where}"))
    return got


def check_split(learner, reference, series, input_length, horizon, train_end, val_end, stride) -> None:
    args = (series, input_length, horizon, train_end, val_end, stride)
    where = describe_split(*args)
    got = split_output(learner, args, where)
    want = R.call_split(reference, *args)
    table = known(R.call_split, M.SPLIT_MISTAKES, "chronological_split", *args)
    for key in ("mean", "std"):
        assert_same(got[key], want[key], what=f"chronological_split(...)[{key!r}]", inputs=where,
                    mistakes={k: v[key] for k, v in table.items()})
    for part in ("train", "val", "test"):
        for i, name in enumerate(("inputs", "targets")):
            assert_same(got[part][i], want[part][i], what=f"chronological_split(...)[{part!r}] {name}",
                        inputs=where, mistakes={k: v[part][i] for k, v in table.items()})


SPLIT_CASES = {
    "(T,) series": dict(length=60, channels=None, args=(6, 3, 36, 48, None)),
    "(T, C) series, per-channel statistics": dict(length=50, channels=3, args=(5, 2, 30, 40, None)),
    "stride 2": dict(length=61, channels=None, args=(4, 3, 33, 47, 2)),
    "no validation part (val_end = train_end)": dict(length=40, channels=None, args=(4, 2, 30, 30, None)),
    "a test part too short for a window": dict(length=45, channels=2, args=(5, 3, 30, 40, 1)),
}


@pytest.mark.task("40.2")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(SPLIT_CASES), ids=list(SPLIT_CASES))
def test_split_cases(learner, reference, device, case, dtype):
    spec = SPLIT_CASES[case]
    series = seasonal.trending_series(spec["length"], seed=3, channels=spec["channels"]).to(dtype=dtype,
                                                                                             device=device)
    check_split(learner, reference, series, *spec["args"])


@pytest.mark.task("40.2")
@few(10)
@given(length=st.integers(4, 40), channels=st.one_of(st.none(), st.integers(1, 2)),
       input_length=st.integers(1, 4), horizon=st.integers(1, 3), stride=st.one_of(st.none(), st.integers(1, 3)),
       cuts=st.tuples(st.floats(0.3, 0.8), st.floats(0.0, 1.0)), seed=st.integers(0, 2**16))
def test_split_matches_the_rules(learner, reference, device, length, channels, input_length, horizon, stride, cuts,
                                 seed):
    train_end = max(2, int(length * cuts[0]))
    val_end = train_end + int((length - train_end) * cuts[1])
    series = seasonal.trending_series(length, seed, channels).to(dtype=torch.float64, device=device)
    check_split(learner, reference, series, input_length, horizon, train_end, val_end, stride)


LEAK_CASES = {
    "(T,) series": dict(length=60, channels=None, args=(6, 3, 36, 48)),
    "(T, C) series": dict(length=50, channels=2, args=(5, 2, 30, 40)),
}


@pytest.mark.task("40.2")
@pytest.mark.parametrize("case", list(LEAK_CASES), ids=list(LEAK_CASES))
def test_split_never_reads_the_future(learner, reference, device, case):
    """The leak detector: change the series after train_end (after val_end); what the model may see before that time
    (the statistics, the training windows; the validation windows too) must not change at all."""
    spec = LEAK_CASES[case]
    input_length, horizon, train_end, val_end = spec["args"]
    series = seasonal.trending_series(spec["length"], seed=5, channels=spec["channels"]).to(torch.float64).to(device)
    where = describe_split(series, input_length, horizon, train_end, val_end, None)
    base = split_output(learner, (series, input_length, horizon, train_end, val_end, None), where)
    for cut, seen in ((train_end, ("mean", "std", "train")), (val_end, ("mean", "std", "train", "val"))):
        future = series.clone()
        future[cut:] = future[cut:] * 3 + 10  # a different future: a jump and a steeper trend
        changed = split_output(learner, (future, input_length, horizon, train_end, val_end, None), where)
        table = {}
        if cut == train_end:
            leak = next(iter(M.SPLIT_MISTAKES))  # the whole-series statistics
            table = {leak: M.SPLIT_MISTAKES[leak](future, input_length, horizon, train_end, val_end)}
        for key in seen:
            for i, got_now in enumerate([changed[key]] if key in ("mean", "std") else changed[key]):
                before = base[key] if key in ("mean", "std") else base[key][i]
                label = key if key in ("mean", "std") else f"{key!r} {('inputs', 'targets')[i]}"
                if mismatch(got_now, before, rtol=0, atol=0) is None:
                    continue
                named = {k: (v[key] if key in ("mean", "std") else v[key][i]) for k, v in table.items()}
                assert_same(got_now, before, rtol=0, atol=0, mistakes=named,
                            what=f"your {label} changed when only the series from step {cut} on changed "
                                 f"(x * 3 + 10 there): it reads values after step {cut - 1}, the future",
                            inputs=where + "; compared with your own result on the unchanged series")


# ----------------------------------------------------------------------------------------------------------- 40.3
@pytest.mark.task("40.3")
@pytest.mark.parametrize("kwargs", [dict(input_length=36, horizon=12), dict(input_length=8, horizon=3)],
                         ids=["36-12", "8-3"])
def test_forecaster_output(learner, device, kwargs):
    x = randn((5, kwargs["input_length"]), 4, device=device)
    out = learner.run(R.forecaster_output, kwargs, x)
    where = f"Forecaster(input_length={kwargs['input_length']}, horizon={kwargs['horizon']}) on x of shape (5, " \
            f"{kwargs['input_length']})"
    require(isinstance(out, torch.Tensor), f"{where} returned {out!r}, expected a tensor of forecasts")
    require(tuple(out.shape) == (5, kwargs["horizon"]), (
        f"forecast shape: yours {tuple(out.shape)}, expected (5, {kwargs['horizon']}) (B, horizon) for {where}"))
    require(bool(torch.isfinite(out).all()), f"forecasts are not all finite for {where}")


@pytest.mark.slow
@pytest.mark.task("40.3")
def test_forecaster_beats_the_seasonal_naive_baseline(learner, device, curves):
    inputs, targets = T.heldout(T.TASK.check_seed)
    result = T.run(learner, T.TASK.check_seed, device.type)
    curves.reference = reference_losses(T.TASK)
    curves.label = "MSE"
    require(isinstance(result, Mapping), f"training returned {type(result).__name__}")
    curves.yours = [float(v) for v in result.get("losses", [])]
    if any(not math.isfinite(v) for v in curves.yours):
        raise AssertionError("the training loss became NaN or inf")
    predictions = result.get("predictions")
    require(isinstance(predictions, torch.Tensor) and tuple(predictions.shape) == tuple(targets.shape), (
        f"forecasts of shape {tuple(getattr(predictions, 'shape', ()))} for the held-out windows, expected "
        f"{tuple(targets.shape)}"))
    m = T.measure(result, T.TASK.check_seed)
    if T.TASK.passes(m):
        return
    text = (f"held-out MSE {m['mse']:.4f} is {m['mse_ratio']:.3f} x the seasonal-naive forecast's "
            f"{m['seasonal_naive_mse']:.4f} (needs <= {T.PASS_MARK}); repeating the last value scores "
            f"{m['last_value_mse']:.4f}. Measured on {len(targets)} held-out windows after the grader's training "
            f"({R.EPOCHS} epochs, Adam lr {R.LR}); final training MSE "
            f"{curves.yours[-1] if curves.yours else float('nan'):.4f}.")
    if m["mse"] >= 0.9 * m["last_value_mse"]:
        text += " Your forecasts score about as well as repeating the last value, or worse."
    raise AssertionError(text + " " + reference_summary(T.TASK))
