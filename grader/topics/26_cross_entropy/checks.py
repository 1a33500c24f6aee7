"""Checks for topic 26: softmax/log_softmax (26.1), cross_entropy (26.2), binary_cross_entropy_with_logits (26.3).

Each is "same as torch's": values within torch.testing's default tolerances for float32/float64 and gradients wrt every
input torch differentiates. Logits of magnitude 1e4 must give finite results; there the absolute tolerance is scaled to
the input's magnitude (float32 cancellation in x - logsumexp(x) is not a bug).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, Mapping

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.kit.checks import few, final_example, randn, run_mistakes
from grader.kit.compare import assert_same, mismatch, scaled_atol
from . import mistakes as M
from . import recipes as R

TORCH = SimpleNamespace(
    softmax=lambda x, dim=-1: torch.softmax(x, dim),
    log_softmax=lambda x, dim=-1: torch.log_softmax(x, dim),
    cross_entropy=F.cross_entropy,
    binary_cross_entropy_with_logits=F.binary_cross_entropy_with_logits,
)
DTYPES = [torch.float32, torch.float64]
FEW = few(15)


def _pick(result: Any, key: tuple[str, ...]) -> Any:
    for k in key:
        result = result[k] if isinstance(result, Mapping) else None
    return result


def check_result(
    got: Any,
    want: dict[str, Any],
    mistakes: Callable[[], dict[str, Any]],
    *,
    what: str,
    inputs: str,
    atol: float | None = None,
    hint: str = "",
) -> None:
    """Compare a forward_backward result: the output, then each gradient; name a known mistake the output matches.

    `mistakes` is called only on a mismatch: it returns {mistake name: forward_backward result of that mistake}.
    """
    keys = [(("out",), what)] + [(("grads", n), f"gradient of the {what} wrt {n}") for n in want["grads"]]
    for key, label in keys:
        actual, expected = _pick(got, key), _pick(want, key)
        if mismatch(actual, expected, atol=atol) is None:
            continue
        known = {name: _pick(result, key) for name, result in mistakes().items()} if final_example() else {}
        if expected is not None and actual is None and key[0] == "grads":
            hint = hint or f"your result does not depend on {key[1]} through autograd (a detach, .item() or .data?)"
        assert_same(actual, expected, what=label, inputs=inputs, atol=atol, mistakes=known, hint=hint)


# ----------------------------------------------------------------------------------------------------------- 26.1
SOFTMAX_TABLES = {"softmax": M.SOFTMAX_MISTAKES, "log_softmax": M.LOG_SOFTMAX_MISTAKES}


def check_softmax(learner, name: str, x: torch.Tensor, dim: int | None, atol: float | None = None, note: str = ""):
    got = learner.run(R.call_softmax, name, x, dim)
    want = R.call_softmax(TORCH, name, x, dim)
    dim_text = "dim omitted (default -1)" if dim is None else f"dim={dim}"
    check_result(
        got,
        want,
        lambda: run_mistakes(R.call_softmax, name, SOFTMAX_TABLES[name], name, x, dim),
        what=f"{name} output",
        inputs=f"x of shape {tuple(x.shape)} ({x.dtype}){note}, {dim_text}",
        atol=atol,
    )


@pytest.mark.task("26.1")
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_logits_stay_finite(learner, device, name, dtype):
    # Rows mixing +-1e4 entries: exp(1e4) overflows every float dtype unless the max is subtracted first.
    x = randn((3, 6), seed=26, dtype=dtype, device=device, scale=1e4)
    check_softmax(learner, name, x, -1, atol=scaled_atol(x), note=", entries of magnitude 1e4")


@pytest.mark.task("26.1")
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_default_dim_is_last(learner, device, name):
    check_softmax(learner, name, randn((2, 3, 4), seed=1, dtype=torch.float32, device=device), None)


@pytest.mark.task("26.1")
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_first_dim_of_3d(learner, device, name):
    check_softmax(learner, name, randn((3, 2, 4), seed=2, dtype=torch.float64, device=device), 0)


@st.composite
def shape_and_dim(draw) -> tuple[tuple[int, ...], int]:
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@FEW
@given(
    case=shape_and_dim(),
    seed=st.integers(0, 2**16),
    dtype=st.sampled_from(DTYPES),
    scale=st.sampled_from([1.0, 30.0]),
)
def softmax_property(learner, device, name, case, seed, dtype, scale):
    shape, dim = case
    check_softmax(learner, name, randn(shape, seed, dtype, device, scale), dim, note=f", entries ~N(0, {scale:g}^2)")


@pytest.mark.task("26.1")
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_matches_torch(learner, device, name):
    # A plain call first: code that raises fails here at once instead of being shrunk by hypothesis.
    learner.run(R.call_softmax, name, randn((2, 3), 0, torch.float32, device), -1)
    softmax_property(learner, device, name)


# ----------------------------------------------------------------------------------------------------------- 26.2
def ce_inputs(
    shape: tuple[int, ...],
    kind: str,
    seed: int,
    dtype: torch.dtype,
    device: torch.device,
    *,
    scale: float = 2.0,
    ignore: str = "none",
    ignore_class: int = 1,
    use_weight: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, int]:
    """Logits, target (int64 class indices or probabilities), weight and ignore_index for a cross-entropy call.

    ignore: 'none' (no target ignored), 'default' (some targets are -100) or 'class' (ignore_index = ignore_class and
    some targets are that class). At least one target is always kept: an all-ignored batch is not checked.
    """
    gen = torch.Generator().manual_seed(seed)
    num_classes = shape[0] if len(shape) == 1 else shape[1]
    x = torch.randn(shape, generator=gen, dtype=torch.float64) * scale
    weight = torch.rand(num_classes, generator=gen, dtype=torch.float64) + 0.1 if use_weight else None
    ignore_index = -100
    if kind == "prob":
        class_dim = 0 if len(shape) == 1 else 1
        target = torch.softmax(torch.randn(shape, generator=gen, dtype=torch.float64) * 2, dim=class_dim)
    else:
        t_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
        target = torch.randint(0, num_classes, t_shape, generator=gen, dtype=torch.int64)
        if ignore != "none":
            ignore_index = -100 if ignore == "default" else ignore_class
            drop = torch.rand(t_shape, generator=gen) < 0.4
            target = torch.where(drop, torch.full_like(target, ignore_index), target)
            if bool((target == ignore_index).all()):
                target.view(-1)[0] = (ignore_class + 1) % num_classes
    cast = lambda t: None if t is None else t.to(dtype=dtype, device=device)  # noqa: E731
    target = target.to(device) if kind == "index" else cast(target)
    return cast(x), target, cast(weight), ignore_index


def check_cross_entropy(
    learner, x, target, weight, options: dict[str, Any], atol: float | None = None, note: str = ""
) -> None:
    prob = target.is_floating_point()
    wrt = ["input"] + (["target"] + (["weight"] if weight is not None else []) if prob else [])
    got = learner.run(R.call_cross_entropy, x, target, weight, options, wrt)
    want = R.call_cross_entropy(TORCH, x, target, weight, options, wrt)
    target_text = (
        f"probability target {tuple(target.shape)}" if prob else f"class-index target {target.cpu().tolist()}"
    )
    opts = ", ".join(f"{k}={v!r}" for k, v in options.items())
    check_result(
        got,
        want,
        lambda: run_mistakes(
            R.call_cross_entropy, "cross_entropy", M.CROSS_ENTROPY_MISTAKES, x, target, weight, options, wrt
        ),
        what="cross_entropy",
        inputs=(
            f"input of shape {tuple(x.shape)} ({x.dtype}){note}, {target_text}"
            + (f", weight={[round(w, 3) for w in weight.cpu().tolist()]}" if weight is not None else "")
            + (f", {opts}" if opts else "")
        ),
        atol=atol,
    )


# Each fixed case isolates one feature, so the first one a wrong implementation fails names its mistake.
CE_CASES = {
    "mean, no options": dict(shape=(4, 3), kind="index", options={}),
    "(C,) input, class index": dict(shape=(5,), kind="index", options={}),
    "(C,) input, reduction none": dict(shape=(5,), kind="index", options={"reduction": "none"}),
    "(N,C,d1,d2) input, sum": dict(shape=(2, 3, 2, 3), kind="index", options={"reduction": "sum"}),
    "(N,C,d1) input, none": dict(shape=(2, 4, 3), kind="index", options={"reduction": "none"}),
    "weighted mean": dict(shape=(6, 4), kind="index", options={}, use_weight=True),
    "weighted none": dict(shape=(6, 4), kind="index", options={"reduction": "none"}, use_weight=True),
    "ignore -100, mean": dict(shape=(6, 3), kind="index", options={}, ignore="default"),
    "ignore a class, sum": dict(shape=(6, 3), kind="index", options={"reduction": "sum"}, ignore="class"),
    "ignore a class, weighted mean": dict(shape=(6, 3), kind="index", options={}, ignore="class", use_weight=True),
    "label smoothing, mean": dict(shape=(5, 4), kind="index", options={"label_smoothing": 0.2}),
    "label smoothing, weighted mean": dict(
        shape=(5, 4), kind="index", options={"label_smoothing": 0.2}, use_weight=True
    ),
    "label smoothing, weighted none, ignore -100": dict(
        shape=(5, 4),
        kind="index",
        options={"label_smoothing": 0.3, "reduction": "none"},
        use_weight=True,
        ignore="default",
    ),
    "probabilities, mean": dict(shape=(4, 3), kind="prob", options={}),
    "probabilities (C,)": dict(shape=(5,), kind="prob", options={}),
    "probabilities (N,C,d1), weighted mean": dict(shape=(2, 3, 4), kind="prob", options={}, use_weight=True),
    "probabilities, smoothing, none": dict(
        shape=(3, 4), kind="prob", options={"label_smoothing": 0.1, "reduction": "none"}, use_weight=True
    ),
    "everything, float64 (N,C,d1,d2)": dict(
        shape=(2, 4, 2, 2),
        kind="index",
        options={"label_smoothing": 0.15, "ignore_index": 1},
        ignore="class",
        use_weight=True,
        dtype=torch.float64,
    ),
}


def _options_with_ignore(options: dict[str, Any], ignore: str, ignore_index: int) -> dict[str, Any]:
    opts = dict(options)
    if ignore == "class":
        opts["ignore_index"] = ignore_index
    return opts


@pytest.mark.task("26.2")
@pytest.mark.parametrize("case", list(CE_CASES), ids=list(CE_CASES))
def test_cross_entropy_cases(learner, device, case):
    spec = dict(CE_CASES[case])
    options, dtype = spec.pop("options"), spec.pop("dtype", torch.float32)
    ignore = spec.get("ignore", "none")
    x, target, weight, ignore_index = ce_inputs(spec.pop("shape"), spec.pop("kind"), 7, dtype, device, **spec)
    check_cross_entropy(learner, x, target, weight, _options_with_ignore(options, ignore, ignore_index))


@pytest.mark.task("26.2")
@pytest.mark.parametrize("kind", ["index", "prob"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cross_entropy_large_logits(learner, device, kind, dtype):
    x, target, weight, _ = ce_inputs((4, 5), kind, 11, dtype, device, scale=1e4, use_weight=True)
    check_cross_entropy(
        learner, x, target, weight, {"label_smoothing": 0.1}, atol=scaled_atol(x), note=", logits of magnitude 1e4"
    )


@st.composite
def ce_case(draw) -> dict[str, Any]:
    layout = draw(st.sampled_from(["C", "NC", "NCd"]))
    num_classes = draw(st.integers(2, 5))
    n = draw(st.integers(1, 4))
    if layout == "C":
        shape: tuple[int, ...] = (num_classes,)
    elif layout == "NC":
        shape = (n, num_classes)
    else:
        shape = (n, num_classes, *draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    kind = draw(st.sampled_from(["index", "prob"]))
    options: dict[str, Any] = {}
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    if reduction != "mean":
        options["reduction"] = reduction
    smoothing = draw(st.sampled_from([0.0, 0.1, 0.25]))
    if smoothing:
        options["label_smoothing"] = smoothing
    ignore = draw(st.sampled_from(["none", "default", "class"])) if kind == "index" else "none"
    return dict(
        shape=shape,
        kind=kind,
        options=options,
        ignore=ignore,
        ignore_class=draw(st.integers(0, num_classes - 1)),
        use_weight=draw(st.booleans()),
    )


@settings(FEW, max_examples=40)
@given(case=ce_case(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def cross_entropy_property(learner, device, case, seed, dtype):
    spec = dict(case)
    options, ignore = spec.pop("options"), spec["ignore"]
    x, target, weight, ignore_index = ce_inputs(spec.pop("shape"), spec.pop("kind"), seed, dtype, device, **spec)
    check_cross_entropy(learner, x, target, weight, _options_with_ignore(options, ignore, ignore_index))


@pytest.mark.task("26.2")
def test_cross_entropy_matches_torch(learner, device):
    x, target, weight, _ = ce_inputs((2, 3), "index", 0, torch.float32, device)
    learner.run(R.call_cross_entropy, x, target, weight, {}, ["input"])  # raises at once, before any shrinking
    cross_entropy_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 26.3
def bce_inputs(shape, seed, dtype, device, *, scale=2.0, hard=False, weight=None, pos_weight=False):
    """Logits (never exactly 0: a kink), targets in [0, 1] (or {0, 1} when hard), optional weight and pos_weight."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=gen, dtype=torch.float64) * scale
    x = torch.where(x == 0, torch.full_like(x, 0.5), x)
    y = torch.rand(shape, generator=gen, dtype=torch.float64)
    if hard:
        y = (y < 0.5).to(torch.float64)
    w = None
    if weight == "full":
        w = torch.rand(shape, generator=gen, dtype=torch.float64) + 0.1
    elif weight == "last":
        w = torch.rand(shape[-1:], generator=gen, dtype=torch.float64) + 0.1
    pw = torch.rand(shape[-1:], generator=gen, dtype=torch.float64) * 3 + 0.2 if pos_weight else None
    cast = lambda t: None if t is None else t.to(dtype=dtype, device=device)  # noqa: E731
    return cast(x), cast(y), cast(w), cast(pw)


