"""Checks of topic 54: CausalSelfAttention (54.1), the KV cache in attention and in GPT (54.2), next_token_probs and
sample_next (54.3), generate (54.4), a GPT trained on balanced brackets (54.5).

54.1/54.2 compare with torch's scaled_dot_product_attention on the same weights (loaded with load_state_dict):
outputs and gradients wrt x, the cache and every parameter, float32 and float64; plus a causality property (the
output at t does not move when later tokens change). The GPT cache check is self-consistency: the learner's GPT fed
a few tokens at a time must give its own full forward's logits. 54.3 compares the filtered distribution with the
reference exactly and tests the draws statistically (Hoeffding bounds, false-failure rate grader.kit.stats
.FALSE_FAILURE_RATE per check). 54.4 drives the learner's generate with the grader's stand-in model and checks the
calls it makes and the tokens it returns.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Mapping

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.engine.harness import LearnerCodeError
from grader.kit.calibration import missed_text, reference_losses, reference_summary
from grader.kit.checks import few, final_example, randn, require, run_mistakes
from grader.kit.compare import assert_same, mismatch
from grader.kit.stats import FALSE_FAILURE_RATE, hoeffding_halfwidth

from . import mistakes as M
from . import recipes as R
from . import support as S
from . import training as T

DTYPES = [torch.float32, torch.float64]
FEW = few(15)


# ----------------------------------------------------------------------------------------------------- 54.1, 54.2
def attention_inputs(batch: int, steps: int, n_head: int, head_dim: int, past: int | None, seed: int, dtype, device):
    """x (B, T, C) and the cache (past_k, past_v), each (B, H, P, D), or None, from a seed."""
    channels = n_head * head_dim
    x = randn((batch, steps, channels), seed, dtype, device)
    if past is None:
        return x, None
    cache = randn((2, batch, n_head, past, head_dim), seed + 1, dtype, device)
    return x, (cache[0], cache[1])


def describe(kwargs: dict[str, Any], x: torch.Tensor, past) -> str:
    cache = "no cache" if past is None else f"past_kv of shape {tuple(past[0].shape)} each"
    return f"CausalSelfAttention({S.kwargs_text(kwargs)}) on x of shape {tuple(x.shape)} ({x.dtype}), {cache}"


def check_attention(learner, kwargs: dict[str, Any], x: torch.Tensor, past, seed: int, device) -> None:
    """The learner's attention vs torch's on the same weights: y (and the returned cache), then every gradient."""
    with_cache = past is not None
    state = S.reference_state(kwargs, seed, x.dtype, device)
    where = describe(kwargs, x, past)
    table = M.CACHE_MISTAKES if with_cache else M.ATTENTION_MISTAKES
    try:
        got = learner.run(R.attention_forward, kwargs, state, x, past, with_cache, device.type)
    except LearnerCodeError as error:
        raise_with_known_error(error, table, (state, kwargs["n_head"], x) + (() if past is None else past), where)
    with S.exact():
        want = R.attention_forward(S.TORCH, kwargs, state, x, past, with_cache, device.type)
    require(isinstance(got, Mapping) and "out" in got, f"CausalSelfAttention: the call returned {type(got).__name__}")
    names = ("y", "returned k (the grown cache)", "returned v (the grown cache)") if with_cache else ("y",)
    got_out = got["out"] if with_cache else (got["out"],)
    want_out = want["out"] if with_cache else (want["out"],)
    if not isinstance(got_out, (tuple, list)) or len(got_out) != len(want_out):
        raise AssertionError(f"forward must return (y, (k, v)); got {type(got['out']).__name__}\n  for {where}")
    for i, name in enumerate(names):
        if mismatch(got_out[i], want_out[i]) is None:
            continue
        known = {}
        if final_example():
            args = (state, kwargs["n_head"], x) + (() if past is None else past)
            for mistake, fn in table.items():
                try:
                    known[mistake] = fn(*args)[i]
                except Exception:
                    continue
        assert_same(got_out[i], want_out[i], what=name, inputs=where, mistakes=known)
    for group, label in (("grads", "gradient wrt {}"), ("param_grads", "gradient wrt parameter {}")):
        got_grads = got.get(group) if isinstance(got.get(group), Mapping) else {}
        for name, expected in want[group].items():
            hint = ""
            if got_grads.get(name) is None and expected is not None:
                hint = f"no gradient reached {name}: is it used through autograd (no .data, .detach(), new tensors)?"
            assert_same(got_grads.get(name), expected, what=label.format(name), inputs=where, hint=hint)


def raise_with_known_error(error: LearnerCodeError, table: Mapping[str, Any], args: tuple, where: str) -> None:
    """Re-raise the learner's exception; when a known mistake raises the very same error on the same input (a shape
    error of torch.cat, say), say so. Not-implemented stays as it is."""
    first = str(error).split(": ", 1)[-1].splitlines()[0] if str(error) else ""
    if error.not_implemented or not first or not final_example():
        raise error
    for name, fn in table.items():
        try:
            fn(*args)
        except Exception as mistake_error:  # the mistake model fails the same way: that is the diagnosis
            if str(mistake_error).splitlines() and str(mistake_error).splitlines()[0] == first:
                detail = f"\n{error.traceback}" if error.traceback else ""
                raise AssertionError(f"your code raised {error}\n  for {where}\n  this is the error a known mistake "
                                     f"raises on this input: {name}{detail}") from None
    raise error


def check_parameters(learner, kwargs: dict[str, Any]) -> None:
    got = learner.run(R.parameter_shapes, "CausalSelfAttention", kwargs)
    want = R.parameter_shapes(S.TORCH, "CausalSelfAttention", kwargs)
    require(isinstance(got, Mapping), f"parameters: expected a mapping of names, got {type(got).__name__}")
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    wrong = [f"{n}: yours {tuple(got[n])}, expected {tuple(want[n])}" for n in want if n in got and got[n] != want[n]]
    if missing or extra or wrong:
        lines = [f"parameters of CausalSelfAttention({S.kwargs_text(kwargs)}) are not named and shaped as the "
                 f"contract says (GPT-2's layout: c_attn packs q|k|v, c_proj projects the output)"]
        lines += [f"  missing: {', '.join(missing)}"] if missing else []
        lines += [f"  unexpected: {', '.join(extra)}"] if extra else []
        lines += [f"  wrong shape: {w}" for w in wrong]
        lines.append(f"  expected: {', '.join(f'{n} {tuple(s)}' for n, s in want.items())}")
        raise AssertionError("\n".join(lines))


@pytest.mark.task("54.1")
@pytest.mark.parametrize("kwargs", [dict(n_embd=8, n_head=2), dict(n_embd=6, n_head=3, bias=False)],
                         ids=S.kwargs_text)
def test_attention_parameters(learner, kwargs):
    check_parameters(learner, kwargs)


# (B, T, H, D, bias, dtype): simplest first, so the first failure is the telling one.
ATTENTION_CASES = {
    "one position": (2, 1, 2, 3, True, torch.float32),
    "one head": (1, 4, 1, 4, True, torch.float32),
    "two heads": (2, 5, 2, 3, True, torch.float32),
    "four heads, no bias, float64": (3, 4, 4, 2, False, torch.float64),
}


@pytest.mark.task("54.1")
@pytest.mark.parametrize("case", list(ATTENTION_CASES), ids=list(ATTENTION_CASES))
def test_attention_cases(learner, device, case):
    batch, steps, heads, head_dim, bias, dtype = ATTENTION_CASES[case]
    kwargs = dict(n_embd=heads * head_dim, n_head=heads) | ({} if bias else {"bias": False})
    x, _ = attention_inputs(batch, steps, heads, head_dim, None, 7, dtype, device)
    check_attention(learner, kwargs, x, None, 7, device)


@st.composite
def attention_config(draw, cache: bool = False):
    heads, head_dim = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    kwargs = dict(n_embd=heads * head_dim, n_head=heads)
    if not draw(st.booleans()):
        kwargs["bias"] = False
    past = draw(st.integers(1, 4)) if cache else None
    steps = draw(st.integers(1, 3 if cache else 5))
    return kwargs, draw(st.integers(1, 3)), steps, head_dim, past


@FEW
@given(config=attention_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def attention_property(learner, device, config, seed, dtype):
    kwargs, batch, steps, head_dim, past = config
    x, cache = attention_inputs(batch, steps, kwargs["n_head"], head_dim, past, seed, dtype, device)
    check_attention(learner, kwargs, x, cache, seed, device)


def probe(learner, device, cache: bool) -> None:
    """One plain call: code that raises fails here at once instead of being shrunk by hypothesis."""
    kwargs = dict(n_embd=4, n_head=2)
    x, past = attention_inputs(2, 3, 2, 2, 2 if cache else None, 0, torch.float32, device)
    learner.run(R.attention_forward, kwargs, S.reference_state(kwargs, 0, torch.float32, device), x, past, cache,
                device.type)


@pytest.mark.task("54.1")
def test_attention_matches_torch(learner, device):
    probe(learner, device, cache=False)
    attention_property(learner, device)


@FEW
@given(heads=st.integers(1, 3), head_dim=st.integers(1, 3), batch=st.integers(1, 2), steps=st.integers(2, 6),
       data=st.data(), seed=st.integers(0, 2**16))
def causality_property(learner, device, heads, head_dim, batch, steps, data, seed):
    t = data.draw(st.integers(0, steps - 2), label="t")
    kwargs = dict(n_embd=heads * head_dim, n_head=heads)
    x = randn((batch, steps, heads * head_dim), seed, torch.float64, device)
    changed = x.clone()
    changed[:, t + 1:] = randn((batch, steps - t - 1, heads * head_dim), seed + 1, torch.float64, device)
    y, y_changed = learner.run(R.attention_outputs, kwargs, seed, [x, changed])
    problem = mismatch(y_changed[:, : t + 1], y[:, : t + 1])
    if problem is None:
        return
    moved = (y_changed[:, : t + 1] - y[:, : t + 1]).abs().amax(dim=(0, 2))
    first = int(torch.nonzero(moved > 1e-7)[0]) if bool((moved > 1e-7).any()) else 0
    raise AssertionError(
        f"CausalSelfAttention is not causal: changing only the tokens after position {t} changed y at position "
        f"{first} (max change {float(moved[first]):.3g}); y at a position may depend on that position and earlier "
        f"ones only\n  for CausalSelfAttention({S.kwargs_text(kwargs)}) (its own init) on x of shape "
        f"{tuple(x.shape)} (float64), x[:, {t + 1}:] redrawn\n  ({problem})")


@pytest.mark.task("54.1")
def test_attention_is_causal(learner, device):
    causality_property(learner, device)


# ----------------------------------------------------------------------------------------------------------- 54.2
# (B, P, T, H, D, dtype)
CACHE_CASES = {
    "one new token": (2, 3, 1, 2, 2, torch.float32),
    "one head, one cached position": (1, 1, 1, 1, 3, torch.float32),
    "three new tokens at once": (2, 2, 3, 2, 2, torch.float32),
    "float64, three heads": (2, 4, 2, 3, 2, torch.float64),
}


@pytest.mark.task("54.2")
@pytest.mark.parametrize("case", list(CACHE_CASES), ids=list(CACHE_CASES))
def test_attention_cache_cases(learner, device, case):
    batch, past, steps, heads, head_dim, dtype = CACHE_CASES[case]
    kwargs = dict(n_embd=heads * head_dim, n_head=heads)
    x, cache = attention_inputs(batch, steps, heads, head_dim, past, 11, dtype, device)
    check_attention(learner, kwargs, x, cache, 11, device)


@FEW
@given(config=attention_config(cache=True), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def cache_property(learner, device, config, seed, dtype):
    kwargs, batch, steps, head_dim, past = config
    x, cache = attention_inputs(batch, steps, kwargs["n_head"], head_dim, past, seed, dtype, device)
    check_attention(learner, kwargs, x, cache, seed, device)


@pytest.mark.task("54.2")
def test_attention_cache_matches_torch(learner, device):
    probe(learner, device, cache=True)
    cache_property(learner, device)


GPT_KWARGS = dict(vocab_size=7, block_size=12, n_layer=2, n_head=2, n_embd=8)
# (kwargs, batch, chunk sizes (the first is the prompt), dtype)
GPT_CASES = {
    "prompt of 4, then one token at a time": (GPT_KWARGS, 3, [4, 1, 1, 1, 1], torch.float64),
    "float32": (GPT_KWARGS, 2, [3, 1, 1, 1], torch.float32),
    "chunks of several tokens": (GPT_KWARGS, 2, [3, 2, 1, 3], torch.float64),
    "one layer, one head, prompt of 1": (dict(GPT_KWARGS, n_layer=1, n_head=1), 2, [1, 1, 1, 1], torch.float64),
    "three layers, up to block_size": (dict(GPT_KWARGS, n_layer=3, block_size=8), 2, [2, 1, 1, 1, 1, 1, 1],
                                       torch.float64),
}


@pytest.mark.task("54.2")
@pytest.mark.parametrize("case", list(GPT_CASES), ids=list(GPT_CASES))
def test_gpt_cache_gives_the_full_forward_logits(learner, device, case):
    kwargs, batch, chunks, dtype = GPT_CASES[case]
    gen = torch.Generator().manual_seed(3)
    tokens = torch.randint(0, kwargs["vocab_size"], (batch, sum(chunks)), generator=gen).to(device)
    got = learner.run(R.gpt_incremental, kwargs, tokens, chunks, 54, dtype)
    where = (f"GPT({S.kwargs_text(kwargs)}) (your init, seed 54, eval mode, {dtype}) on {batch} sequences of "
             f"{sum(chunks)} tokens fed in chunks {chunks}")
    require(isinstance(got, Mapping) and "full" in got, f"GPT: the call returned {type(got).__name__}\n  for {where}")
    full = got["full"]
    want_shape = (batch, sum(chunks), kwargs["vocab_size"])
    require(isinstance(full, torch.Tensor) and tuple(full.shape) == want_shape,
            f"logits of the full forward: expected shape {want_shape} (B, T, vocab_size), got "
            f"{tuple(full.shape) if isinstance(full, torch.Tensor) else type(full).__name__}\n  for {where}")
    heads, head_dim = kwargs["n_head"], kwargs["n_embd"] // kwargs["n_head"]
    start = 0
    for call, (size, shapes) in enumerate(zip(chunks, got["cache_shapes"])):
        past = start
        start += size
        what = "the prompt (no cache)" if call == 0 else f"tokens {past}..{start - 1} (cache of {past} positions)"
        if isinstance(shapes, str):
            raise AssertionError(f"the cache GPT returned after feeding {what} is {shapes}\n  for {where}")
        want = [[batch, heads, start, head_dim]] * 2
        require(len(shapes) == kwargs["n_layer"] and all(s == want for s in shapes),
                f"cache after feeding {what}: expected {kwargs['n_layer']} layers of (k, v) each of shape "
                f"{tuple(want[0])} (B, n_head, positions so far, head_dim), got "
                f"{[[tuple(s) for s in layer] for layer in shapes]}\n  for {where}")
        assert_same(got["incremental"][:, past:start], full[:, past:start],
                    what=f"logits of {what}, vs the full forward's at positions {past}..{start - 1}", inputs=where,
                    hint="fed with a cache, the new tokens sit at positions P..P+T-1 (P = the cache's length) and "
                         "must attend to every cached position and to the new ones up to their own" if call else "")


@pytest.mark.task("54.2")
def test_gpt_is_causal(learner, device):
    gen = torch.Generator().manual_seed(8)
    tokens = torch.randint(0, GPT_KWARGS["vocab_size"], (3, 9), generator=gen)
    changed = tokens.clone()
    changed[:, 5:] = (tokens[:, 5:] + 1 + torch.randint(0, 5, (3, 4), generator=gen)) % GPT_KWARGS["vocab_size"]
    got = learner.run(R.gpt_incremental, GPT_KWARGS, tokens.to(device), [9], 54, torch.float64)
    got_changed = learner.run(R.gpt_incremental, GPT_KWARGS, changed.to(device), [9], 54, torch.float64)
    problem = mismatch(got_changed["full"][:, :5], got["full"][:, :5])
    require(problem is None,
            f"GPT is not causal: changing only the tokens at positions 5..8 changed the logits at positions 0..4 "
            f"({problem})\n  for GPT({S.kwargs_text(GPT_KWARGS)}) (your init, seed 54, eval mode, float64) on 3 "
            f"sequences of 9 tokens")


# ----------------------------------------------------------------------------------------------------------- 54.3
def options_text(options: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in options.items()) or "defaults"


def rows_text(logits: torch.Tensor) -> str:
    if logits.numel() <= 24:
        return f"logits {[[round(v, 4) for v in row] for row in logits.double().cpu().tolist()]} ({logits.dtype})"
    return f"logits of shape {tuple(logits.shape)} ({logits.dtype})"


def check_probs(learner, reference, logits: torch.Tensor, options: dict[str, Any]) -> None:
    got = learner.run(R.call_probs, logits, options)
    want = R.call_probs(reference, logits, options)
    where = f"{rows_text(logits)}, {options_text(options)}"
    require(isinstance(got, torch.Tensor), f"next_token_probs returned {type(got).__name__}\n  for {where}")

    def known() -> dict[str, Any]:
        return run_mistakes(R.call_probs, "next_token_probs", M.PROBS_MISTAKES, logits, options) if final_example() else {}

    if got.shape == want.shape and got.dtype == want.dtype:
        kept, want_kept = got.detach().cpu() > 0, want.cpu() > 0
        if not torch.equal(kept, want_kept):
            mistakes = {name: (out.cpu() > 0) for name, out in known().items()}
            assert_same(kept, want_kept, what="which tokens keep a probability > 0 (True = kept)", inputs=where,
                        mistakes=mistakes)
    assert_same(got, want, what="next_token_probs", inputs=where, mistakes=known())


def _log(p: list[float]) -> torch.Tensor:
    return torch.tensor([p], dtype=torch.float64).log()


# name -> (logits (B, V), options); each pins one rule of the contract.
PROBS_CASES = {
    "temperature 1, nothing filtered": (torch.tensor([[2.0, 1.0, 0.5, -1.0]]), {}),
    "temperature 0.5 sharpens": (torch.tensor([[2.0, 1.0, 0.5, -1.0], [0.0, 0.3, -0.2, 0.1]]), {"temperature": 0.5}),
    "temperature 2 flattens": (torch.tensor([[2.0, 1.0, 0.5, -1.0]]), {"temperature": 2.0}),
    "temperature 0 is a one-hot argmax, the first of equal maxima": (
        torch.tensor([[1.0, 3.0, 3.0, 0.0], [0.5, -1.0, 0.2, 0.4]]), {"temperature": 0.0, "top_k": 2}),
    "top_k 2": (torch.tensor([[0.1, 2.0, -0.5, 1.2, 0.4]]), {"top_k": 2}),
    "top_k keeps ties with the k-th value": (torch.tensor([[2.0, 1.0, 1.0, 0.0]]), {"top_k": 2}),
    "top_k >= V keeps everything": (torch.tensor([[0.1, 2.0, -0.5]]), {"top_k": 5}),
    "top_k 1 is the argmax": (torch.tensor([[0.1, 2.0, -0.5, 1.9]]), {"top_k": 1}),
    "top_p keeps the token that crosses the threshold": (_log([0.5, 0.3, 0.15, 0.05]), {"top_p": 0.7}),
    "top_p with tied probabilities at the threshold (stable sort: lower index first)": (
        _log([0.3, 0.4, 0.3]), {"top_p": 0.6}),
    "top_p 0 keeps the most probable token only": (_log([0.2, 0.5, 0.3]), {"top_p": 0.0}),
    "top_p 1.0 keeps everything": (_log([0.2, 0.5, 0.3]), {"top_p": 1.0}),
    "top_k, then top_p on the renormalised top-k": (_log([0.4, 0.3, 0.2, 0.1]), {"top_k": 2, "top_p": 0.5}),
    "temperature, top_k and top_p, two rows, float32": (
        torch.tensor([[1.0, 0.2, -0.3, 0.9, 0.0, -2.0], [0.3, 0.1, 2.0, -0.4, 0.5, 0.6]]),
        {"temperature": 0.7, "top_k": 4, "top_p": 0.8}),
}


@pytest.mark.task("54.3")
@pytest.mark.parametrize("case", list(PROBS_CASES), ids=list(PROBS_CASES))
def test_probs_cases(learner, reference, device, case):
    logits, options = PROBS_CASES[case]
    check_probs(learner, reference, logits.to(device), options)


def away_from_cumsums(reference, logits: torch.Tensor, options: dict[str, Any], top_p: float) -> float:
    """top_p moved (if needed) so that no cumulative sum of the sorted top-k probabilities is within 1e-4 of it."""
    base = reference.next_token_probs(logits.double(), options.get("temperature", 1.0), options.get("top_k"), None)
    sums = torch.sort(base, dim=-1, descending=True, stable=True).values.cumsum(-1).flatten().tolist()
    for _ in range(50):
        if all(abs(s - top_p) >= 1e-4 for s in sums):
            break
        top_p = (top_p + 3e-4) % 1.0
    return top_p


@st.composite
def probs_config(draw):
    vocab = draw(st.integers(2, 8))
    options: dict[str, Any] = {}
    temperature = draw(st.sampled_from([1.0, 0.5, 1.7, 0.0]))
    if temperature != 1.0:
        options["temperature"] = temperature
    if draw(st.booleans()):
        options["top_k"] = draw(st.integers(1, vocab + 1))
    if draw(st.booleans()):
        options["top_p"] = draw(st.floats(0.05, 0.95))
    return draw(st.integers(1, 3)), vocab, options, draw(st.sampled_from([1.0, 3.0]))


@FEW
@given(config=probs_config(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def probs_property(learner, reference, device, config, seed, dtype):
    batch, vocab, options, scale = config
    logits = randn((batch, vocab), seed, dtype, device, scale=scale)
    if "top_p" in options:
        options = dict(options, top_p=away_from_cumsums(reference, logits, options, options["top_p"]))
    check_probs(learner, reference, logits, options)


@pytest.mark.task("54.3")
def test_probs_match_the_reference(learner, reference, device):
    learner.run(R.call_probs, torch.zeros(1, 3, device=device), {})  # raises at once, before any shrinking
    probs_property(learner, reference, device)


@pytest.mark.task("54.3")
def test_sample_next_greedy_is_argmax(learner, device):
    logits = torch.tensor([[0.1, 2.0, -0.5, 2.0], [3.0, 0.0, 1.0, -1.0], [-1.0, -2.0, -0.5, -3.0]], device=device)
    for seed in (None, 3):
        got = learner.run(R.call_sample, logits, {"temperature": 0.0, "top_p": 0.5}, seed)
        assert_same(got, logits.argmax(-1), what="sample_next at temperature 0",
                    inputs=f"{rows_text(logits)}, temperature=0.0, top_p=0.5, generator "
                           f"{'None' if seed is None else f'seeded {seed}'} (expected: argmax, first of equal maxima)")


# name -> (one or two rows of logits; the rows alternate over the batch), options
DRAW_CASES = {
    "temperature 1": ([[1.0, 0.5, 0.0, -0.5, -1.0, 0.3]], {}),
    "temperature 0.5, top_k 3": ([[1.0, 0.5, 0.0, -0.5, -1.0, 0.3]], {"temperature": 0.5, "top_k": 3}),
    "temperature 2, top_p 0.7": ([[1.0, 0.5, 0.0, -0.5, -1.0, 0.3]], {"temperature": 2.0, "top_p": 0.7}),
    "top_k 4, top_p 0.8, two different rows alternating": (
        [[1.0, 0.5, 0.0, -0.5, -1.0, 0.3], [-1.0, 0.0, 2.0, 0.5, 0.5, -0.2]], {"top_k": 4, "top_p": 0.8}),
}
DRAWS_PER_ROW = 20_000


@pytest.mark.task("54.3")
def test_sample_next_draws_follow_next_token_probs(learner, reference, device):
    comparisons = sum(len(rows) * len(rows[0]) for rows, _ in DRAW_CASES.values())
    half = hoeffding_halfwidth(DRAWS_PER_ROW, 1.0, comparisons)
    for seed, (case, (rows, options)) in enumerate(DRAW_CASES.items()):
        base = torch.tensor(rows, dtype=torch.float32)
        logits = base.repeat(DRAWS_PER_ROW, 1).to(device)  # row i has base row i % len(rows)
        got = learner.run(R.call_sample, logits, options, 100 + seed)
        where = (f"{case}: {len(rows) * DRAWS_PER_ROW} rows repeating {rows_text(base)}, {options_text(options)}, "
                 f"generator seeded {100 + seed}")
        require(isinstance(got, torch.Tensor) and got.dtype == torch.int64 and tuple(got.shape) == (len(logits),),
                f"sample_next must return (B,) int64 token ids; got "
                f"{(got.dtype, tuple(got.shape)) if isinstance(got, torch.Tensor) else type(got).__name__}\n"
                f"  for {where}")
        tokens = got.cpu()
        require(bool(((tokens >= 0) & (tokens < base.shape[1])).all()),
                f"sample_next returned token ids outside 0..{base.shape[1] - 1}\n  for {where}")
        want = reference.next_token_probs(base.double(), **options)
        for r in range(len(rows)):
            drawn = tokens[r :: len(rows)]
            counts = torch.bincount(drawn, minlength=base.shape[1]).double()
            freq = counts / len(drawn)
            for token in range(base.shape[1]):
                require(float(want[r, token]) > 0 or counts[token] == 0,
                        f"sample_next drew token {token} {int(counts[token])} times, but next_token_probs gives it "
                        f"probability 0 (filtered out) in row pattern {r}\n  for {where}")
            for token in range(base.shape[1]):
                p = float(want[r, token])
                require(abs(float(freq[token]) - p) < half,
                        f"sample_next drew token {token} with frequency {float(freq[token]):.4f} over {len(drawn)} "
                        f"draws of row pattern {r}; next_token_probs gives {p:.4f}. A correct sampler is within "
                        f"+-{half:.4f} (Hoeffding bound; it fails with probability below {FALSE_FAILURE_RATE:g})\n"
                        f"  for {where}")


@pytest.mark.task("54.3")
def test_sample_next_is_reproducible_from_the_generator(learner, device):
    logits = randn((64, 5), 2, torch.float32, device)
    first, second = learner.run(R.call_sample, logits, {"temperature": 1.0}, 9, True)
    assert_same(second, first, what="sample_next with a generator seeded 9, called a second time",
                inputs=f"{rows_text(logits)}, temperature=1.0 (the same seed must give the same tokens)")


# ----------------------------------------------------------------------------------------------------------- 54.4
VOCAB_54_4, BLOCK_54_4, MODEL_SEED = 7, 16, 5
GREEDY = SimpleNamespace(sample_next=lambda logits, temperature=1.0, top_k=None, top_p=None, generator=None:
                         logits.argmax(-1))


def calls_text(calls: list[Mapping[str, Any]]) -> list[str]:
    return [f"{tuple(c['tokens'].shape[1:])[0]} token(s) with a cache of {c['past']}" for c in calls]


def check_calls(calls: Any, out: torch.Tensor, prompt: torch.Tensor, new: int, where: str,
                known: dict[str, list[str]]) -> None:
    """The stand-in model was called on the prompt without a cache, then on each new token alone with the cache."""
    require(isinstance(calls, list) and calls, f"generate never called the model\n  for {where}")
    seen = calls_text(calls)
    expected = [f"{prompt.shape[1]} token(s) with a cache of 0"]
    expected += [f"1 token(s) with a cache of {prompt.shape[1] + i}" for i in range(new - 1)]
    ok = seen[: len(expected)] == expected and len(seen) in (new, new + 1) and (
        len(seen) == new or seen[-1] == f"1 token(s) with a cache of {prompt.shape[1] + new - 1}")
    if ok:
        for i, call in enumerate(calls[1:], start=1):
            fed = call["tokens"]
            want = out[:, prompt.shape[1] + i - 1: prompt.shape[1] + i].cpu()
            ok = ok and torch.equal(fed, want)
        ok = ok and torch.equal(calls[0]["tokens"], prompt.cpu())
    if ok:
        return
    lines = [f"generate's calls to the model: {seen[:8]}{' ...' if len(seen) > 8 else ''}",
             f"  expected: the prompt once, then each new token alone with the cache: {expected[:8]}"
             f"{' ...' if len(expected) > 8 else ''} (feeding the last new token too is allowed)",
             f"  for {where}"]
    for name, pattern in known.items():
        if pattern == seen:
            lines.append(f"  this matches a known mistake: {name}")
            break
    if seen[: len(expected)] == expected:
        lines.insert(1, "  the calls have the right sizes, but the tokens fed are not the prompt and then the tokens "
                        "generate returned, in order")
    raise AssertionError("\n".join(lines))


GENERATE_CASES = {
    "3 prompts of 4 tokens, 6 new": (3, 4, 6),
    "1 prompt of 1 token, 5 new": (1, 1, 5),
    "2 prompts of 5 tokens, 1 new": (2, 5, 1),
}


@pytest.mark.task("54.4")
@pytest.mark.parametrize("case", list(GENERATE_CASES), ids=list(GENERATE_CASES))
def test_generate_greedy_uses_the_cache(learner, device, case):
    batch, length, new = GENERATE_CASES[case]
    prompt = torch.randint(0, VOCAB_54_4, (batch, length), generator=torch.Generator().manual_seed(length)).to(device)
    options = {"temperature": 0.0}
    args = (prompt, new, options, None, VOCAB_54_4, BLOCK_54_4, MODEL_SEED)
    got = learner.run(R.call_generate, *args)
    want = R.loop_with_sample_next(GREEDY, *args)
    where = (f"the grader's stand-in model (vocabulary {VOCAB_54_4}), prompt of shape {tuple(prompt.shape)}, "
             f"max_new_tokens={new}, temperature=0.0")
    require(isinstance(got, Mapping) and isinstance(got.get("tokens"), torch.Tensor),
            f"generate returned {type(got.get('tokens')).__name__ if isinstance(got, Mapping) else got}, not a tensor"
            f"\n  for {where}")
    out = got["tokens"]
    require(out.dtype == torch.int64 and tuple(out.shape) == tuple(want.shape),
            f"generate must return (B, T0 + max_new_tokens) int64: expected {tuple(want.shape)}, got "
            f"{tuple(out.shape)} {out.dtype}\n  for {where}")
    mistakes = run_mistakes(R.call_generate, "generate", M.GENERATE_MISTAKES, *args) if final_example() else {}
    assert_same(out, want, what="generated tokens (greedy: the argmax of the last position's logits each step)",
                inputs=where, mistakes={k: v["tokens"] for k, v in mistakes.items()})
    check_calls(got["calls"], out, prompt, new, where, {k: calls_text(v["calls"]) for k, v in mistakes.items()})


@pytest.mark.task("54.4")
@pytest.mark.parametrize("options", [{"temperature": 0.8, "top_k": 4}, {"temperature": 1.3, "top_p": 0.9}, {}],
                         ids=options_text)
def test_generate_samples_with_sample_next(learner, device, options):
    prompt = torch.randint(0, VOCAB_54_4, (4, 3), generator=torch.Generator().manual_seed(1)).to(device)
    args = (prompt, 8, options, 21, VOCAB_54_4, BLOCK_54_4, MODEL_SEED)
    got = learner.run(R.call_generate, *args)
    want = learner.run(R.loop_with_sample_next, *args)
    assert_same(got["tokens"] if isinstance(got, Mapping) else got, want,
                what="generated tokens",
                inputs=f"the grader's stand-in model, prompt of shape {tuple(prompt.shape)}, max_new_tokens=8, "
                       f"{options_text(options)}, generator seeded 21; expected: what your sample_next gives on the "
                       f"last position's logits at each step, with that one generator")


@pytest.mark.task("54.4")
def test_generate_zero_new_tokens_returns_the_prompt(learner, device):
    prompt = torch.tensor([[1, 2, 3], [4, 5, 6]], device=device)
    got = learner.run(R.call_generate, prompt, 0, {}, 0, VOCAB_54_4, BLOCK_54_4, MODEL_SEED)
    assert_same(got["tokens"] if isinstance(got, Mapping) else got, prompt, what="generate(..., max_new_tokens=0)",
                inputs="a prompt of shape (2, 3)")


# ----------------------------------------------------------------------------------------------------------- 54.5
@pytest.mark.task("54.5")
def test_gpt_training_shapes(learner, device):
    tokens = T.heldout()[0][:4].to(device)
    got = learner.run(R.gpt_incremental, T.KWARGS, tokens, [tokens.shape[1]], 0, torch.float32)
    want = (4, tokens.shape[1], T.KWARGS["vocab_size"])
    full = got.get("full") if isinstance(got, Mapping) else None
    require(isinstance(full, torch.Tensor) and tuple(full.shape) == want and bool(torch.isfinite(full).all()),
            f"GPT({S.kwargs_text(T.KWARGS)}) on 4 training sequences of {tokens.shape[1]} tokens: expected finite "
            f"logits of shape {want}, got "
            f"{tuple(full.shape) if isinstance(full, torch.Tensor) else type(full).__name__}")


@pytest.mark.task("54.5")
def test_gpt_learns_balanced_brackets(learner, device, curves):
    result = T.run(learner, T.TASK.check_seed, device.type)
    curves.reference = reference_losses(T.TASK)
    require(isinstance(result, Mapping), f"training returned {type(result).__name__}")
    losses = [float(v) for v in result.get("losses", [])]
    curves.yours = losses
    require(all(math.isfinite(v) for v in losses), "the training loss became nan/inf")
    metrics = T.measure(result, T.TASK.check_seed)
    if T.TASK.passes(metrics):
        return
    texts = T.sample_texts(result.get("samples"))
    invalid = [t for t in texts if not T.D.is_valid(t)][:5]
    lines = [f"after the grader's training (seed {T.TASK.check_seed}): {missed_text(T.TASK, metrics)}; held-out "
             f"loss {metrics['heldout_loss']:.3f}, valid samples {metrics['valid_fraction']:.3f}; final training "
             f"loss {losses[-1] if losses else float('nan'):.3f}"]
    if invalid:
        lines.append(f"  invalid samples: {invalid}")
    moved = T.probe_changes(result)
    if moved > 1e-4:
        lines.append(f"  your trained GPT is not causal: changing only the characters from position {T.PROBE_FROM} on "
                     f"moved its logits at earlier positions by up to {moved:.3g}; in training it can read the "
                     f"character it is asked to predict, which it cannot do when sampling")
    summary = reference_summary(T.TASK)
    if summary:
        lines.append(f"  {summary}")
    raise AssertionError("\n".join(lines))
