"""Checks of topic 46: mlm_mask (46.1), extended_attention_mask (46.2), BertEmbeddings (46.3), BertPooler and
BertClassifier (46.4).

46.1 is random: exact properties on every input (special and padding tokens never chosen, labels -100 everywhere but
at the chosen positions and the original id there, only chosen positions change, the input left alone, the same seed
giving the same result), and rates on large batches against 15% and 80/10/10 with Hoeffding bounds (a correct
implementation fails with probability below grader.kit.stats.FALSE_FAILURE_RATE per check), so any correct use of
the generator passes. 46.2 is exact. 46.3 and 46.4 load the same weights into the learner's module and the reference
and compare outputs and gradients (every parameter, and the hidden states for 46.4) in float32 and float64.
"""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Iterator, Mapping

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.checks import few, final_example, randn, require
from grader.kit.compare import assert_same, mismatch
from grader.kit.stats import FALSE_FAILURE_RATE, hoeffding_halfwidth

from . import data as D
from . import mistakes as M
from . import recipes as R

DTYPES = [torch.float32, torch.float64]
FEW = few(15)
SPECIAL = list(D.SPECIAL_IDS)


# ----------------------------------------------------------------------------------------------------------- 46.1
def mlm_options(vocab: int, mask: torch.Tensor | None, p: float | None) -> dict[str, Any]:
    options: dict[str, Any] = dict(mask_token_id=D.MASK, vocab_size=vocab, special_ids=SPECIAL)
    if mask is not None:
        options["attention_mask"] = mask
    if p is not None:
        options["mlm_probability"] = p
    return options


def mlm_where(ids: torch.Tensor, options: Mapping[str, Any], seed: int | None, note: str = "") -> str:
    mask = options.get("attention_mask")
    p = options.get("mlm_probability", 0.15)
    shown = ""
    if ids.shape[0] <= 3 and ids.shape[1] <= 12:
        rows = [D.render(ids[r], None if mask is None else mask[r]) for r in range(ids.shape[0])]
        shown = f" [{' | '.join(rows)}]"
    return (f"input_ids of shape {tuple(ids.shape)}{shown}, vocab_size={options['vocab_size']}, special_ids="
            f"{SPECIAL}, mask_token_id={D.MASK}, attention_mask {'None' if mask is None else 'given'}, "
            f"mlm_probability={p}, generator {'None' if seed is None else f'seeded {seed}'}{note}")


def eligible_of(ids: torch.Tensor, options: Mapping[str, Any]) -> torch.Tensor:
    """Where a token may be chosen: not a special id, and not padding (attention_mask 1) when a mask is given."""
    ok = ~torch.isin(ids, torch.tensor(SPECIAL))
    mask = options.get("attention_mask")
    return ok if mask is None else ok & mask.bool().cpu()


def first(where: torch.Tensor) -> tuple[int, int]:
    return tuple(int(i) for i in where.nonzero()[0])  # type: ignore[return-value]