def check_bce(learner, x, y, w, pw, options: dict[str, Any], atol: float | None = None, note: str = ""):
    got = learner.run(R.call_bce_with_logits, x, y, w, pw, options)
    want = R.call_bce_with_logits(TORCH, x, y, w, pw, options)
    parts = [f"input of shape {tuple(x.shape)} ({x.dtype}){note}", f"target of shape {tuple(y.shape)}"]
    if w is not None:
        parts.append(f"weight of shape {tuple(w.shape)}")
    if pw is not None:
        parts.append(f"pos_weight={[round(v, 3) for v in pw.cpu().tolist()]}")
    parts += [f"{k}={v!r}" for k, v in options.items()]
    check_result(
        got,
        want,
        lambda: run_mistakes(
            R.call_bce_with_logits, "binary_cross_entropy_with_logits", M.BCE_MISTAKES, x, y, w, pw, options
        ),
        what="binary_cross_entropy_with_logits",
        inputs=", ".join(parts),
        atol=atol,
    )


BCE_CASES = {
    "mean": dict(shape=(4, 3), options={}),
    "sum, hard 0/1 targets": dict(shape=(4, 3), options={"reduction": "sum"}, hard=True),
    "none, 1-d": dict(shape=(5,), options={"reduction": "none"}),
    "pos_weight, none": dict(shape=(4, 3), options={"reduction": "none"}, pos_weight=True),
    "elementwise weight, mean": dict(shape=(4, 3), options={}, weight="full"),
    "per-class weight and pos_weight, sum": dict(
        shape=(3, 4), options={"reduction": "sum"}, weight="last", pos_weight=True
    ),
    "pos_weight, mean, float64": dict(shape=(2, 3, 2), options={}, pos_weight=True, dtype=torch.float64),
}


