"""Checks of topic 33: LSTM same as torch.nn.LSTM (33.1), variable lengths as packed sequences (33.2), the
truncated-BPTT loop (33.3), and the LSTM trained with that loop on the latch task (33.4).

33.1-33.2 build torch.nn.LSTM here (trusted), draw its weights, load its state_dict into the learner's LSTM and
compare output, h_n, c_n and the gradients wrt the input, h0, c0 and every parameter, in float32 and float64; with
lengths, torch's results come from pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence(total_length=T).
33.3 runs the learner's train_tbptt and the reference's on the grader's own LSTM with the same weights and an
optimizer that records, at every step, which input time steps the gradient reached.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.checks import few, final_example, require
from grader.kit.compare import assert_same, mismatch
from grader.kit.recipes import forward_backward

from . import mistakes as M
from . import recipes as R
from . import training as T

DTYPES = [torch.float32, torch.float64]
FEW = few(15)


def kwargs_text(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def reference_state(kwargs: dict[str, Any], seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """Weights for torch.nn.LSTM(**kwargs), each drawn U(-k, k) from a seed (k = max(1/sqrt(H), 0.5))."""
    module = torch.nn.LSTM(**kwargs)
    gen = torch.Generator().manual_seed(seed)
    bound = max(1 / math.sqrt(kwargs["hidden_size"]), 0.5)
    return {name: ((torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dtype=dtype,
                                                                                               device=device)
            for name, p in module.named_parameters()}


def make_inputs(kwargs: dict[str, Any], batch: int, steps: int, with_hx: bool, seed: int, dtype, device
                ) -> dict[str, torch.Tensor]:
    """{'input': x} (batch first when kwargs say so), plus 'h0' and 'c0' when with_hx."""
    gen = torch.Generator().manual_seed(seed + 1)

    def draw(*shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)

    size, hidden = kwargs["input_size"], kwargs["hidden_size"]
    x = draw(batch, steps, size) if kwargs.get("batch_first", False) else draw(steps, batch, size)
    inputs = {"input": x}
    if with_hx:
        layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional", False) else 1)
        inputs["h0"], inputs["c0"] = draw(layers, batch, hidden), draw(layers, batch, hidden)
    return inputs


def draw_lengths(batch: int, steps: int, seed: int) -> torch.Tensor:
    """(B,) int64 on the CPU, uniform in [1, T], one of them T, one shorter when B > 1 and T > 1, unsorted."""
    gen = torch.Generator().manual_seed(seed + 2)
    lengths = torch.randint(1, steps + 1, (batch,), generator=gen)
    lengths[0] = steps
    if batch > 1 and steps > 1:
        lengths[-1] = int(torch.randint(1, steps, (1,), generator=gen))
    return lengths[torch.randperm(batch, generator=gen)]


def torch_forward(kwargs, state, inputs, lengths, dtype, device) -> dict[str, Any]:
    """torch.nn.LSTM's result with `state`: forward_backward of (output, (h_n, c_n)), packed when lengths is given."""
    module = torch.nn.LSTM(**kwargs).to(device=device, dtype=dtype)
    module.load_state_dict(state)
    batch_first = kwargs.get("batch_first", False)

    def call(input, h0=None, c0=None):
        hx = None if h0 is None else (h0, c0)
        if lengths is None:
            return module(input, hx)
        packed = pack_padded_sequence(input, lengths, batch_first=batch_first, enforce_sorted=False)
        out, final = module(packed, hx)
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=input.shape[1 if batch_first else 0])
        return out, final

    # cuDNN's RNN kernels compute float32 in TF32 by default: the reference must not. On the CPU, torch's native
    # kernel instead of oneDNN's, which spends about a second building its primitives for every new shape.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # oneDNN's note that TF32 is for Intel GPUs only
        with torch.backends.cudnn.flags(enabled=False), torch.backends.mkldnn.flags(enabled=False):
            return forward_backward(call, inputs, wrt=list(inputs), params=dict(module.named_parameters()))