def check_mlm_exact(got: Any, ids: torch.Tensor, options: Mapping[str, Any], where: str) -> tuple[torch.Tensor, ...]:
    """Every exact property of the contract; returns (masked, labels, chosen) on the CPU."""
    require(isinstance(got, Mapping) and isinstance(got.get("masked"), torch.Tensor)
            and isinstance(got.get("labels"), torch.Tensor),
            f"mlm_mask must return (masked_ids, labels), two tensors\n  for {where}")
    masked, labels = got["masked"], got["labels"]
    for name, t in (("masked_ids", masked), ("labels", labels)):
        require(tuple(t.shape) == tuple(ids.shape) and t.dtype == torch.int64 and t.device.type == ids.device.type,
                f"{name}: expected int64 of shape {tuple(ids.shape)} on {ids.device.type}, got {t.dtype} of shape "
                f"{tuple(t.shape)} on {t.device.type}\n  for {where}")
    require(bool(got.get("input_unchanged")), f"mlm_mask changed input_ids in place (return new tensors)\n  for {where}")
    masked, labels, ids = masked.cpu(), labels.cpu(), ids.cpu()
    chosen = labels != -100
    eligible = eligible_of(ids, options)
    mask = options.get("attention_mask")
    special = chosen & torch.isin(ids, torch.tensor(SPECIAL))
    if bool(special.any()):
        r, c = first(special)
        raise AssertionError(f"position ({r}, {c}) holds the special token {D.NAMES[int(ids[r, c])]} but has a label "
                             f"({int(labels[r, c])}): special tokens are never chosen ({int(special.sum())} such "
                             f"positions)\n  for {where}")
    if mask is not None:
        padding = chosen & ~mask.bool().cpu()
        if bool(padding.any()):
            r, c = first(padding)
            real = chosen & mask.bool().cpu()
            note = (f"; all {int(chosen.sum())} labelled positions are padding, none is a real token"
                    if not bool(real.any()) else "")
            raise AssertionError(f"position ({r}, {c}) is padding (attention_mask 0) but has a label "
                                 f"({int(labels[r, c])}): padding is never chosen{note}\n  for {where}")
    wrong_label = chosen & (labels != ids)
    if bool(wrong_label.any()):
        r, c = first(wrong_label)
        note = (" (the corrupted id: labels must hold the original)"
                if int(labels[r, c]) == int(masked[r, c]) else "")
        raise AssertionError(f"labels at chosen position ({r}, {c}): yours {int(labels[r, c])}, the original id there "
                             f"is {int(ids[r, c])}{note}\n  for {where}")
    changed = ~chosen & (masked != ids)
    if bool(changed.any()):
        r, c = first(changed)
        raise AssertionError(f"position ({r}, {c}) changed from {int(ids[r, c])} to {int(masked[r, c])} but its label "
                             f"is -100: every changed position must be labelled with its original id, and only "
                             f"chosen positions may change ({int(changed.sum())} such positions)\n  for {where}")
    out_of_range = (masked < 0) | (masked >= options["vocab_size"])
    if bool(out_of_range.any()):
        r, c = first(out_of_range)
        raise AssertionError(f"masked_ids at ({r}, {c}) is {int(masked[r, c])}, outside 0..{options['vocab_size'] - 1}"
                             f"\n  for {where}")
    return masked, labels, chosen


@st.composite
def mlm_config(draw):
    batch, length = draw(st.integers(1, 4)), draw(st.integers(1, 10))
    vocab = draw(st.integers(5, 30))
    p = draw(st.sampled_from([None, 0.5, 1.0]))
    return batch, length, vocab, p, draw(st.booleans()), draw(st.booleans())


@FEW
@given(config=mlm_config(), seed=st.integers(0, 2**16))
def mlm_exact_property(learner, device, config, seed):
    batch, length, vocab, p, with_mask, dirty = config
    ids, mask, _ = D.token_batch(batch, length, vocab, seed, dirty_padding=dirty and with_mask)
    if not with_mask:  # without a padding mask every position is a real token: fill the padding with words
        ids = torch.where(mask.bool(), ids, torch.full_like(ids, D.FIRST_ORDINARY))
    options = mlm_options(vocab, mask.to(device) if with_mask else None, p)
    ids = ids.to(device)
    got = learner.run(R.call_mlm, ids, options, seed)
    check_mlm_exact(got, ids, options, mlm_where(ids.cpu(), options, seed))


@pytest.mark.task("46.1")
def test_mlm_exact_properties(learner, device):
    ids, mask, _ = D.token_batch(2, 6, 12, 0)
    learner.run(R.call_mlm, ids.to(device), mlm_options(12, mask.to(device), None), 0)  # raises at once
    mlm_exact_property(learner, device)


# name -> (batch, length, vocab, min_length, dirty padding, mask given, p, what must hold beyond the exact properties)
MLM_CASES = {
    "mlm_probability 0 changes nothing": (3, 10, 20, 1, False, True, 0.0, "none"),
    "mlm_probability 1 chooses every eligible token": (3, 10, 20, 1, True, True, 1.0, "all"),
    "padding holding ordinary ids is still padding": (4, 12, 20, 2, True, True, 1.0, "all"),
    "no attention_mask: every non-special token is eligible": (2, 9, 20, 9, False, False, 1.0, "all"),
    "a row that is all special tokens": (2, 3, 20, 3, False, True, 1.0, "all"),
}


