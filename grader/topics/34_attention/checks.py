"""Checks for topic 34: scaled_dot_product_attention (34.1), MultiheadAttention (34.2), masked_softmax (34.3),
AdditiveAttention (34.4).

34.1 and 34.2 are "the same as torch's": F.scaled_dot_product_attention on the same inputs, nn.MultiheadAttention
with the same weights (its state_dict loaded into the learner's module). 34.3 and 34.4 have no torch twin; the
expected values are the reference solution's, on the same inputs and weights. Outputs and gradients (wrt every input
and every parameter) must match in float32 and float64 at torch.testing's default tolerances.
"""

from __future__ import annotations

from typing import Any, Mapping

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.kit.checks import few, final_example, known
from grader.kit.compare import assert_same, is_close, mismatch

from . import mistakes as M
from . import recipes as R
from .support import Draw, bound_for, describe_mask, empty_rows, exact_reference, kwargs_text, shape

DTYPES = [torch.float32, torch.float64]
NO_GRAD_HINT = "no gradient reached {}: is it used through autograd (no .data, .detach(), new tensors)?"


def compare_result(got: Any, want: Mapping[str, Any], outputs: list[tuple[str, Any]], grads: list[str],
                   params: bool, where: str, mistakes: Mapping[str, Mapping[str, Any]]) -> None:
    """The learner's forward_backward result vs the expected one: each output (name, index into 'out' or None for the
    whole), then the gradients wrt `grads`, then every parameter's. `mistakes` maps names to their results."""
    if not isinstance(got, Mapping) or "out" not in got:
        raise AssertionError(f"the call returned {type(got).__name__}, not a result, for {where}")

    def part(result: Mapping[str, Any], index: Any) -> Any:
        out = result.get("out")
        if index is None:
            return out
        return out[index] if isinstance(out, (tuple, list)) and len(out) > index else out

    for name, index in outputs:
        expected = part(want, index)
        if index is not None and not isinstance(got["out"], (tuple, list)):
            raise AssertionError(f"the call returned {type(got['out']).__name__}; expected a tuple "
                                 f"(attn_output, attn_weights), for {where}")
        known_outputs = {k: part(v, index) for k, v in mistakes.items()}
        assert_same(part(got, index), expected, what=name, inputs=where, mistakes=known_outputs)
    # The outputs matched: only a mistake whose outputs match too can explain a gradient that differs.
    mistakes = {k: v for k, v in mistakes.items() if all(is_close(part(v, i), part(want, i)) for _, i in outputs)}
    got_grads = got.get("grads") if isinstance(got.get("grads"), Mapping) else {}
    for name in grads:
        expected = want["grads"][name]
        hint = NO_GRAD_HINT.format(name) if got_grads.get(name) is None and expected is not None else ""
        known_grads = {k: v["grads"][name] for k, v in mistakes.items()
                       if isinstance(v.get("grads"), Mapping) and v["grads"].get(name) is not None}
        assert_same(got_grads.get(name), expected, what=f"gradient wrt {name}", inputs=where, mistakes=known_grads,
                    hint=hint)
    if params:
        got_params = got.get("param_grads") if isinstance(got.get("param_grads"), Mapping) else {}
        for name, expected in want["param_grads"].items():
            hint = NO_GRAD_HINT.format(name) if got_params.get(name) is None and expected is not None else ""
            assert_same(got_params.get(name), expected, what=f"gradient wrt parameter {name}", inputs=where,
                        hint=hint)


def assert_parameters(got: Any, want: dict[str, list[int]], cls: str, kwargs: dict[str, Any], of: str) -> None:
    """Fail unless the learner's parameters have the expected names and shapes, saying which are missing, extra or
    wrong."""
    if not isinstance(got, Mapping):
        raise AssertionError(f"parameters of {cls}: expected a mapping of names, got {type(got).__name__}")
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    wrong = [f"{n}: yours {tuple(got[n])}, expected {tuple(want[n])}" for n in want if n in got
             and list(got[n]) != want[n]]
    if missing or extra or wrong:
        lines = [f"parameters of {cls}({kwargs_text(kwargs)}) are not named and shaped as {of}"]
        if missing:
            lines.append(f"  missing: {', '.join(missing)}")
        if extra:
            lines.append(f"  unexpected: {', '.join(extra)}")
        lines.extend(f"  wrong shape: {w}" for w in wrong)
        lines.append(f"  expected: {', '.join(f'{n} {tuple(s)}' for n, s in want.items())}")
        raise AssertionError("\n".join(lines))