def describe(kwargs, inputs, lengths) -> str:
    shapes = ", ".join(f"{name} of shape {tuple(t.shape)}" for name, t in inputs.items())
    hx = "" if "h0" in inputs else ", hx=None"
    extra = "" if lengths is None else f", lengths={lengths.tolist()}"
    return f"LSTM({kwargs_text(kwargs)}) on {shapes} ({str(inputs['input'].dtype)[6:]}){hx}{extra}"


PARTS = (("output", ("out", 0)), ("h_n", ("out", 1, 0)), ("c_n", ("out", 1, 1)))


def pick(result: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(result, Mapping):
            result = result.get(key)
        elif isinstance(result, (tuple, list)) and isinstance(key, int) and key < len(result):
            result = result[key]
        else:
            return None
    return result


def check_lstm(learner, device, kwargs, batch, steps, with_hx, seed, dtype, lengths_on: bool = False) -> None:
    """The learner's LSTM vs torch.nn.LSTM with the same weights: output, h_n, c_n, then the gradients."""
    state = reference_state(kwargs, seed, dtype, device)
    inputs = make_inputs(kwargs, batch, steps, with_hx, seed, dtype, device)
    lengths = draw_lengths(batch, steps, seed) if lengths_on else None
    got = learner.run(R.lstm_forward, kwargs, state, inputs, lengths, dtype, device.type)
    want = torch_forward(kwargs, state, inputs, lengths, dtype, device)
    where = describe(kwargs, inputs, lengths)
    require(isinstance(got, Mapping), f"LSTM: the call returned {type(got).__name__}, not a result\n  for {where}")
    out = got.get("out")
    require(isinstance(out, (tuple, list)) and len(out) == 2 and isinstance(out[1], (tuple, list))
            and len(out[1]) == 2,
            f"LSTM.forward returned {type(out).__name__}, expected (output, (h_n, c_n)) as nn.LSTM does\n  for {where}")
    table = {**M.LSTM_MISTAKES, **(M.LENGTH_MISTAKES if lengths_on else {})}
    for label, path in PARTS:
        actual, expected = pick(got, path), pick(want, path)
        if mismatch(actual, expected) is None:
            continue
        known = {}
        if final_example():
            for name, fn in table.items():
                try:
                    known[name] = pick({"out": fn(state, kwargs, inputs, lengths)}, path)
                except Exception:  # a mistake that cannot run on this input names nothing
                    continue
        assert_same(actual, expected, what=label, inputs=where, mistakes=known)
    got_grads = got.get("grads") if isinstance(got.get("grads"), Mapping) else {}
    for name, expected in want["grads"].items():
        hint = "" if got_grads.get(name) is not None else (
            f"no gradient reached {name}: is it used through autograd (no .detach(), .data, new tensors)?")
        if lengths_on and name == "input" and got_grads.get(name) is not None:
            hint = "the padding (t >= lengths[b]) must get no gradient: never let it into a kept state or output"
        assert_same(got_grads.get(name), expected, what=f"gradient wrt {name}", inputs=where, hint=hint)
    got_params = got.get("param_grads") if isinstance(got.get("param_grads"), Mapping) else {}
    for name, expected in want["param_grads"].items():
        hint = "" if got_params.get(name) is not None else (
            f"no gradient reached parameter {name}: is it used through autograd, and registered under that name?")
        assert_same(got_params.get(name), expected, what=f"gradient wrt parameter {name}", inputs=where, hint=hint)


def check_parameters(learner, kwargs: dict[str, Any]) -> None:
    """The learner's LSTM(**kwargs) has exactly nn.LSTM's state_dict keys and shapes."""
    got = learner.run(R.parameter_shapes, kwargs)
    want = {name: list(t.shape) for name, t in torch.nn.LSTM(**kwargs).state_dict().items()}
    require(isinstance(got, Mapping), f"state_dict of LSTM: expected a mapping, got {type(got).__name__}")
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    wrong = [f"{n}: yours {tuple(got[n])}, expected {tuple(want[n])}" for n in want if n in got and got[n] != want[n]]
    if missing or extra or wrong:
        lines = [f"state_dict of LSTM({kwargs_text(kwargs)}) does not have torch.nn.LSTM's keys and shapes"]
        if missing:
            lines.append(f"  missing: {', '.join(missing)}")
        if extra:
            lines.append(f"  unexpected: {', '.join(extra)} (nn.LSTMCell submodules? keep them out of the state_dict)")
        lines.extend(f"  wrong shape: {w}" for w in wrong)
        lines.append(f"  expected: {', '.join(f'{n} {tuple(s)}' for n, s in want.items())}")
        raise AssertionError("\n".join(lines))


@st.composite
def lstm_config(draw) -> tuple[dict[str, Any], int, int, bool]:
    kwargs: dict[str, Any] = dict(input_size=draw(st.integers(1, 3)), hidden_size=draw(st.integers(1, 4)))
    # Only the non-default settings are passed, so the defaults get exercised too.
    if (layers := draw(st.integers(1, 3))) > 1:
        kwargs["num_layers"] = layers
    for flag in ("bidirectional", "batch_first"):
        if draw(st.booleans()):
            kwargs[flag] = True
    if not draw(st.booleans()):
        kwargs["bias"] = False
    return kwargs, draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.booleans())


