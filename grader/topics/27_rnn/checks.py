"""Checks for topic 27: RNNCell (27.1), RNN (27.2), LSTMCell (27.3), SequenceClassifier trained on a memory task (27.4).

27.1-27.3 are "same as torch.nn's module given the same weights": the check builds torch's module, draws its weights,
and passes its state_dict to the learner's module (constructed with keyword arguments). Parameters must be named and
shaped as torch's; outputs and gradients wrt the input, the initial state and every parameter must match, batched and
unbatched, in float32 and float64.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.checks import few, final_example
from grader.kit.compare import assert_same, mismatch
from . import mistakes as M
from . import recipes as R
from . import training as T

DTYPES = [torch.float32, torch.float64]
FEW = few(15)
OUT_NAMES = {"RNNCell": None, "RNN": ("output", "h_n"), "LSTMCell": ("h'", "c'")}
MISTAKES = {"RNNCell": M.RNN_CELL_MISTAKES, "RNN": M.RNN_MISTAKES, "LSTMCell": M.LSTM_CELL_MISTAKES}


def kwargs_text(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def reference_state(cls: str, kwargs: dict[str, Any], seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """Weights for torch.nn.<cls>(**kwargs), drawn U(-k, k) from a seed (k = max(1/sqrt(H), 0.5)), as a state_dict."""
    module = getattr(torch.nn, cls)(**kwargs)
    gen = torch.Generator().manual_seed(seed)
    bound = max(1 / math.sqrt(kwargs["hidden_size"]), 0.5)
    return {
        name: ((torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dtype=dtype, device=device)
        for name, p in module.named_parameters()
    }


def make_inputs(
    cls: str, kwargs: dict[str, Any], batch: int | None, steps: int, with_hx: bool, seed: int, dtype, device
) -> dict[str, torch.Tensor]:
    """The recipe's inputs: {'input': x} plus the initial state ('hx', or 'h0' and 'c0'); batch None = unbatched."""
    gen = torch.Generator().manual_seed(seed + 1)

    def draw(*shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)

    size, hidden = kwargs["input_size"], kwargs["hidden_size"]
    lead = () if batch is None else (batch,)
    if cls == "RNN":
        layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional", False) else 1)
        if batch is None:
            x = draw(steps, size)
        else:
            x = draw(batch, steps, size) if kwargs.get("batch_first", False) else draw(steps, batch, size)
        inputs = {"input": x}
        if with_hx:
            inputs["hx"] = draw(layers, *lead, hidden)
        return inputs
    inputs = {"input": draw(*lead, size)}
    if with_hx and cls == "RNNCell":
        inputs["hx"] = draw(*lead, hidden)
    elif with_hx:
        inputs["h0"], inputs["c0"] = draw(*lead, hidden), draw(*lead, hidden)
    return inputs


def describe(cls: str, kwargs: dict[str, Any], inputs: dict[str, torch.Tensor]) -> str:
    shapes = ", ".join(f"{name} of shape {tuple(t.shape)}" for name, t in inputs.items())
    hx = "" if len(inputs) > 1 else ", no initial state (hx=None)"
    return f"{cls}({kwargs_text(kwargs)}) on {shapes} ({inputs['input'].dtype}){hx}"


def _parts(value: Any, names: tuple[str, ...] | None) -> list[tuple[str, Any]]:
    if names is None:
        return [("output h'", value)]
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        return [(f"output ({' , '.join(names)})", value)]
    return list(zip(names, value))


