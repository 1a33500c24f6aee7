"""Topic 40 (time-series forecasting): the seasonal series generator, the grader's own windows and baselines, the
mistake models (each differs from the contract where the checks use it, the flag-free model is the contract), the leak
the 40.2 detector is built on, and a direct run of the checks on the reference (every task passes) and the stub
(every task fails)."""

from __future__ import annotations

import math

import pytest
import torch

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(40, "data")
M = topic_module(40, "mistakes")
T = topic_module(40, "training")
REF = load_solution(40)


# --- data -------------------------------------------------------------------------------------------------------
def test_series_are_deterministic_and_shaped():
    a, b, c = D.make_series(4, 50, seed=1), D.make_series(4, 50, seed=1), D.make_series(4, 50, seed=2)
    assert a.shape == (4, 50) and a.dtype == torch.float32
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert D.make_series(0, 10, 0).shape == (0, 10)
    with pytest.raises(ValueError):
        D.make_series(-1, 10, 0)


def test_series_are_seasonal_with_the_stated_period():
    clean = D.make_series(64, 10 * D.PERIOD, seed=3, noise=0.0, slope=0.0)
    assert torch.allclose(clean[:, D.PERIOD:], clean[:, :-D.PERIOD], atol=1e-5)  # exactly periodic without noise
    assert not torch.allclose(clean[:, 1:], clean[:, :-1], atol=0.1)
    noise = D.make_series(64, 10 * D.PERIOD, seed=3, slope=0.0) - clean  # same seed, same draws: only the noise
    assert abs(float(noise.std()) - D.NOISE) < 0.02
    trend = D.make_series(64, 10 * D.PERIOD, seed=3, noise=0.0) - clean
    slopes = trend[:, -1] / (10 * D.PERIOD - 1)
    assert float(slopes.abs().max()) <= D.SLOPE + 1e-6 and float(slopes.abs().max()) > D.SLOPE / 2


def test_trending_series_statistics_differ_between_the_training_part_and_the_whole():
    for channels in (None, 2):
        s = D.trending_series(60, seed=5, channels=channels)
        assert s.shape == ((60,) if channels is None else (60, channels))
        assert bool((s.mean(0) - s[:36].mean(0) > 0.5).all())


def test_grader_windows_and_task_follow_the_contract():
    series = D.make_series(3, 40, seed=0)
    x, y = D.windows(series, 6, 2)
    parts = [REF.sliding_windows(s, 6, 2) for s in series]
    assert torch.equal(x, torch.cat([p[0] for p in parts])) and torch.equal(y, torch.cat([p[1] for p in parts]))
    task = D.forecasting_task(1)
    per_series = (D.TRAIN_END - D.INPUT_LENGTH - D.HORIZON + 1, D.TOTAL_LENGTH - D.TRAIN_END - D.INPUT_LENGTH
                  - D.HORIZON + 1)
    assert task["train"][0].shape == (D.N_SERIES * per_series[0], D.INPUT_LENGTH)
    assert task["test"][1].shape == (D.N_SERIES * per_series[1], D.HORIZON)
    raw = D.make_series(D.N_SERIES, D.TOTAL_LENGTH, 1)
    split = REF.chronological_split(raw[0], D.INPUT_LENGTH, D.HORIZON, D.TRAIN_END, D.TOTAL_LENGTH)
    assert torch.allclose(task["mean"], raw[:, :D.TRAIN_END].mean())
    assert torch.allclose(split["mean"], raw[0, :D.TRAIN_END].mean())


def test_seasonal_naive_repeats_the_last_period():
    x = torch.arange(30.0).view(1, 30)
    assert D.seasonal_naive(x, 12).tolist() == [list(range(18, 30))]
    assert D.seasonal_naive(x, 15, period=12).tolist() == [list(range(18, 30)) + [18, 19, 20]]


def test_baselines_on_the_heldout_windows():
    m = T.forecast_metrics(D.seasonal_naive(T.heldout(0)[0], D.HORIZON), 0)
    assert m["mse_ratio"] == pytest.approx(1.0)
    assert m["last_value_mse"] > 2 * m["seasonal_naive_mse"]  # the seasonality matters
    with pytest.raises(ValueError):
        T.forecast_metrics(torch.zeros(3, D.HORIZON), 0)


def test_show_renders_periods():
    lines = D.show(2).splitlines()
    assert len(lines) == 5 and f"period {D.PERIOD}" in lines[0]
    assert all(len(line.split(":")[1].split()) == D.PERIOD for line in lines[1:])


# --- mistake models ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(17,), (17, 2)])
def test_window_model_without_flags_is_unfold(shape):
    series = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    for stride in (1, 2, 3):
        assert is_close(list(M.windows_variant(series, 4, 3, stride)), list(REF.sliding_windows(series, 4, 3, stride)))


@pytest.mark.parametrize("name", list(M.WINDOW_MISTAKES))
def test_window_mistakes_differ(name):
    series = torch.randn(16, 2, generator=torch.Generator().manual_seed(1))
    assert not is_close(list(M.WINDOW_MISTAKES[name](series, 3, 2, 2)), list(REF.sliding_windows(series, 3, 2, 2)))


def test_split_model_without_flags_is_the_reference():
    series = D.trending_series(50, seed=0, channels=2).double()
    assert is_close(M.split_variant(series, 4, 2, 30, 40), REF.chronological_split(series, 4, 2, 30, 40))


@pytest.mark.parametrize("name", list(M.SPLIT_MISTAKES))
def test_split_mistakes_differ(name):
    series = D.trending_series(50, seed=0, channels=2).double()
    want = REF.chronological_split(series, 4, 2, 30, 40)
    assert not is_close(M.SPLIT_MISTAKES[name](series, 4, 2, 30, 40), want)


def test_the_leak_changes_the_training_windows_and_the_reference_does_not():
    series = D.trending_series(60, seed=5).double()
    future = series.clone()
    future[36:] = future[36:] * 3 + 10
    leak = next(iter(M.SPLIT_MISTAKES))
    assert "whole series" in leak
    assert not is_close(M.SPLIT_MISTAKES[leak](future, 6, 3, 36, 48)["train"],
                        M.SPLIT_MISTAKES[leak](series, 6, 3, 36, 48)["train"])
    assert torch.equal(REF.chronological_split(future, 6, 3, 36, 48)["train"][0],
                       REF.chronological_split(series, 6, 3, 36, 48)["train"][0])


def test_reference_windows_gradient_counts_each_step_once_per_window():
    series = torch.zeros(10, requires_grad=True)
    x, y = REF.sliding_windows(series, 3, 2, 2)
    (x.sum() + y.sum()).backward()
    assert series.grad.tolist() == [1, 1, 2, 2, 3, 2, 2, 1, 1, 0]  # 5-step windows starting at 0, 2, 4
    assert x.shape == (3, 3) and math.isclose(float(series.grad[-1]), 0.0)


# --- the checks -------------------------------------------------------------------------------------------------
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(40)