# ----------------------------------------------------------------------------------------------------------- 33.1
PARAM_KWARGS = [
    dict(input_size=3, hidden_size=4),
    dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True),
    dict(input_size=2, hidden_size=3, num_layers=3, bias=False, batch_first=True),
]


@pytest.mark.task("33.1")
@pytest.mark.parametrize("kwargs", PARAM_KWARGS, ids=kwargs_text)
def test_lstm_parameters(learner, kwargs):
    check_parameters(learner, kwargs)


# (kwargs, batch, steps, (h0, c0) given, dtype), simplest first so the first failure is the telling one.
LSTM_CASES = {
    "one layer": (dict(input_size=3, hidden_size=4), 2, 4, True, torch.float32),
    "hx=None": (dict(input_size=3, hidden_size=4), 2, 3, False, torch.float32),
    "batch_first": (dict(input_size=3, hidden_size=4, batch_first=True), 3, 4, True, torch.float32),
    "two layers": (dict(input_size=3, hidden_size=4, num_layers=2), 2, 3, True, torch.float64),
    "no bias": (dict(input_size=2, hidden_size=3, bias=False), 2, 3, True, torch.float32),
    "bidirectional": (dict(input_size=3, hidden_size=4, bidirectional=True), 2, 4, True, torch.float32),
    "bidirectional, two layers, float64": (
        dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), 2, 4, True, torch.float64),
    "bidirectional, batch_first, three layers, hx=None": (
        dict(input_size=2, hidden_size=3, num_layers=3, bidirectional=True, batch_first=True), 3, 4, False,
        torch.float32),
    "one time step": (dict(input_size=2, hidden_size=3, num_layers=2, bidirectional=True), 2, 1, True, torch.float64),
}


@pytest.mark.task("33.1")
@pytest.mark.parametrize("case", list(LSTM_CASES))
def test_lstm_cases(learner, device, case):
    kwargs, batch, steps, with_hx, dtype = LSTM_CASES[case]
    check_lstm(learner, device, kwargs, batch, steps, with_hx, 9, dtype)