def assert_parameters(got: Any, want: dict[str, list[int]], cls: str, kwargs: dict[str, Any]) -> None:
    """Fail unless the learner's parameters have torch's names and shapes, saying which are missing, extra or wrong."""
    if not isinstance(got, Mapping):
        raise AssertionError(f"parameters of {cls}: expected a mapping of names, got {type(got).__name__}")
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    wrong = [
        f"{n}: yours {tuple(got[n])}, expected {tuple(want[n])}" for n in want if n in got and list(got[n]) != want[n]
    ]
    if missing or extra or wrong:
        lines = [f"parameters of {cls}({kwargs_text(kwargs)}) are not named and shaped as torch.nn.{cls}'s"]
        if missing:
            lines.append(f"  missing: {', '.join(missing)}")
        if extra:
            lines.append(f"  unexpected: {', '.join(extra)}")
        lines.extend(f"  wrong shape: {w}" for w in wrong)
        lines.append(f"  expected: {', '.join(f'{n} {tuple(s)}' for n, s in want.items())}")
        raise AssertionError("\n".join(lines))


def check_module(learner, cls: str, kwargs: dict[str, Any], inputs: dict[str, torch.Tensor], seed: int, device) -> None:
    """The learner's module vs torch's with the same weights: outputs, then gradients wrt inputs, then parameters."""
    dtype = inputs["input"].dtype
    state = reference_state(cls, kwargs, seed, dtype, device)
    got = learner.run(R.module_forward, cls, kwargs, state, inputs, dtype, device.type)
    # cuDNN's RNN kernels compute float32 in TF32 by default (cudnn.rnn.fp32_precision): a reference must not.
    with torch.backends.cudnn.flags(enabled=False):
        want = R.module_forward(torch.nn, cls, kwargs, state, inputs, dtype, device.type)
    where = describe(cls, kwargs, inputs)
    if not isinstance(got, Mapping):
        raise AssertionError(f"{cls}: the call returned {type(got).__name__}, not a result")

    # Outputs first, with the known mistakes of this module computed on the same weights and inputs.
    got_parts, want_parts = _parts(got.get("out"), OUT_NAMES[cls]), _parts(want["out"], OUT_NAMES[cls])
    for i, (name, expected) in enumerate(want_parts):
        actual = got_parts[i][1] if i < len(got_parts) and len(got_parts) == len(want_parts) else got.get("out")
        if mismatch(actual, expected) is None:
            continue
        known = {}
        if final_example():
            for mistake, fn in MISTAKES[cls].items():
                try:
                    known[mistake] = _parts(fn(state, kwargs, inputs), OUT_NAMES[cls])[i][1]
                except Exception:
                    continue
        assert_same(actual, expected, what=name, inputs=where, mistakes=known)

    for group, label in (("grads", "gradient wrt {}"), ("param_grads", "gradient wrt parameter {}")):
        got_grads = got.get(group) if isinstance(got.get(group), Mapping) else {}
        for name, expected in want[group].items():
            hint = ""
            if got_grads.get(name) is None and expected is not None:
                hint = f"no gradient reached {name}: is it used through autograd (no .data, .detach(), new tensors)?"
            assert_same(got_grads.get(name), expected, what=label.format(name), inputs=where, hint=hint)


def check_parameters(learner, cls: str, kwargs: dict[str, Any]) -> None:
    """The learner's mod.<cls>(**kwargs) has torch.nn.<cls>'s parameter names and shapes."""
    got = learner.run(R.parameter_shapes, cls, kwargs)
    assert_parameters(got, R.parameter_shapes(torch.nn, cls, kwargs), cls, kwargs)


def check_case(learner, cls: str, kwargs, batch: int | None, steps: int, with_hx: bool, seed: int, dtype, device):
    """check_module on seeded inputs: batch None = unbatched, steps = sequence length (RNN only)."""
    inputs = make_inputs(cls, kwargs, batch, steps, with_hx, seed, dtype, device)
    check_module(learner, cls, kwargs, inputs, seed, device)


def probe(learner, cls: str, device) -> None:
    """One plain call: code that raises fails here at once instead of being shrunk by hypothesis."""
    kwargs = dict(input_size=2, hidden_size=3)
    state = reference_state(cls, kwargs, 0, torch.float32, device)
    inputs = make_inputs(cls, kwargs, 2, 2, True, 0, torch.float32, device)
    learner.run(R.module_forward, cls, kwargs, state, inputs, torch.float32, device.type)