@pytest.mark.task("26.3")
@pytest.mark.parametrize("case", list(BCE_CASES), ids=list(BCE_CASES))
def test_bce_cases(learner, device, case):
    spec = dict(BCE_CASES[case])
    options, dtype = spec.pop("options"), spec.pop("dtype", torch.float32)
    x, y, w, pw = bce_inputs(spec.pop("shape"), 3, dtype, device, **spec)
    check_bce(learner, x, y, w, pw, options)


@pytest.mark.task("26.3")
@pytest.mark.parametrize("pos_weight", [False, True], ids=["plain", "pos_weight"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_bce_large_logits(learner, device, pos_weight, dtype):
    x, y, w, pw = bce_inputs((4, 5), 12, dtype, device, scale=1e4, pos_weight=pos_weight)
    check_bce(learner, x, y, w, pw, {"reduction": "none"}, atol=scaled_atol(x), note=", logits of magnitude 1e4")


@pytest.mark.task("26.3")
def test_bce_zero_logits_value(learner, device):
    # At x = 0 the value is log 2 per element whatever the formula; gradients there are not compared (a kink).
    x = torch.zeros(2, 3, device=device)
    y = torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]], device=device)
    got = learner.run(R.call_bce_with_logits, x, y, None, None, {"reduction": "none"})
    want = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert_same(_pick(got, ("out",)), want, what="binary_cross_entropy_with_logits", inputs="logits all exactly 0")


@st.composite
def bce_case(draw) -> dict[str, Any]:
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    options = {}
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    if reduction != "mean":
        options["reduction"] = reduction
    return dict(
        shape=shape,
        options=options,
        hard=draw(st.booleans()),
        weight=draw(st.sampled_from([None, "full", "last"])),
        pos_weight=draw(st.booleans()),
    )


@settings(FEW, max_examples=20)
@given(case=bce_case(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def bce_property(learner, device, case, seed, dtype):
    spec = dict(case)
    options = spec.pop("options")
    x, y, w, pw = bce_inputs(spec.pop("shape"), seed, dtype, device, **spec)
    check_bce(learner, x, y, w, pw, options)


@pytest.mark.task("26.3")
def test_bce_matches_torch(learner, device):
    x, y, w, pw = bce_inputs((2, 3), 0, torch.float32, device)
    learner.run(R.call_bce_with_logits, x, y, w, pw, {})  # raises at once, before any shrinking
    bce_property(learner, device)