@pytest.mark.task("46.1")
@pytest.mark.parametrize("case", list(MLM_CASES), ids=list(MLM_CASES))
def test_mlm_cases(learner, device, case):
    batch, length, vocab, min_length, dirty, with_mask, p, rule = MLM_CASES[case]
    ids, mask, _ = D.token_batch(batch, length, vocab, 3, dirty_padding=dirty, min_length=min_length)
    options = mlm_options(vocab, mask.to(device) if with_mask else None, p)
    where = mlm_where(ids, options, 3)
    got = learner.run(R.call_mlm, ids.to(device), options, 3)
    _, _, chosen = check_mlm_exact(got, ids.to(device), options, where)
    eligible = eligible_of(ids, options)
    if rule == "none":
        every = "; every eligible token has a label (-100 belongs everywhere but at the chosen positions)" if bool(
            chosen.any()) and torch.equal(chosen, eligible) else ""
        require(not bool(chosen.any()), f"mlm_probability=0 must choose nothing; {int(chosen.sum())} positions got "
                                        f"a label{every}\n  for {where}")
    if rule == "all":
        missed = eligible & ~chosen
        require(not bool(missed.any()),
                f"mlm_probability=1 must choose every eligible token; position {first(missed) if bool(missed.any()) else ''} "
                f"(id {int(ids[first(missed)]) if bool(missed.any()) else ''}) got no label ({int(missed.sum())} of "
                f"{int(eligible.sum())} eligible positions missed)\n  for {where}")


@pytest.mark.task("46.1")
def test_mlm_same_seed_same_result(learner, device):
    ids, mask, _ = D.token_batch(8, 16, 30, 5)
    options = mlm_options(30, mask.to(device), 0.5)
    got = learner.run(R.call_mlm, ids.to(device), options, 17, True)
    again = got.get("again") if isinstance(got, Mapping) else None
    require(isinstance(again, (tuple, list)), "mlm_mask must return (masked_ids, labels)")
    assert_same(again, (got["masked"], got["labels"]), what="a second call with a generator seeded 17",
                inputs=mlm_where(ids, options, 17, "; the same seed must give the same (masked_ids, labels)"))


STAT_BATCH, STAT_LENGTH, STAT_VOCAB = 512, 64, 30


def category_rates(ids: torch.Tensor, masked: torch.Tensor, chosen: torch.Tensor) -> dict[str, float]:
    """Among the chosen positions: the fractions that became [MASK], kept their id, got another id."""
    n = max(int(chosen.sum()), 1)
    is_mask = (masked == D.MASK) & chosen
    same = (masked == ids) & chosen
    return {"[MASK]": int(is_mask.sum()) / n, "unchanged": int(same.sum()) / n,
            "another id": int((chosen & ~is_mask & ~same).sum()) / n}


def expected_rates(vocab: int) -> dict[str, float]:
    """80% [MASK], 10% unchanged, 10% a uniform id (which is [MASK] or the original with probability 1/vocab each)."""
    return {"[MASK]": 0.8 + 0.1 / vocab, "unchanged": 0.1 + 0.1 / vocab, "another id": 0.1 * (vocab - 2) / vocab}