# ----------------------------------------------------------------------------------------------------------- 27.1
CELL_KWARGS = [
    dict(input_size=3, hidden_size=4),
    dict(input_size=2, hidden_size=5, bias=False),
    dict(input_size=4, hidden_size=3, nonlinearity="relu"),
]


@pytest.mark.task("27.1")
@pytest.mark.parametrize("kwargs", CELL_KWARGS, ids=kwargs_text)
def test_rnn_cell_parameters(learner, kwargs):
    check_parameters(learner, "RNNCell", kwargs)


RNN_CELL_CASES = {
    "batched, hx given": (dict(input_size=3, hidden_size=4), 2, True, torch.float32),
    "batched, hx=None": (dict(input_size=3, hidden_size=4), 3, False, torch.float32),
    "unbatched (I,), hx given": (dict(input_size=3, hidden_size=4), None, True, torch.float32),
    "unbatched (I,), hx=None": (dict(input_size=2, hidden_size=3), None, False, torch.float64),
    "relu": (dict(input_size=3, hidden_size=4, nonlinearity="relu"), 2, True, torch.float32),
    "no bias, float64": (dict(input_size=4, hidden_size=2, bias=False), 3, True, torch.float64),
}


@pytest.mark.task("27.1")
@pytest.mark.parametrize("case", list(RNN_CELL_CASES), ids=list(RNN_CELL_CASES))
def test_rnn_cell_cases(learner, device, case):
    kwargs, batch, with_hx, dtype = RNN_CELL_CASES[case]
    check_case(learner, "RNNCell", kwargs, batch, 1, with_hx, 5, dtype, device)


@st.composite
def cell_config(draw, lstm: bool = False) -> tuple[dict[str, Any], int | None, bool]:
    kwargs: dict[str, Any] = dict(input_size=draw(st.integers(1, 4)), hidden_size=draw(st.integers(1, 4)))
    if not draw(st.booleans()):
        kwargs["bias"] = False
    if not lstm and draw(st.booleans()):
        kwargs["nonlinearity"] = "relu"
    return kwargs, draw(st.one_of(st.none(), st.integers(1, 3))), draw(st.booleans())


@FEW
@given(config=cell_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def rnn_cell_property(learner, device, config, seed, dtype):
    kwargs, batch, with_hx = config
    check_case(learner, "RNNCell", kwargs, batch, 1, with_hx, seed, dtype, device)


@pytest.mark.task("27.1")
def test_rnn_cell_matches_torch(learner, device):
    probe(learner, "RNNCell", device)
    rnn_cell_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 27.2
RNN_KWARGS = [
    dict(input_size=3, hidden_size=4),
    dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True),
    dict(input_size=2, hidden_size=3, num_layers=3, bias=False, nonlinearity="relu", batch_first=True),
]


@pytest.mark.task("27.2")
@pytest.mark.parametrize("kwargs", RNN_KWARGS, ids=kwargs_text)
def test_rnn_parameters(learner, kwargs):
    check_parameters(learner, "RNN", kwargs)


# (kwargs, batch (None = unbatched), steps, hx given, dtype), simplest first so the first failure is the telling one.
RNN_CASES = {
    "one layer": (dict(input_size=3, hidden_size=4), 2, 4, True, torch.float32),
    "hx=None": (dict(input_size=3, hidden_size=4), 2, 3, False, torch.float32),
    "batch_first": (dict(input_size=3, hidden_size=4, batch_first=True), 3, 4, True, torch.float32),
    "two layers": (dict(input_size=3, hidden_size=4, num_layers=2), 2, 3, True, torch.float32),
    "unbatched (T, I)": (dict(input_size=3, hidden_size=2, num_layers=2), None, 4, True, torch.float32),
    "relu, no bias": (dict(input_size=2, hidden_size=3, nonlinearity="relu", bias=False), 2, 3, True, torch.float32),
    "bidirectional": (dict(input_size=3, hidden_size=4, bidirectional=True), 2, 4, True, torch.float32),
    "bidirectional, two layers, float64": (
        dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), 2, 4, True, torch.float64),
    "bidirectional, batch_first, two layers": (
        dict(input_size=2, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True),
        3, 4, False, torch.float32,
    ),
    "bidirectional, unbatched, three layers": (
        dict(input_size=2, hidden_size=3, num_layers=3, bidirectional=True), None, 3, True, torch.float64),
}