@FEW
@given(config=lstm_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def lstm_property(learner, device, config, seed, dtype):
    kwargs, batch, steps, with_hx = config
    check_lstm(learner, device, kwargs, batch, steps, with_hx, seed, dtype)


@pytest.mark.task("33.1")
def test_lstm_matches_torch(learner, device):
    # A plain call first: code that raises fails here at once instead of being shrunk by hypothesis.
    check_lstm(learner, device, dict(input_size=2, hidden_size=3), 2, 2, True, 0, torch.float32)
    lstm_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 33.2
LENGTH_CASES = {
    "one layer, padded": (dict(input_size=3, hidden_size=4), 3, 5, True, torch.float32),
    "every sequence full length": (dict(input_size=3, hidden_size=4, num_layers=2), 1, 4, True, torch.float64),
    "batch_first, hx=None": (dict(input_size=3, hidden_size=4, batch_first=True), 4, 5, False, torch.float32),
    "two layers, padded": (dict(input_size=2, hidden_size=3, num_layers=2), 3, 5, True, torch.float64),
    "bidirectional, padded": (dict(input_size=3, hidden_size=4, bidirectional=True), 4, 5, True, torch.float32),
    "bidirectional, batch_first, three layers": (
        dict(input_size=2, hidden_size=3, num_layers=3, bidirectional=True, batch_first=True), 3, 4, True,
        torch.float64),
}


@pytest.mark.task("33.2")
@pytest.mark.parametrize("case", list(LENGTH_CASES))
def test_lengths_cases(learner, device, case):
    kwargs, batch, steps, with_hx, dtype = LENGTH_CASES[case]
    check_lstm(learner, device, kwargs, batch, steps, with_hx, 4, dtype, lengths_on=True)


@FEW
@given(config=lstm_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def lengths_property(learner, device, config, seed, dtype):
    kwargs, batch, steps, with_hx = config
    check_lstm(learner, device, kwargs, batch, steps, with_hx, seed, dtype, lengths_on=True)


@pytest.mark.task("33.2")
def test_lengths_match_packed_sequences(learner, device):
    check_lstm(learner, device, dict(input_size=2, hidden_size=3), 2, 3, True, 0, torch.float32, lengths_on=True)
    lengths_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 33.3
def tbptt_state(sizes: tuple[int, int, int], seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """Weights of the grader's LSTM and head, 'model.*' and 'head.*', each U(-0.5, 0.5) from a seed."""
    input_size, hidden_size, num_classes = sizes
    shapes = {"model.weight_ih_l0": (4 * hidden_size, input_size), "model.weight_hh_l0": (4 * hidden_size, hidden_size),
              "model.bias_ih_l0": (4 * hidden_size,), "model.bias_hh_l0": (4 * hidden_size,),
              "head.weight": (num_classes, hidden_size), "head.bias": (num_classes,)}
    gen = torch.Generator().manual_seed(seed)
    return {k: (torch.rand(s, generator=gen, dtype=torch.float64) - 0.5).to(dtype=dtype, device=device)
            for k, s in shapes.items()}


def chunk_reach(steps: int, chunk_len: int) -> list[list[int]]:
    return [[s, min(s + chunk_len, steps) - 1, min(s + chunk_len, steps) - s] for s in range(0, steps, chunk_len)]


def check_tbptt(learner, reference, device, batch: int, steps: int, chunk_len: int, seed: int, dtype,
                lr: float = 0.5) -> None:
    sizes = (3, 4, 3)
    state = tbptt_state(sizes, seed, dtype, device)
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, steps, sizes[0], generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)
    y = torch.randint(0, sizes[2], (batch, steps), generator=gen).to(device)
    args = (sizes, state, x, y, chunk_len, lr, dtype)
    got = learner.run(R.run_tbptt, *args)
    want = R.run_tbptt(reference, *args)
    where = (f"train_tbptt on the grader's batch-first LSTM(3, 4) and Linear(4, 3) head (weights seed {seed}, "
             f"{str(dtype)[6:]}), x of shape {tuple(x.shape)}, chunk_len={chunk_len}, the grader's SGD(lr={lr})")
    require(isinstance(got, Mapping), f"the call returned {type(got).__name__}\n  for {where}")
    if got.get("graph_error"):
        raise AssertionError(
            f"a chunk's backward ran into the graph of an earlier chunk: torch raised \"{got['graph_error']}\" after "
            f"{len(got.get('reach', []))} optimizer step(s)\n  for {where}\n  this matches a known mistake: the "
            f"state is not detached between chunks (detach h and c)")
    # Losses compared as tensors of the model's dtype: torch.testing's tolerances for that dtype.
    as_losses = lambda values: (torch.tensor(values, dtype=dtype)  # noqa: E731
                                if isinstance(values, list) and all(isinstance(v, float) for v in values) else values)
    known: dict[str, Any] = {}
    if mismatch(as_losses(got.get("losses")), as_losses(want["losses"])) is not None and final_example():
        for name, fn in M.TBPTT_MISTAKES.items():
            try:
                known[name] = as_losses(R.run_tbptt(M.namespace_of(train_tbptt=fn), *args)["losses"])
            except Exception:
                continue
    want_reach = chunk_reach(steps, chunk_len)
    got_reach = got.get("reach", [])
    require(len(got_reach) == len(want_reach),
            f"train_tbptt took {len(got_reach)} optimizer steps, expected {len(want_reach)}: one per chunk of "
            f"{chunk_len} steps over T={steps}\n  for {where}")
    for k, (g, w) in enumerate(zip(got_reach, want_reach)):
        if list(g) != w:
            seen = "no input time step" if g[2] == 0 else f"input time steps t={g[0]}..{g[1]} ({g[2]} of them)"
            raise AssertionError(
                f"the backward of chunk {k + 1} reached {seen}; exactly its own chunk, t={w[0]}..{w[1]}, was "
                f"expected\n  for {where}"
                + ("\n  hint: detach the state carried into the next chunk (h and c)" if g[0] < w[0] and g[2] else
                   "\n  hint: do not detach x or the chunk itself; only the carried state" if g[2] == 0 else ""))
    assert_same(as_losses(got.get("losses")), as_losses(want["losses"]),
                what="the losses loss_fn computed, chunk by chunk", inputs=where, mistakes=known)
    returned = got.get("returned")
    require(isinstance(returned, list) and len(returned) == len(want_reach),
            f"train_tbptt returned {type(returned).__name__ if not isinstance(returned, list) else len(returned)}"
            f"{' values' if isinstance(returned, list) else ''}, expected a list of {len(want_reach)} floats, one "
            f"loss per chunk\n  for {where}")
    assert_same(as_losses(returned), as_losses(want["returned"]), what="the losses train_tbptt returned", inputs=where)
    for name, expected in want["params"].items():
        assert_same(got["params"].get(name), expected, what=f"parameter {name} after the pass", inputs=where)


TBPTT_CASES = {
    "T=12 in chunks of 4": (2, 12, 4, 1, torch.float64),
    "T=10 in chunks of 4 (a short last chunk)": (3, 10, 4, 2, torch.float32),
    "one chunk": (2, 5, 5, 3, torch.float64),
    "chunks of 1": (2, 4, 1, 4, torch.float32),
}


@pytest.mark.task("33.3")
@pytest.mark.parametrize("case", list(TBPTT_CASES))
def test_tbptt_cases(learner, reference, device, case):
    batch, steps, chunk_len, seed, dtype = TBPTT_CASES[case]
    check_tbptt(learner, reference, device, batch, steps, chunk_len, seed, dtype)


@few(8)
@given(batch=st.integers(1, 3), steps=st.integers(1, 10), chunk_len=st.integers(2, 5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(DTYPES))
def tbptt_property(learner, reference, device, batch, steps, chunk_len, seed, dtype):
    check_tbptt(learner, reference, device, batch, steps, chunk_len, seed, dtype)


@pytest.mark.task("33.3")
def test_tbptt_matches_the_reference(learner, reference, device):
    tbptt_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 33.4
@pytest.mark.task("33.4")
def test_lstm_learns_the_latch_with_tbptt(learner, device, curves):
    curves.reference = reference_losses(T.TASK)
    result = T.run(learner, T.TASK.check_seed, device.type)
    require(isinstance(result, Mapping), f"training returned {type(result).__name__}")
    losses = [float(v) for v in result.get("losses", [])]
    curves.yours = losses
    metrics = T.measure(result, T.TASK.check_seed)
    if T.TASK.passes(metrics):
        return
    problems = []
    bad, first = T.reach_mismatches(result)
    if bad:
        problems.append(f"the gradient did not keep to its own chunk {bad} time(s) ({first})")
    if not all(math.isfinite(v) for v in losses):
        problems.append("the training loss became nan/inf")
    final = metrics["final_loss"]
    problems.append(f"mean training loss of the last {R.LAST_CALLS} passes "
                    + (f"{final:.3f} (needs <= {T.MARKS[1].threshold:g})" if math.isfinite(final) else
                       "unavailable (the passes did not all run)"))
    problems.append(f"held-out accuracy {metrics['accuracy']:.3f} on 400-step sequences read whole (needs >= "
                    f"{T.MARKS[2].threshold:g})")
    raise AssertionError("after the grader's training with your LSTM and train_tbptt: " + "; ".join(problems) + ". "
                         + reference_summary(T.TASK))
