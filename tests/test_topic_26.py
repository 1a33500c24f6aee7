"""Topic 26 (cross entropy): the reference against torch, the mistake models (each is torch's function with exactly one
mistake: equal where the mistake does not matter, different where it does), and a direct run of the checks on the
reference solution (every task passes) and on the stub (every task fails)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

M = topic_module(26, "mistakes")

REF = load_solution(26)
GEN = torch.Generator().manual_seed(0)
X = torch.randn(4, 5, generator=GEN, dtype=torch.float64)
X3 = torch.randn(2, 5, 3, generator=GEN, dtype=torch.float64)
T = torch.tensor([0, 3, 1, 1])
T_IGNORED = torch.tensor([0, -100, 1, -100])
T_CLASS1 = torch.tensor([0, 1, 2, 1])  # with ignore_index=1
W = torch.tensor([0.2, 1.0, 3.0, 0.5, 1.5], dtype=torch.float64)
HUGE = torch.tensor([[1e4, -1e4, 0.0], [-1e4, -2e4, 5e3]])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_reference_softmax_matches_torch(dtype, dim):
    x = torch.randn(3, 4, 2, generator=torch.Generator().manual_seed(dim + 5), dtype=dtype)
    assert torch.allclose(REF.softmax(x, dim), torch.softmax(x, dim))
    assert torch.allclose(REF.log_softmax(x, dim), torch.log_softmax(x, dim))


def test_reference_is_finite_at_huge_logits():
    assert torch.isfinite(REF.softmax(HUGE)).all() and torch.isfinite(REF.log_softmax(HUGE)).all()
    assert REF.log_softmax(torch.tensor([0.0, -1e4])).tolist() == [0.0, -1e4]
    loss = REF.binary_cross_entropy_with_logits(HUGE, torch.ones_like(HUGE), reduction="none")
    assert torch.isfinite(loss).all() and loss[1, 1].item() == pytest.approx(2e4)


SOFTMAX_MISTAKES_AT_LARGE = ["softmax without subtracting the max first (exp overflows: inf/inf = nan)"]
LOG_SOFTMAX_MISTAKES_AT_LARGE = [
    "log(softmax(x)) instead of a stable log_softmax (a softmax that underflows to 0 gives log(0) = -inf)",
    "log_softmax without subtracting the max first (exp overflows)",
]


@pytest.mark.parametrize("name", SOFTMAX_MISTAKES_AT_LARGE)
def test_overflowing_softmax_models_are_right_for_small_logits_and_not_finite_for_huge(name):
    fn = M.SOFTMAX_MISTAKES[name]
    assert torch.allclose(fn(X, 1), torch.softmax(X, 1))
    assert not torch.isfinite(fn(HUGE, -1)).all()


@pytest.mark.parametrize("name", LOG_SOFTMAX_MISTAKES_AT_LARGE)
def test_unstable_log_softmax_models_are_right_for_small_logits_and_not_finite_for_huge(name):
    fn = M.LOG_SOFTMAX_MISTAKES[name]
    assert torch.allclose(fn(X, 1), torch.log_softmax(X, 1))
    assert not torch.isfinite(fn(HUGE, -1)).all()


def test_last_dim_models_differ_only_when_dim_is_not_last():
    for fn, ref in ((M.softmax_last_dim, torch.softmax), (M.log_softmax_last_dim, torch.log_softmax)):
        assert torch.allclose(fn(X3, -1), ref(X3, -1))
        assert not torch.allclose(fn(X3, 1), ref(X3, 1))


# mistake -> (call that exposes it, call where it makes no difference)
CE_CORPUS = {
    "'mean' divides by the number of targets instead of the sum of their class weights": (
        dict(input=X, target=T, weight=W), dict(input=X, target=T)),
    "ignored targets still counted in the mean's denominator (ignore_index not excluded from the mean)": (
        dict(input=X, target=T_IGNORED), dict(input=X, target=T)),
    "ignored targets not masked out (ignore_index has no effect)": (
        dict(input=X, target=T_CLASS1, ignore_index=1), dict(input=X, target=T)),
    "label smoothing's uniform term computed without the class weights": (
        dict(input=X, target=T, weight=W, label_smoothing=0.2), dict(input=X, target=T, label_smoothing=0.2)),
    "label smoothing spread over the C-1 other classes instead of all C classes": (
        dict(input=X, target=T, label_smoothing=0.2), dict(input=X, target=T, weight=W)),
    "log_softmax taken over the last dimension instead of the class dimension 1": (
        dict(input=X3, target=torch.tensor([[0, 1, 4], [2, 2, 3]])), dict(input=X, target=T, weight=W)),
    "log(softmax(x)) instead of a stable log_softmax (log(0) = -inf for large logits)": (
        dict(input=HUGE.double(), target=torch.tensor([1, 1])), dict(input=X, target=T)),
}


def test_every_cross_entropy_mistake_has_a_corpus_entry():
    assert set(CE_CORPUS) == set(M.CROSS_ENTROPY_MISTAKES)


@pytest.mark.parametrize("name", list(CE_CORPUS))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_mistake_models(name, reduction):
    exposing, harmless = CE_CORPUS[name]
    fn = M.CROSS_ENTROPY_MISTAKES[name]
    if reduction == "mean" or "mean" not in name:
        assert not is_close(fn(**exposing, reduction=reduction), F.cross_entropy(**exposing, reduction=reduction))
    assert is_close(fn(**harmless, reduction=reduction), F.cross_entropy(**harmless, reduction=reduction))


@pytest.mark.parametrize("options", [{}, {"weight": W}, {"label_smoothing": 0.1, "weight": W, "reduction": "none"}])
def test_cross_entropy_model_without_mistakes_is_torch(options):
    for target in (T, T_IGNORED, torch.softmax(X, 1)):
        assert is_close(M.cross_entropy_variant(X, target, **options), F.cross_entropy(X, target, **options))


BCE_INPUT = torch.randn(3, 4, generator=GEN, dtype=torch.float64)
BCE_TARGET = torch.rand(3, 4, generator=GEN, dtype=torch.float64)
POS_WEIGHT = torch.tensor([0.5, 2.0, 3.0, 1.0], dtype=torch.float64)
BCE_CORPUS = {
    "naive log(sigmoid(x)) and log(1 - sigmoid(x)) (log(0) = -inf for large |x|)": (
        dict(input=HUGE.double(), target=torch.zeros(2, 3, dtype=torch.float64)),
        dict(input=BCE_INPUT, target=BCE_TARGET)),
    "pos_weight multiplies the whole loss instead of only the positive term": (
        dict(input=BCE_INPUT, target=BCE_TARGET, pos_weight=POS_WEIGHT), dict(input=BCE_INPUT, target=BCE_TARGET)),
    "pos_weight applied to the negative term (1 - y) instead of the positive one": (
        dict(input=BCE_INPUT, target=BCE_TARGET, pos_weight=POS_WEIGHT), dict(input=BCE_INPUT, target=BCE_TARGET)),
    "'mean' divides by the batch size instead of the number of elements": (
        dict(input=BCE_INPUT, target=BCE_TARGET), dict(input=BCE_INPUT[:, :1], target=BCE_TARGET[:, :1])),
}


def test_every_bce_mistake_has_a_corpus_entry():
    assert set(BCE_CORPUS) == set(M.BCE_MISTAKES)


@pytest.mark.parametrize("name", list(BCE_CORPUS))
def test_bce_mistake_models(name):
    exposing, harmless = BCE_CORPUS[name]
    fn, ref = M.BCE_MISTAKES[name], F.binary_cross_entropy_with_logits
    assert not is_close(fn(**exposing), ref(**exposing))
    assert is_close(fn(**harmless), ref(**harmless))


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(26)