@pytest.mark.task("27.2")
@pytest.mark.parametrize("case", list(RNN_CASES), ids=list(RNN_CASES))
def test_rnn_cases(learner, device, case):
    kwargs, batch, steps, with_hx, dtype = RNN_CASES[case]
    check_case(learner, "RNN", kwargs, batch, steps, with_hx, 9, dtype, device)


@st.composite
def rnn_config(draw) -> tuple[dict[str, Any], int | None, int, bool]:
    kwargs: dict[str, Any] = dict(input_size=draw(st.integers(1, 3)), hidden_size=draw(st.integers(1, 4)))
    # Only the non-default settings are passed, so the defaults get exercised too.
    if (layers := draw(st.integers(1, 3))) > 1:
        kwargs["num_layers"] = layers
    for flag in ("bidirectional", "batch_first"):
        if draw(st.booleans()):
            kwargs[flag] = True
    relu = draw(st.booleans())
    if relu:
        kwargs["nonlinearity"] = "relu"
    # Deep relu layers without bias can see an all-zero input and state, hence a pre-activation of exactly 0: a kink
    # where relu's gradient is a convention (torch.relu says 0, clamp says 1). Keep the bias there.
    if not draw(st.booleans()) and not (relu and layers > 1):
        kwargs["bias"] = False
    return kwargs, draw(st.one_of(st.none(), st.integers(1, 3))), draw(st.integers(1, 4)), draw(st.booleans())