# ----------------------------------------------------------------------------------------------------------- 34.1
def sdpa_inputs(lead: tuple[int, ...], length: int, source: int, embed: int, value_dim: int, mask: str,
                mask_shape: str, seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """query (*lead, L, E), key (*lead, S, E), value (*lead, S, Ev) and an attn_mask of kind `mask` (none, bool,
    float) shaped `mask_shape`: 'full' (*lead, L, S), 'LS' (L, S) or 'keys' (*lead, 1, S)."""
    draw = Draw(seed, dtype, device)
    inputs = {"query": draw.randn(*lead, length, embed), "key": draw.randn(*lead, source, embed),
              "value": draw.randn(*lead, source, value_dim)}
    dims = {"full": (*lead, length, source), "LS": (length, source), "keys": (*lead, 1, source)}[mask_shape]
    if mask == "bool":
        inputs["attn_mask"] = draw.bools(*dims, p_true=0.65)
    elif mask == "float":
        inputs["attn_mask"] = draw.float_mask(*dims, p_excluded=0.3)
    return inputs


def describe_sdpa(inputs: dict[str, torch.Tensor], options: dict[str, Any]) -> str:
    parts = [f"query {shape(inputs['query'])}, key {shape(inputs['key'])}, value {shape(inputs['value'])}"]
    mask = inputs.get("attn_mask")
    if mask is not None:
        parts.append(describe_mask("attn_mask", mask))
    parts += [f"{k}={v!r}" for k, v in options.items()]
    text = ", ".join(parts) + f" ({inputs['query'].dtype})"
    scores = (*inputs["query"].shape[:-1], inputs["key"].shape[-2])
    if (n := empty_rows(scores, mask)) > 0:
        text += f"; {n} query row(s) of the mask exclude every key"
    return text


def check_sdpa(learner, inputs: dict[str, torch.Tensor], options: dict[str, Any], device) -> None:
    got = learner.run(R.call_sdpa, inputs, options)
    with exact_reference(device):
        want = R.call_sdpa(F, inputs, options)
    mistakes = known(R.call_sdpa, M.SDPA_MISTAKES, "scaled_dot_product_attention", inputs, options)
    compare_result(got, want, [("output", None)], ["query", "key", "value"], False, describe_sdpa(inputs, options),
                   mistakes)


# name: (lead, L, S, E, Ev, mask kind, mask shape, options, dtype), simplest first.
SDPA_CASES = {
    "no mask": ((2,), 3, 4, 4, 3, "none", "full", {}, torch.float32),
    "unbatched (L, E)": ((), 3, 5, 2, 4, "none", "full", {}, torch.float64),
    "heads (N, H, L, E), L != S, Ev != E": ((2, 3), 2, 5, 4, 3, "none", "full", {}, torch.float32),
    "custom scale": ((2,), 3, 3, 4, 4, "none", "full", {"scale": 0.3}, torch.float64),
    "bool mask (L, S)": ((2,), 4, 4, 3, 3, "bool", "LS", {}, torch.float32),
    "bool padding mask (N, H, 1, S)": ((2, 2), 3, 5, 4, 2, "bool", "keys", {}, torch.float64),
    "float mask with -inf": ((2,), 3, 4, 4, 3, "float", "full", {}, torch.float32),
    "causal, L == S": ((2,), 4, 4, 3, 3, "none", "full", {"is_causal": True}, torch.float32),
    "causal, L < S": ((1,), 2, 5, 3, 2, "none", "full", {"is_causal": True}, torch.float64),
    "causal, L > S": ((1,), 5, 3, 3, 2, "none", "full", {"is_causal": True}, torch.float64),
}


@pytest.mark.task("34.1")
@pytest.mark.parametrize("case", list(SDPA_CASES), ids=list(SDPA_CASES))
def test_sdpa_cases(learner, device, case):
    lead, length, source, embed, value_dim, mask, mask_shape, options, dtype = SDPA_CASES[case]
    check_sdpa(learner, sdpa_inputs(lead, length, source, embed, value_dim, mask, mask_shape, 11, dtype, device),
               options, device)


@pytest.mark.task("34.1")
@pytest.mark.parametrize("kind", ["bool", "float"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sdpa_fully_masked_rows_give_zeros(learner, device, kind, dtype):
    inputs = sdpa_inputs((2,), 3, 4, 4, 3, "none", "full", 5, dtype, device)
    keep = torch.ones(2, 3, 4, dtype=torch.bool, device=device)
    keep[0, 1] = False  # query 1 of batch element 0 may look at nothing
    keep[1, :, 2] = False
    if kind == "bool":
        inputs["attn_mask"] = keep
    else:
        inputs["attn_mask"] = torch.zeros(2, 3, 4, dtype=dtype, device=device).masked_fill(~keep, float("-inf"))
    check_sdpa(learner, inputs, {}, device)


@st.composite
def sdpa_config(draw) -> tuple:
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    length, source, embed, value_dim = (draw(st.integers(1, 5)) for _ in range(4))
    mask = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    mask_shape = draw(st.sampled_from(["full", "LS", "keys"]))
    options: dict[str, Any] = {}
    if mask == "causal":
        options["is_causal"], mask = True, "none"
    if draw(st.booleans()):
        options["scale"] = draw(st.sampled_from([0.25, 1.0, 2.5]))
    return lead, length, source, embed, value_dim, mask, mask_shape, options


@few(20)
@given(config=sdpa_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def sdpa_property(learner, device, config, seed, dtype):
    lead, length, source, embed, value_dim, mask, mask_shape, options = config
    inputs = sdpa_inputs(lead, length, source, embed, value_dim, mask, mask_shape, seed, dtype, device)
    check_sdpa(learner, inputs, options, device)


@pytest.mark.task("34.1")
def test_sdpa_matches_torch(learner, device):
    check_sdpa(learner, sdpa_inputs((2,), 2, 3, 2, 2, "none", "full", 0, torch.float32, device), {}, device)  # probe
    sdpa_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 34.2
def mha_state(kwargs: dict[str, Any], seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """Weights for nn.MultiheadAttention(**kwargs), biases included, drawn U(-b, b) (b = max(1/sqrt(E), 0.5))."""
    module = torch.nn.MultiheadAttention(**kwargs)
    draw = Draw(seed, dtype, device)
    bound = bound_for(kwargs["embed_dim"])
    return {name: draw.uniform(*p.shape, bound=bound) for name, p in module.named_parameters()}


def mha_inputs(kwargs: dict[str, Any], batch: int, length: int, source: int | None, padding: str | None,
               attn: str | None, kind: str, seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """Self-attention input x (source None) or query/key/value, in the module's layout, plus masks of `kind` (bool or
    float): padding 'yes' adds a key_padding_mask (N, S); attn '2d' an attn_mask (L, S), '3d' (N * H, L, S). One key,
    chosen by the seed, stays visible to every query, so no query row is fully masked."""
    draw = Draw(seed, dtype, device)
    embed, heads = kwargs["embed_dim"], kwargs["num_heads"]
    first = kwargs.get("batch_first", False)

    def seq(t: int) -> torch.Tensor:
        return draw.randn(batch, t, embed) if first else draw.randn(t, batch, embed)

    inputs = {"x": seq(length)} if source is None else {"query": seq(length), "key": seq(source), "value": seq(source)}
    s = length if source is None else source
    visible = draw.integer(0, s - 1)

    def mask(*dims: int) -> torch.Tensor:
        if kind == "bool":  # True = masked out
            m = draw.bools(*dims, p_true=0.35)
            m[..., visible] = False
            return m
        m = draw.float_mask(*dims, p_excluded=0.3)
        m[..., visible] = 0.0
        return m

    if padding:
        inputs["key_padding_mask"] = mask(batch, s)
    if attn == "2d":
        inputs["attn_mask"] = mask(length, s)
    elif attn == "3d":
        inputs["attn_mask"] = mask(batch * heads, length, s)
    return inputs


def describe_mha(kwargs: dict[str, Any], inputs: dict[str, torch.Tensor], options: dict[str, Any]) -> str:
    if "x" in inputs:
        parts = [f"self-attention on x {shape(inputs['x'])}"]
    else:
        parts = [f"query {shape(inputs['query'])}, key {shape(inputs['key'])}, value {shape(inputs['value'])}"]
    for name in ("key_padding_mask", "attn_mask"):
        if name in inputs:
            parts.append(describe_mask(name, inputs[name]))
    parts += [f"{k}={v!r}" for k, v in options.items()]
    dtype = next(iter(inputs.values())).dtype
    return f"MultiheadAttention({kwargs_text(kwargs)}): " + ", ".join(parts) + f" ({dtype})"


def check_mha(learner, kwargs: dict[str, Any], inputs: dict[str, torch.Tensor], options: dict[str, Any], seed: int,
              device) -> None:
    dtype = next(iter(inputs.values())).dtype
    state = mha_state(kwargs, seed, dtype, device)
    self_attention = "x" in inputs
    wrt = ["x"] if self_attention else ["query", "key", "value"]
    args = ("MultiheadAttention", kwargs, state, inputs, options, wrt, self_attention, dtype, device.type)
    got = learner.run(R.module_forward, *args)
    with exact_reference(device):
        want = R.module_forward(torch.nn, *args)
    mistakes = {}
    if final_example() and mismatch(got.get("out") if isinstance(got, Mapping) else got, want["out"]) is not None:
        for name, fn in M.MHA_MISTAKES.items():
            try:
                mistakes[name] = {"out": fn(state, kwargs, inputs, options)}
            except Exception:
                continue
    outputs = [("attn_output", 0), ("attn_weights", 1)]
    compare_result(got, want, outputs, wrt, True, describe_mha(kwargs, inputs, options), mistakes)


MHA_KWARGS = [dict(embed_dim=6, num_heads=2), dict(embed_dim=4, num_heads=4, bias=False, batch_first=True)]


@pytest.mark.task("34.2")
@pytest.mark.parametrize("kwargs", MHA_KWARGS, ids=kwargs_text)
def test_mha_parameters(learner, kwargs):
    got = learner.run(R.parameter_shapes, "MultiheadAttention", kwargs)
    want = R.parameter_shapes(torch.nn, "MultiheadAttention", kwargs)
    assert_parameters(got, want, "MultiheadAttention", kwargs, "torch.nn.MultiheadAttention's")


BF = dict(batch_first=True)
# name: (kwargs, N, L, S (None = self-attention), key_padding_mask?, attn_mask (None, '2d', '3d'), mask kind,
#        options, dtype), simplest first.
MHA_CASES = {
    "self-attention, batch_first": (dict(embed_dim=6, num_heads=2, **BF), 2, 3, None, None, None, "bool", {},
                                    torch.float32),
    "self-attention, (L, N, E) layout": (dict(embed_dim=6, num_heads=2), 2, 3, None, None, None, "bool", {},
                                         torch.float32),
    "cross-attention, L != S": (dict(embed_dim=6, num_heads=3, **BF), 2, 2, 4, None, None, "bool", {}, torch.float64),
    "one head": (dict(embed_dim=4, num_heads=1, **BF), 2, 3, None, None, None, "bool", {}, torch.float32),
    "bool key_padding_mask": (dict(embed_dim=6, num_heads=2, **BF), 3, 4, None, "yes", None, "bool", {},
                              torch.float32),
    "float key_padding_mask": (dict(embed_dim=6, num_heads=2, **BF), 2, 2, 4, "yes", None, "float", {},
                               torch.float64),
    "bool attn_mask (L, S)": (dict(embed_dim=6, num_heads=2, **BF), 2, 4, None, None, "2d", "bool", {},
                              torch.float32),
    "bool attn_mask (N * H, L, S)": (dict(embed_dim=6, num_heads=3, **BF), 2, 3, 4, None, "3d", "bool", {},
                                     torch.float64),
    "float attn_mask and key_padding_mask": (dict(embed_dim=4, num_heads=2), 2, 3, 3, "yes", "2d", "float", {},
                                             torch.float32),
    "per-head weights": (dict(embed_dim=6, num_heads=3, **BF), 2, 3, 4, "yes", "3d", "bool",
                         {"average_attn_weights": False}, torch.float64),
    "need_weights=False": (dict(embed_dim=6, num_heads=2), 2, 3, None, "yes", None, "bool", {"need_weights": False},
                           torch.float32),
    "no bias, float64": (dict(embed_dim=4, num_heads=2, bias=False, **BF), 2, 3, 2, None, None, "bool", {},
                         torch.float64),
}


@pytest.mark.task("34.2")
@pytest.mark.parametrize("case", list(MHA_CASES), ids=list(MHA_CASES))
def test_mha_cases(learner, device, case):
    kwargs, batch, length, source, padding, attn, kind, options, dtype = MHA_CASES[case]
    inputs = mha_inputs(kwargs, batch, length, source, padding, attn, kind, 7, dtype, device)
    check_mha(learner, kwargs, inputs, options, 7, device)


@st.composite
def mha_config(draw) -> tuple:
    heads = draw(st.integers(1, 3))
    kwargs: dict[str, Any] = dict(embed_dim=heads * draw(st.integers(1, 3)), num_heads=heads)
    if not draw(st.booleans()):
        kwargs["bias"] = False
    if draw(st.booleans()):
        kwargs["batch_first"] = True
    batch, length = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    source = draw(st.one_of(st.none(), st.integers(1, 4)))
    padding = draw(st.sampled_from([None, "yes"]))
    attn = draw(st.sampled_from([None, "2d", "3d"]))
    kind = draw(st.sampled_from(["bool", "float"]))
    options: dict[str, Any] = {}
    if not draw(st.booleans()):
        options["need_weights"] = False
    elif draw(st.booleans()):
        options["average_attn_weights"] = False
    return kwargs, batch, length, source, padding, attn, kind, options


@settings(few(20))
@given(config=mha_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def mha_property(learner, device, config, seed, dtype):
    kwargs, batch, length, source, padding, attn, kind, options = config
    inputs = mha_inputs(kwargs, batch, length, source, padding, attn, kind, seed, dtype, device)
    check_mha(learner, kwargs, inputs, options, seed, device)


@pytest.mark.task("34.2")
def test_mha_matches_torch(learner, device):
    kwargs = dict(embed_dim=4, num_heads=2)
    check_mha(learner, kwargs, mha_inputs(kwargs, 2, 2, None, None, None, "bool", 0, torch.float32, device), {}, 0,
              device)  # probe
    mha_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 34.3
def softmax_inputs(lead: tuple[int, ...], source: int, mask_shape: str | None, seed: int, dtype, device):
    """scores (*lead, S) and a bool mask shaped like it ('full'), broadcast from (S,) ('last') or from (*lead[:-1],
    1, S) ('rows'), or None."""
    draw = Draw(seed, dtype, device)
    scores = draw.randn(*lead, source, scale=2.0)
    if mask_shape is None:
        return scores, None
    dims = {"full": (*lead, source), "last": (source,), "rows": (*lead[:-1], 1, source) if lead else (source,)}
    return scores, draw.bools(*dims[mask_shape], p_true=0.6)


def check_masked_softmax(learner, reference, scores: torch.Tensor, mask: torch.Tensor | None) -> None:
    got = learner.run(R.call_masked_softmax, scores, mask)
    want = R.call_masked_softmax(reference, scores, mask)
    where = f"scores {shape(scores)}" + (f", bool mask {shape(mask)}" if mask is not None else ", mask=None")
    where += f" ({scores.dtype})"
    if (n := empty_rows(tuple(scores.shape), mask)) > 0:
        where += f"; {n} row(s) with no True entry"
    mistakes = known(R.call_masked_softmax, M.MASKED_SOFTMAX_MISTAKES, "masked_softmax", scores, mask)
    compare_result(got, want, [("masked_softmax(scores, mask)", None)], ["scores"], False, where, mistakes)


MASKED_CASES = {
    "mask=None": ((3,), 4, None, torch.float32),
    "mask like scores": ((2, 3), 5, "full", torch.float32),
    "mask (S,) broadcast": ((3,), 4, "last", torch.float64),
    "mask (N, 1, S) broadcast": ((2, 3), 4, "rows", torch.float64),
}


@pytest.mark.task("34.3")
@pytest.mark.parametrize("case", list(MASKED_CASES), ids=list(MASKED_CASES))
def test_masked_softmax_cases(learner, reference, device, case):
    lead, source, mask_shape, dtype = MASKED_CASES[case]
    check_masked_softmax(learner, reference, *softmax_inputs(lead, source, mask_shape, 3, dtype, device))


@pytest.mark.task("34.3")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_masked_softmax_rows_without_keys_are_zero(learner, reference, device, dtype):
    scores = Draw(2, dtype, device).randn(3, 4)
    mask = torch.tensor([[True, False, True, False], [False, False, False, False], [True, True, True, True]],
                        device=device)
    check_masked_softmax(learner, reference, scores, mask)


@few(20)
@given(lead=st.lists(st.integers(1, 3), max_size=3).map(tuple), source=st.integers(1, 5),
       mask_shape=st.sampled_from([None, "full", "last", "rows"]), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(DTYPES))
def masked_softmax_property(learner, reference, device, lead, source, mask_shape, seed, dtype):
    check_masked_softmax(learner, reference, *softmax_inputs(lead, source, mask_shape, seed, dtype, device))


@pytest.mark.task("34.3")
def test_masked_softmax_matches_the_reference(learner, reference, device):
    check_masked_softmax(learner, reference, *softmax_inputs((2,), 3, "full", 0, torch.float32, device))  # probe
    masked_softmax_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 34.4
ADDITIVE_NAMES = {"W_q.weight": ("hidden_size", "query_size"), "W_k.weight": ("hidden_size", "key_size"),
                  "w_v.weight": (1, "hidden_size")}


def additive_shapes(kwargs: dict[str, Any]) -> dict[str, list[int]]:
    return {n: [d if isinstance(d, int) else kwargs[d] for d in dims] for n, dims in ADDITIVE_NAMES.items()}


def additive_state(kwargs: dict[str, Any], seed: int, dtype, device) -> dict[str, torch.Tensor]:
    draw = Draw(seed, dtype, device)
    return {n: draw.uniform(*s, bound=bound_for(s[1])) for n, s in additive_shapes(kwargs).items()}


def additive_inputs(kwargs: dict[str, Any], batch: int, queries: int, keys: int, value_dim: int, mask: str | None,
                    seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """query (B, Lq, query_size), key (B, Lk, key_size), value (B, Lk, Dv) and a bool mask ('padding': (B, Lk),
    'rows': (B, Lq, Lk)) or none."""
    draw = Draw(seed, dtype, device)
    inputs = {"query": draw.randn(batch, queries, kwargs["query_size"]),
              "key": draw.randn(batch, keys, kwargs["key_size"]), "value": draw.randn(batch, keys, value_dim)}
    if mask == "padding":
        inputs["mask"] = draw.bools(batch, keys, p_true=0.6)
    elif mask == "rows":
        inputs["mask"] = draw.bools(batch, queries, keys, p_true=0.6)
    return inputs


def check_additive(learner, reference, kwargs: dict[str, Any], inputs: dict[str, torch.Tensor], seed: int,
                   device) -> None:
    dtype = inputs["query"].dtype
    state = additive_state(kwargs, seed, dtype, device)
    args = ("AdditiveAttention", kwargs, state, inputs, {}, ["query", "key", "value"], False, dtype, device.type)
    got = learner.run(R.module_forward, *args)
    want = R.module_forward(reference, *args)
    mask = inputs.get("mask")
    where = (f"AdditiveAttention({kwargs_text(kwargs)}) on query {shape(inputs['query'])}, key "
             f"{shape(inputs['key'])}, value {shape(inputs['value'])}"
             + (f", {describe_mask('mask', mask)}" if mask is not None else ", mask=None") + f" ({dtype})")
    if mask is not None:
        full = mask.unsqueeze(1) if mask.dim() == 2 else mask
        rows = (inputs["query"].shape[0], inputs["query"].shape[1], inputs["key"].shape[1])
        if (n := empty_rows(rows, full)) > 0:
            where += f"; {n} query row(s) with every key masked out"
    mistakes = {}
    if final_example() and mismatch(got.get("out") if isinstance(got, Mapping) else got, want["out"]) is not None:
        for name, fn in M.ADDITIVE_MISTAKES.items():
            try:
                mistakes[name] = {"out": fn(state, kwargs, inputs, {})}
            except Exception:
                continue
    compare_result(got, want, [("output", 0), ("attention weights", 1)], ["query", "key", "value"], True, where,
                   mistakes)


ADDITIVE_KWARGS = [dict(query_size=3, key_size=2, hidden_size=4), dict(query_size=1, key_size=5, hidden_size=2)]


@pytest.mark.task("34.4")
@pytest.mark.parametrize("kwargs", ADDITIVE_KWARGS, ids=kwargs_text)
def test_additive_parameters(learner, kwargs):
    got = learner.run(R.parameter_shapes, "AdditiveAttention", kwargs)
    assert_parameters(got, additive_shapes(kwargs), "AdditiveAttention", kwargs, "the contract's (W_q, W_k, w_v)")


K34 = dict(query_size=3, key_size=2, hidden_size=4)
# name: (kwargs, B, Lq, Lk, Dv, mask, dtype)
ADDITIVE_CASES = {
    "no mask": (K34, 2, 3, 4, 2, None, torch.float32),
    "padding mask (B, Lk)": (K34, 2, 3, 4, 3, "padding", torch.float32),
    "padding mask (B, Lk) with B == Lq": (K34, 3, 3, 4, 2, "padding", torch.float64),
    "per-query mask (B, Lq, Lk)": (K34, 2, 3, 5, 2, "rows", torch.float64),
    "one query, one key": (dict(query_size=2, key_size=2, hidden_size=3), 1, 1, 1, 1, None, torch.float32),
}


@pytest.mark.task("34.4")
@pytest.mark.parametrize("case", list(ADDITIVE_CASES), ids=list(ADDITIVE_CASES))
def test_additive_cases(learner, reference, device, case):
    kwargs, batch, queries, keys, value_dim, mask, dtype = ADDITIVE_CASES[case]
    inputs = additive_inputs(kwargs, batch, queries, keys, value_dim, mask, 13, dtype, device)
    check_additive(learner, reference, kwargs, inputs, 13, device)


@pytest.mark.task("34.4")
def test_additive_fully_masked_query_gets_zero_weights(learner, reference, device):
    inputs = additive_inputs(K34, 2, 2, 3, 2, None, 4, torch.float64, device)
    inputs["mask"] = torch.tensor([[True, False, True], [False, False, False]], device=device)
    check_additive(learner, reference, K34, inputs, 4, device)


@st.composite
def additive_config(draw) -> tuple:
    kwargs = dict(query_size=draw(st.integers(1, 4)), key_size=draw(st.integers(1, 4)),
                  hidden_size=draw(st.integers(1, 4)))
    return (kwargs, draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4)),
            draw(st.integers(1, 3)), draw(st.sampled_from([None, "padding", "rows"])))


@few(15)
@given(config=additive_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def additive_property(learner, reference, device, config, seed, dtype):
    kwargs, batch, queries, keys, value_dim, mask = config
    inputs = additive_inputs(kwargs, batch, queries, keys, value_dim, mask, seed, dtype, device)
    check_additive(learner, reference, kwargs, inputs, seed, device)


@pytest.mark.task("34.4")
def test_additive_matches_the_reference(learner, reference, device):
    inputs = additive_inputs(K34, 1, 2, 2, 2, None, 0, torch.float32, device)
    check_additive(learner, reference, K34, inputs, 0, device)  # probe
    additive_property(learner, reference, device)