@pytest.mark.task("46.1")
def test_mlm_rates_are_15_percent_then_80_10_10(learner, device):
    ids, mask, _ = D.token_batch(STAT_BATCH, STAT_LENGTH, STAT_VOCAB, 46, min_length=STAT_LENGTH // 2)
    eligible = eligible_of(ids, {"attention_mask": mask})
    comparisons = 3 + 3 + 3  # choice rate (all, first and second half of the rows); the split, twice
    # mlm_probability 1 first: every eligible token is chosen, so the 80/10/10 split is measured on the most tokens
    for p, seed in ((1.0, 2), (0.15, 1)):
        options = mlm_options(STAT_VOCAB, mask.to(device), p)
        where = mlm_where(ids, options, seed, f"; {int(eligible.sum())} eligible tokens")
        got = learner.run(R.call_mlm, ids.to(device), options, seed)
        masked, labels, chosen = check_mlm_exact(got, ids.to(device), options, where)
        if p < 1:
            halves = torch.arange(STAT_LENGTH) < STAT_LENGTH // 2
            for label, part in (("all eligible tokens", eligible), ("eligible tokens in columns 0..31", eligible & halves),
                                ("eligible tokens in columns 32..63", eligible & ~halves)):
                n = int(part.sum())
                rate, half = int((chosen & part).sum()) / n, hoeffding_halfwidth(n, 1.0, comparisons)
                every = "; every eligible token has a label (-100 belongs everywhere but at the chosen positions)" if (
                    rate == 1.0) else ""
                require(abs(rate - p) < half,
                        f"mlm_mask chose {rate:.4f} of the {label} ({n}); expected {p} +- {half:.4f} (Hoeffding bound: "
                        f"a correct implementation misses it with probability below {FALSE_FAILURE_RATE:g}){every}\n"
                        f"  for {where}")
        n = int(chosen.sum())
        half = hoeffding_halfwidth(n, 1.0, comparisons)
        rates, want = category_rates(ids, masked, chosen), expected_rates(STAT_VOCAB)
        if all(abs(rates[k] - want[k]) < half for k in want):
            continue
        known = ""
        if p == 1.0 and final_example():  # named on the large sample only, where the rates tell the mistakes apart
            cpu_options = dict(options, attention_mask=mask)
            for name, fn in M.MLM_MISTAKES.items():
                theirs = R.call_mlm(SimpleNamespace(mlm_mask=fn), ids, cpu_options, seed)
                their_rates = category_rates(ids, theirs["masked"], theirs["labels"] != -100)
                if all(abs(their_rates[k] - rates[k]) < 2 * half for k in want):
                    known = f"\n  these rates match a known mistake: {name}"
                    break
        measured = ", ".join(f"{k} {rates[k]:.4f} (expected {want[k]:.4f})" for k in want)
        raise AssertionError(f"of the {n} chosen tokens: {measured}; a correct implementation is within "
                             f"+-{half:.4f} of each (Hoeffding bound, false-failure rate {FALSE_FAILURE_RATE:g}): "
                             f"80% become [MASK], 10% a random id uniform over 0..vocab_size-1, 10% stay"
                             f"{known}\n  for {where}")


# ----------------------------------------------------------------------------------------------------------- 46.2
def torch_extended(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The contract: 0 where attention_mask is 1/True, torch.finfo(dtype).min where 0/False, shape (B, 1, 1, T)."""
    low = torch.tensor(torch.finfo(dtype).min, dtype=dtype)
    return torch.where(attention_mask.bool()[:, None, None, :].cpu(), torch.tensor(0.0, dtype=dtype), low).to(
        attention_mask.device)


EXTENDED_CASES = {
    "int64 mask, default dtype": (torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]]), None),
    "bool mask, float32": (torch.tensor([[True, False, True], [True, True, True]]), torch.float32),
    "float64": (torch.tensor([[1, 1, 0, 0, 0]]), torch.float64),
    "float16": (torch.tensor([[1, 0], [1, 1], [0, 0]]), torch.float16),
    "bfloat16": (torch.tensor([[1, 1, 1, 0]]), torch.bfloat16),
    "no padding at all": (torch.ones(2, 3, dtype=torch.int64), torch.float32),
}


@pytest.mark.task("46.2")
@pytest.mark.parametrize("case", list(EXTENDED_CASES), ids=list(EXTENDED_CASES))
def test_extended_attention_mask_cases(learner, device, case):
    mask, dtype = EXTENDED_CASES[case]
    mask = mask.to(device)
    got = learner.run(R.call_extended_mask, mask, dtype)
    want = torch_extended(mask, dtype or torch.float32)
    where = (f"attention_mask {mask.cpu().tolist()} ({mask.dtype}), "
             f"{'dtype omitted (float32)' if dtype is None else f'dtype={dtype}'}")
    known = {}
    if mismatch(got, want, rtol=0, atol=0) is not None and final_example():
        for name, fn in M.EXTENDED_MISTAKES.items():
            try:
                known[name] = R.call_extended_mask(SimpleNamespace(extended_attention_mask=fn), mask, dtype)
            except Exception:
                continue
    assert_same(got, want, what="extended_attention_mask", inputs=where, rtol=0, atol=0, mistakes=known,
                hint="0 where attention_mask is 1 (a real token), torch.finfo(dtype).min where it is 0 (padding), "
                     "shaped (B, 1, 1, T) to broadcast over heads and queries")


@pytest.mark.task("46.2")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_extended_mask_zeroes_attention_to_padding(learner, device, dtype):
    _, mask, _ = D.token_batch(4, 7, 10, 2)
    mask[3] = 0  # a row that is all padding: the weights must stay finite
    scores = randn((4, 2, 7, 7), 4, dtype, device, scale=3.0)
    got = learner.run(R.masked_attention, mask.to(device), scores)
    keep = mask.bool()[:, None, None, :].expand(4, 2, 7, 7).to(device)
    want = torch.softmax(scores.masked_fill(~keep[:, :, :, :], torch.finfo(dtype).min), dim=-1)
    assert_same(got, want, what="softmax(scores + extended_attention_mask(attention_mask, scores.dtype), dim=-1)",
                inputs=f"scores of shape (4, 2, 7, 7) ({dtype}), attention_mask {mask.tolist()} (the last row all "
                       f"padding: its weights must be finite, not NaN)")


# ----------------------------------------------------------------------------------------------------- 46.3, 46.4
@contextmanager
def no_tf32() -> Iterator[None]:
    """Reference matmuls in full float32 on CUDA (TF32 rounds to about 1e-3)."""
    matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul, cudnn


def kwargs_text(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def seeded_state(reference, cls: str, kwargs: dict[str, Any], seed: int, dtype, device) -> dict[str, torch.Tensor]:
    """Standard-normal weights for every entry of the reference's state_dict (LayerNorm's weight around 1)."""
    module = getattr(reference, cls)(**kwargs)
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for name, t in module.state_dict().items():
        value = torch.randn(t.shape, generator=gen, dtype=torch.float64) * 0.5
        if name.endswith("LayerNorm.weight"):
            value = value + 1.0
        state[name] = value.to(dtype=dtype, device=device)
    return state


def check_names(learner, reference, cls: str, kwargs: dict[str, Any]) -> None:
    got = learner.run(R.parameter_shapes, cls, kwargs)
    want = R.parameter_shapes(reference, cls, kwargs)
    require(isinstance(got, Mapping), f"{cls}: expected a mapping of names, got {type(got).__name__}")
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    wrong = [f"{n}: yours {tuple(got[n])}, expected {tuple(want[n])}" for n in want if n in got and got[n] != want[n]]
    if missing or extra or wrong:
        lines = [f"the state_dict of {cls}({kwargs_text(kwargs)}) is not named and shaped as the contract says"]
        lines += [f"  missing: {', '.join(missing)}"] if missing else []
        lines += [f"  unexpected: {', '.join(extra)} (a buffer? register it with persistent=False)"] if extra else []
        lines += [f"  wrong shape: {w}" for w in wrong]
        lines.append(f"  expected: {', '.join(f'{n} {tuple(s)}' for n, s in want.items())}")
        raise AssertionError("\n".join(lines))


def check_module(learner, reference, cls: str, kwargs: dict[str, Any], inputs: dict[str, Any], wrt: list[str],
                 dtype, device, table: Mapping[str, type], where: str, seed: int = 0) -> None:
    """Output, then gradients wrt the `wrt` inputs and every parameter, of the learner's module vs the reference's
    with the same weights; a known mistake is named from the same weights and inputs."""
    state = seeded_state(reference, cls, kwargs, seed, dtype, device)
    args = (cls, kwargs, state, inputs, wrt, dtype, device.type)
    got = learner.run(R.module_forward, *args)
    with no_tf32():
        want = R.module_forward(reference, *args)
    require(isinstance(got, Mapping) and "out" in got, f"{cls}: the call returned {type(got).__name__}")
    keys = [("out", None, "output")] + [("grads", n, f"gradient wrt {n}") for n in want["grads"]]
    keys += [("param_grads", n, f"gradient wrt parameter {n}") for n in want["param_grads"]]
    for group, name, label in keys:
        actual = got.get(group) if name is None else (got.get(group) or {}).get(name)
        expected = want[group] if name is None else want[group][name]
        if mismatch(actual, expected) is None:
            continue
        known = {}
        if final_example():
            for mistake, module_cls in table.items():
                try:
                    with no_tf32():
                        theirs = R.module_forward(SimpleNamespace(**{cls: module_cls}), *args)
                    known[mistake] = theirs[group] if name is None else theirs[group][name]
                except Exception:
                    continue
        hint = ""
        if name is not None and actual is None and expected is not None:
            hint = f"no gradient reached {name}: is it used through autograd (no .data, .detach(), new tensors)?"
        assert_same(actual, expected, what=label, inputs=where, mistakes=known, hint=hint)


EMB_KWARGS = [
    dict(vocab_size=12, hidden_size=6, max_position_embeddings=16),
    dict(vocab_size=9, hidden_size=4, max_position_embeddings=8, type_vocab_size=3, layer_norm_eps=1e-6,
         pad_token_id=0),
]


@pytest.mark.task("46.3")
@pytest.mark.parametrize("kwargs", EMB_KWARGS, ids=kwargs_text)
def test_embeddings_state_dict_names(learner, reference, kwargs):
    check_names(learner, reference, "BertEmbeddings", kwargs)


def embedding_inputs(batch: int, length: int, kwargs: dict[str, Any], seed: int, types: bool, positions: str,
                     device) -> dict[str, Any]:
    ids, _, segments = D.token_batch(batch, length, kwargs["vocab_size"], seed)
    segments = segments.clamp(max=kwargs.get("type_vocab_size", 2) - 1)
    inputs: dict[str, Any] = {"input_ids": ids.to(device), "token_type_ids": segments.to(device) if types else None}
    if positions == "offset":
        inputs["position_ids"] = (torch.arange(length) + 2).expand(batch, length).to(device)
    elif positions == "per row":
        gen = torch.Generator().manual_seed(seed + 1)
        inputs["position_ids"] = torch.randint(0, kwargs["max_position_embeddings"], (batch, length),
                                               generator=gen).to(device)
    return inputs


def embedding_where(kwargs, inputs, dtype) -> str:
    ids = inputs["input_ids"]
    parts = [f"BertEmbeddings({kwargs_text(kwargs)}) ({dtype}) on input_ids of shape {tuple(ids.shape)} "
             f"(with [PAD] = 0 at the end of short rows)"]
    parts.append("token_type_ids given" if inputs["token_type_ids"] is not None else "token_type_ids=None")
    pos = inputs.get("position_ids")
    parts.append("position_ids=None" if pos is None else f"position_ids {pos.cpu().tolist() if pos.numel() <= 12 else 'given'}")
    return ", ".join(parts)


# name -> (kwargs index, batch, length, token types given, positions: None | "offset" | "per row", dtype)
EMB_CASES = {
    "defaults: no token types, no positions": (0, 2, 5, False, None, torch.float32),
    "token types given": (0, 3, 7, True, None, torch.float32),
    "position_ids given (offset by 2)": (0, 2, 6, True, "offset", torch.float32),
    "three token types, eps 1e-6, float64": (1, 3, 6, True, None, torch.float64),
    "position_ids per row, float64": (1, 2, 5, False, "per row", torch.float64),
}


@pytest.mark.task("46.3")
@pytest.mark.parametrize("case", list(EMB_CASES), ids=list(EMB_CASES))
def test_embeddings_cases(learner, reference, device, case):
    k, batch, length, types, positions, dtype = EMB_CASES[case]
    kwargs = EMB_KWARGS[k]
    inputs = embedding_inputs(batch, length, kwargs, 5, types, positions, device)
    check_module(learner, reference, "BertEmbeddings", kwargs, inputs, [], dtype, device, M.EMBEDDING_MISTAKES,
                 embedding_where(kwargs, inputs, dtype), seed=5)


@FEW
@given(vocab=st.integers(5, 12), hidden=st.integers(2, 8), types=st.integers(1, 3), batch=st.integers(1, 3),
       length=st.integers(1, 6), given_types=st.booleans(), positions=st.sampled_from([None, "offset", "per row"]),
       seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def embeddings_property(learner, reference, device, vocab, hidden, types, batch, length, given_types, positions, seed,
                        dtype):
    kwargs = dict(vocab_size=vocab, hidden_size=hidden, max_position_embeddings=length + 2, type_vocab_size=types)
    inputs = embedding_inputs(batch, length, kwargs, seed, given_types, positions, device)
    check_module(learner, reference, "BertEmbeddings", kwargs, inputs, [], dtype, device, M.EMBEDDING_MISTAKES,
                 embedding_where(kwargs, inputs, dtype), seed=seed)


@pytest.mark.task("46.3")
def test_embeddings_match_the_reference(learner, reference, device):
    kwargs = EMB_KWARGS[0]
    inputs = embedding_inputs(1, 3, kwargs, 0, True, None, device)
    learner.run(R.module_forward, "BertEmbeddings", kwargs, seeded_state(reference, "BertEmbeddings", kwargs, 0,
                torch.float32, device), inputs, [], torch.float32, device.type)  # raises at once
    embeddings_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 46.4
@pytest.mark.task("46.4")
@pytest.mark.parametrize("cls, kwargs", [("BertPooler", dict(hidden_size=5)),
                                         ("BertClassifier", dict(hidden_size=5, num_labels=3))],
                         ids=["BertPooler(hidden_size=5)", "BertClassifier(hidden_size=5, num_labels=3)"])
def test_head_state_dict_names(learner, reference, cls, kwargs):
    check_names(learner, reference, cls, kwargs)


# name -> (class, kwargs, batch, length, dtype)
HEAD_CASES = {
    "pooler": ("BertPooler", dict(hidden_size=4), 2, 5, torch.float32),
    "pooler, one position": ("BertPooler", dict(hidden_size=3), 3, 1, torch.float64),
    "classifier": ("BertClassifier", dict(hidden_size=4, num_labels=3), 2, 5, torch.float32),
    "classifier, one label, float64": ("BertClassifier", dict(hidden_size=6, num_labels=1), 3, 4, torch.float64),
}


def check_head(learner, reference, device, cls, kwargs, batch, length, dtype, seed):
    hidden = randn((batch, length, kwargs["hidden_size"]), seed, dtype, device)
    table = M.POOLER_MISTAKES if cls == "BertPooler" else M.CLASSIFIER_MISTAKES
    where = f"{cls}({kwargs_text(kwargs)}) ({dtype}) on hidden_states of shape {tuple(hidden.shape)}"
    check_module(learner, reference, cls, kwargs, {"hidden_states": hidden}, ["hidden_states"], dtype, device, table,
                 where, seed=seed)


@pytest.mark.task("46.4")
@pytest.mark.parametrize("case", list(HEAD_CASES), ids=list(HEAD_CASES))
def test_head_cases(learner, reference, device, case):
    check_head(learner, reference, device, *HEAD_CASES[case], seed=6)


@FEW
@given(cls=st.sampled_from(["BertPooler", "BertClassifier"]), hidden=st.integers(1, 6), labels=st.integers(1, 4),
       batch=st.integers(1, 3), length=st.integers(1, 5), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def head_property(learner, reference, device, cls, hidden, labels, batch, length, seed, dtype):
    kwargs = dict(hidden_size=hidden) | ({"num_labels": labels} if cls == "BertClassifier" else {})
    check_head(learner, reference, device, cls, kwargs, batch, length, dtype, seed)


@pytest.mark.task("46.4")
def test_head_matches_the_reference(learner, reference, device):
    head_property(learner, reference, device)