@settings(FEW, max_examples=20)
@given(config=rnn_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def rnn_property(learner, device, config, seed, dtype):
    kwargs, batch, steps, with_hx = config
    check_case(learner, "RNN", kwargs, batch, steps, with_hx, seed, dtype, device)


@pytest.mark.task("27.2")
def test_rnn_matches_torch(learner, device):
    probe(learner, "RNN", device)
    rnn_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 27.3
LSTM_KWARGS = [dict(input_size=3, hidden_size=4), dict(input_size=2, hidden_size=5, bias=False)]


@pytest.mark.task("27.3")
@pytest.mark.parametrize("kwargs", LSTM_KWARGS, ids=kwargs_text)
def test_lstm_cell_parameters(learner, kwargs):
    check_parameters(learner, "LSTMCell", kwargs)


LSTM_CASES = {
    "batched, (h0, c0) given": (dict(input_size=3, hidden_size=4), 2, True, torch.float32),
    "batched, hx=None": (dict(input_size=3, hidden_size=4), 3, False, torch.float32),
    "unbatched (I,)": (dict(input_size=3, hidden_size=4), None, True, torch.float32),
    "unbatched (I,), hx=None, float64": (dict(input_size=2, hidden_size=3), None, False, torch.float64),
    "no bias, float64": (dict(input_size=4, hidden_size=2, bias=False), 3, True, torch.float64),
}


@pytest.mark.task("27.3")
@pytest.mark.parametrize("case", list(LSTM_CASES), ids=list(LSTM_CASES))
def test_lstm_cell_cases(learner, device, case):
    kwargs, batch, with_hx, dtype = LSTM_CASES[case]
    check_case(learner, "LSTMCell", kwargs, batch, 1, with_hx, 3, dtype, device)


@FEW
@given(config=cell_config(lstm=True), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def lstm_cell_property(learner, device, config, seed, dtype):
    kwargs, batch, with_hx = config
    check_case(learner, "LSTMCell", kwargs, batch, 1, with_hx, seed, dtype, device)


@pytest.mark.task("27.3")
def test_lstm_cell_matches_torch(learner, device):
    probe(learner, "LSTMCell", device)
    lstm_cell_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 27.4
@pytest.mark.task("27.4")
@pytest.mark.parametrize(
    "kwargs, batch, steps",
    [
        (dict(input_size=8, hidden_size=16, num_classes=4), 3, 7),
        (dict(input_size=5, hidden_size=6, num_classes=3), 2, 1),
    ],
    ids=["8-16-4, T=7", "5-6-3, T=1"],
)
def test_classifier_output_shape(learner, device, kwargs, batch, steps):
    x = torch.randn(batch, steps, kwargs["input_size"], generator=torch.Generator().manual_seed(4)).to(device)
    logits = learner.run(R.classifier_logits, kwargs, x)
    where = f"SequenceClassifier({kwargs_text(kwargs)}) on x of shape {tuple(x.shape)}"
    assert isinstance(logits, torch.Tensor), f"{where} returned {type(logits).__name__}, expected a tensor of logits"
    expected = (batch, kwargs["num_classes"])
    assert tuple(logits.shape) == expected, (
        f"logits shape: yours {tuple(logits.shape)}, expected {expected} (B, num_classes) for {where}"
    )
    assert bool(torch.isfinite(logits).all()), f"logits are not all finite for {where}"


@pytest.mark.task("27.4")
def test_classifier_learns_memory_task(learner, device, curves):
    sets = T.heldout_sets()
    result = T.run(learner, T.TASK.check_seed, device.type)
    curves.reference = reference_losses(T.TASK)
    assert isinstance(result, Mapping), f"training returned {type(result).__name__}"
    losses = [float(v) for v in result.get("losses", [])]
    curves.yours = losses
    predictions = result.get("predictions")
    assert isinstance(predictions, (list, tuple)) and len(predictions) == len(sets), "no predictions came back"
    per_length, correct, total = [], 0, 0
    for (length, _, y), pred in zip(sets, predictions):
        assert isinstance(pred, torch.Tensor) and tuple(pred.shape) == tuple(y.shape), (
            f"predictions for length {length}: expected {tuple(y.shape)} class indices"
        )
        hits = int((pred.cpu().long() == y).sum())
        per_length.append(f"T={length}: {hits / len(y):.2f}")
        correct, total = correct + hits, total + len(y)
    accuracy = correct / total
    if not all(math.isfinite(v) for v in losses):
        raise AssertionError("the training loss became nan/inf: check your gates and the cell-state update")
    if accuracy >= T.PASS_MARK:
        return
    accs = [int((pred.cpu().long() == y).sum()) / len(y) for (_, _, y), pred in zip(sets, predictions)]
    scores = result.get("val_scores") or []
    reference = curves.reference
    lines = [
        f"held-out accuracy {accuracy:.3f} < {T.PASS_MARK} after the grader's training ({', '.join(per_length)})",
        f"  {len(losses)} Adam steps (lr 1e-2, gradients clipped at norm 1, lengths 2..20 then 10..20)"
        + (f"; {len(scores)} inits trained (validation accuracy {', '.join(f'{v:.3f}' for v in scores)}), the best "
           "kept" if len(scores) > 1 else ""),
        f"  final training loss {losses[-1] if losses else float('nan'):.3f}"
        + (f" (the reference's: {reference[-1]:.3f}; chance level is ln 4 = 1.386)" if reference else ""),
        f"  {reference_summary(T.TASK)}",
    ]
    if accs[0] - accs[-1] > 0.1:
        lines.append(f"  measured: accuracy falls with the sequence length, from {accs[0]:.2f} at T={sets[0][0]} to "
                     f"{accs[-1]:.2f} at T={sets[-1][0]}: the more steps follow the first token, the less of it the "
                     "logits carry")
    elif max(accs) < 0.4:
        lines.append("  measured: near chance (0.25) at every length: the logits do not carry the first token "
                     "(what a state reset at each step, an input ignored, or a head on something constant gives)")
    raise AssertionError("\n".join(line for line in lines if line.strip()))
