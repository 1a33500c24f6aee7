"""Topic 34 (attention): torch's behaviour the contract states, the reference against torch, the mistake models (each is
the correct computation with exactly one mistake: equal where the mistake does not matter, different where it does),
the seeded inputs of the checks, and a direct run of the checks on the reference (every task passes) and the stub
(every task fails)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

M = topic_module(34, "mistakes")
C = topic_module(34, "checks")
S = topic_module(34, "support")
REF = load_solution(34)
CPU = torch.device("cpu")


def qkv(lead=(2,), length=3, source=4, embed=4, value_dim=3, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(*lead, length, embed, generator=gen, dtype=dtype),
            torch.randn(*lead, source, embed, generator=gen, dtype=dtype),
            torch.randn(*lead, source, value_dim, generator=gen, dtype=dtype))


# --- what torch does, as the contract states it ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_torch_gives_zeros_and_zero_gradients_on_fully_masked_rows_on_the_cpu(dtype, kind):
    q, k, v = (t.requires_grad_() for t in qkv(dtype=dtype))
    keep = torch.ones(2, 3, 4, dtype=torch.bool)
    keep[0, 1] = False
    mask = keep if kind == "bool" else torch.zeros(2, 3, 4, dtype=dtype).masked_fill(~keep, float("-inf"))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.equal(out[0, 1], torch.zeros(3, dtype=dtype))
    out.sum().backward()
    assert torch.equal(q.grad[0, 1], torch.zeros(4, dtype=dtype))
    assert all(bool(torch.isfinite(t.grad).all()) for t in (q, k, v))


def test_torch_is_causal_is_top_left_aligned_and_refuses_a_mask_with_it():
    for length, source in ((2, 5), (5, 2)):
        q, k, v = qkv(length=length, source=source)
        tril = torch.ones(length, source, dtype=torch.bool).tril()
        assert torch.allclose(F.scaled_dot_product_attention(q, k, v, is_causal=True),
                              F.scaled_dot_product_attention(q, k, v, attn_mask=tril))
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tril, is_causal=True)


# --- the reference ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options, mask", [({}, None), ({}, "bool"), ({}, "float"), ({"is_causal": True}, None),
                                           ({"scale": 0.3}, "bool"), ({"scale": 0.3}, "float")])
def test_reference_sdpa_is_torch(options, mask):
    inputs = C.sdpa_inputs((2, 2), 3, 4, 4, 3, mask or "none", "full", 1, torch.float64, CPU)
    inputs = {n: t.requires_grad_() if n != "attn_mask" else t for n, t in inputs.items()}
    mine = REF.scaled_dot_product_attention(**inputs, **options)
    theirs = F.scaled_dot_product_attention(**inputs, **options)
    assert is_close(mine, theirs)
    wrt = [inputs[n] for n in ("query", "key", "value")]
    assert is_close(torch.autograd.grad((mine ** 2).sum(), wrt), torch.autograd.grad((theirs ** 2).sum(), wrt))


def test_reference_masked_softmax_is_torchs_masked_softmax_with_zero_rows():
    scores, mask = C.softmax_inputs((3, 2), 4, "full", 2, torch.float64, CPU)
    mask[0, 0] = False
    theirs = torch._masked_softmax(scores, ~mask, -1, None).nan_to_num(0.0)
    assert is_close(REF.masked_softmax(scores, mask), theirs)
    assert torch.equal(REF.masked_softmax(scores, mask)[0, 0], torch.zeros(4, dtype=torch.float64))
    assert is_close(REF.masked_softmax(scores), torch.softmax(scores, -1))


def test_reference_additive_attention_is_the_formula():
    torch.manual_seed(0)
    att = REF.AdditiveAttention(query_size=3, key_size=2, hidden_size=4).double()
    assert sorted(n for n, _ in att.named_parameters()) == ["W_k.weight", "W_q.weight", "w_v.weight"]
    q, k, v = torch.randn(2, 3, 3).double(), torch.randn(2, 4, 2).double(), torch.randn(2, 4, 5).double()
    mask = torch.tensor([[True, True, False, False], [False, False, False, False]])
    out, w = att(q, k, v, mask)
    score = torch.stack([torch.stack([torch.stack([
        att.w_v.weight[0] @ torch.tanh(att.W_q.weight @ q[b, i] + att.W_k.weight @ k[b, j]) for j in range(4)])
        for i in range(3)]) for b in range(2)])
    expected = torch.softmax(score.masked_fill(~mask[:, None], float("-inf")), -1).nan_to_num(0.0)
    assert is_close(w, expected) and is_close(out, expected @ v)
    assert torch.equal(out[1], torch.zeros(3, 5, dtype=torch.float64))


# --- mistake models ---------------------------------------------------------------------------------------------------
# mistake -> (inputs and options that expose it, inputs and options where it makes no difference)
def _sdpa(mask="none", mask_shape="full", length=3, source=4, embed=4, value_dim=3, **options):
    return C.sdpa_inputs((2,), length, source, embed, value_dim, mask, mask_shape, 3, torch.float64, CPU), options


def _fully_masked(kind):
    inputs, _ = _sdpa()
    keep = torch.ones(2, 3, 4, dtype=torch.bool)
    keep[0, 1] = False
    inputs["attn_mask"] = keep if kind == "bool" else torch.zeros(2, 3, 4, dtype=torch.float64).masked_fill(
        ~keep, float("-inf"))
    return inputs, {}


SDPA_CORPUS = {
    "scores not scaled by 1 / sqrt(E) (scale=None means 1 / sqrt(query.shape[-1]))": (_sdpa(), _sdpa(scale=0.5)),
    "scores scaled by 1 / sqrt(Ev), the value's last dim, instead of the query's E": (_sdpa(), _sdpa(value_dim=4)),
    "the scale argument is ignored (always 1 / sqrt(E))": (_sdpa(scale=0.3), _sdpa()),
    "bool mask polarity inverted: for F.scaled_dot_product_attention True means 'takes part'": (
        _sdpa("bool"), _sdpa("float")),
    "mask applied after the softmax (excluded weights zeroed, the rest not renormalised)": (
        _sdpa("bool"), _sdpa("float")),
    "fully masked rows give NaN (softmax of a row of -inf); torch returns zeros there": (
        _fully_masked("bool"), _sdpa("float", "LS", length=2, source=2)),
    "fully masked rows zeroed after a NaN softmax (nan_to_num): the values are right but NaN flows back to the scores "
    "(torch's gradients there are 0)": (_fully_masked("float"), _fully_masked("bool")),
    "causal mask aligned at the bottom right (tril(diagonal=S - L)); torch's is_causal is tril() at the top left": (
        _sdpa(is_causal=True), _sdpa(length=4, is_causal=True)),
    "softmax over the queries (dim -2) instead of the keys (dim -1)": (_sdpa(), None),
}


def test_every_sdpa_mistake_has_a_corpus_entry():
    assert set(SDPA_CORPUS) == set(M.SDPA_MISTAKES)


def sdpa_result(fn, inputs, options):
    return C.R.call_sdpa(type("Mod", (), {"scaled_dot_product_attention": staticmethod(fn)}), inputs, options)


@pytest.mark.parametrize("name", list(SDPA_CORPUS))
def test_sdpa_mistake_models(name):
    (exposing, ex_opts), harmless_case = SDPA_CORPUS[name]
    fn = M.SDPA_MISTAKES[name]
    got, want = sdpa_result(fn, exposing, ex_opts), sdpa_result(F.scaled_dot_product_attention, exposing, ex_opts)
    assert not is_close(got, want)
    if harmless_case is None:  # no input on which this mistake goes unseen
        return
    harmless, ha_opts = harmless_case
    got, want = sdpa_result(fn, harmless, ha_opts), sdpa_result(F.scaled_dot_product_attention, harmless, ha_opts)
    assert is_close(got, want)


def test_sdpa_model_without_mistakes_is_torch():
    for inputs, options in (_sdpa("bool"), _sdpa("float", "keys"), _sdpa(is_causal=True), _fully_masked("float")):
        assert is_close(sdpa_result(M.sdpa, inputs, options),
                        sdpa_result(F.scaled_dot_product_attention, inputs, options))


def mha_case(kwargs, padding=None, attn=None, kind="bool", source=None, batch=2, length=3, options=None):
    inputs = C.mha_inputs(kwargs, batch, length, source, padding, attn, kind, 5, torch.float64, CPU)
    return kwargs, inputs, options or {}


def torch_mha(kwargs, inputs, options, state):
    module = torch.nn.MultiheadAttention(**kwargs).double()
    module.load_state_dict(state)
    q = inputs.get("x", inputs.get("query"))
    rest = {n: inputs[n] for n in ("key_padding_mask", "attn_mask") if n in inputs}
    with torch.no_grad():
        return module(q, inputs.get("key", q), inputs.get("value", q), **rest, **options)


BASE = dict(embed_dim=6, num_heads=3, batch_first=True)
MHA_CORPUS = {
    "heads split by a reshape to (N, H, L, d) without the transpose: use view(N, L, H, d).transpose(1, 2)": (
        mha_case(BASE), mha_case(dict(embed_dim=4, num_heads=1, batch_first=True))),
    "scores not scaled by 1 / sqrt(head_dim)": (mha_case(BASE), mha_case(dict(embed_dim=3, num_heads=3))),
    "scores scaled by 1 / sqrt(embed_dim) instead of 1 / sqrt(head_dim)": (
        mha_case(BASE), mha_case(dict(embed_dim=4, num_heads=1))),
    "key_padding_mask polarity inverted: True means padding (ignored)": (
        mha_case(BASE, padding="yes"), mha_case(BASE, padding="yes", kind="float")),
    "bool attn_mask polarity inverted: for nn.MultiheadAttention True means 'not allowed'": (
        mha_case(BASE, attn="2d"), mha_case(BASE, attn="2d", kind="float")),
    "3-D attn_mask rows read head-major (h * N + n); torch's row is n * num_heads + h": (
        mha_case(BASE, attn="3d"), mha_case(BASE, attn="2d")),
    "attention weights summed over the heads instead of averaged": (
        mha_case(BASE), mha_case(BASE, options={"average_attn_weights": False})),
    "batch_first ignored (the layout read the other way round)": (
        mha_case(BASE), mha_case(dict(embed_dim=6, num_heads=3), batch=1, length=1)),
}


def test_every_mha_mistake_has_a_corpus_entry():
    assert set(MHA_CORPUS) == set(M.MHA_MISTAKES)


@pytest.mark.parametrize("name", list(MHA_CORPUS))
def test_mha_mistake_models(name):
    for (kwargs, inputs, options), differs in zip(MHA_CORPUS[name], (True, False)):
        state = C.mha_state(kwargs, 2, torch.float64, CPU)
        got = M.MHA_MISTAKES[name](state, kwargs, inputs, options)
        assert is_close(got, torch_mha(kwargs, inputs, options, state)) != differs


@pytest.mark.parametrize("case", list(C.MHA_CASES))
def test_mha_model_without_mistakes_is_torch_on_every_fixed_case(case):
    kwargs, batch, length, source, padding, attn, kind, options, _ = C.MHA_CASES[case]
    inputs = C.mha_inputs(kwargs, batch, length, source, padding, attn, kind, 7, torch.float64, CPU)
    state = C.mha_state(kwargs, 7, torch.float64, CPU)
    assert is_close(M.mha(state, kwargs, inputs, options), torch_mha(kwargs, inputs, options, state))


def test_mha_masks_never_leave_a_query_without_keys():
    for seed in range(30):
        kwargs = dict(embed_dim=4, num_heads=2)
        for kind in ("bool", "float"):
            inputs = C.mha_inputs(kwargs, 3, 4, 5, "yes", "3d", kind, seed, torch.float64, CPU)
            pad, attn = inputs["key_padding_mask"], inputs["attn_mask"].view(3, 2, 4, 5)
            blocked = (pad[:, None, None, :] | attn) if kind == "bool" else torch.isneginf(
                pad[:, None, None, :] + attn)
            assert bool((~blocked).any(-1).all())


SCORES, MASK = C.softmax_inputs((3,), 4, "full", 1, torch.float64, CPU)
FULL_ROW = MASK.clone()
FULL_ROW[0] = False
ALL_KEPT = torch.ones_like(MASK)
MASKED_CORPUS = {
    "mask applied after the softmax (excluded entries zeroed, the rest not renormalised)": (MASK, ALL_KEPT),
    "mask polarity inverted: True means 'takes part'": (MASK, None),
    "rows with no True entry give NaN (softmax of a row of -inf); they must be all zeros": (FULL_ROW, MASK),
    "excluded entries filled with a large finite negative (-1e6): rows with no True entry come out uniform, not zero": (
        FULL_ROW, MASK),
}


def test_every_masked_softmax_mistake_has_a_corpus_entry():
    assert set(MASKED_CORPUS) == set(M.MASKED_SOFTMAX_MISTAKES)


@pytest.mark.parametrize("name", list(MASKED_CORPUS))
def test_masked_softmax_mistake_models(name):
    exposing, harmless = MASKED_CORPUS[name]
    fn = M.MASKED_SOFTMAX_MISTAKES[name]
    assert not is_close(fn(SCORES, exposing), REF.masked_softmax(SCORES, exposing))
    assert is_close(fn(SCORES, harmless), REF.masked_softmax(SCORES, harmless))


AK = dict(query_size=3, key_size=2, hidden_size=4)


def additive_case(batch=2, queries=3, keys=4, mask=None, full_row=False):
    inputs = C.additive_inputs(AK, batch, queries, keys, 2, mask, 6, torch.float64, CPU)
    if full_row:
        inputs["mask"][0] = False
    return inputs


ADDITIVE_CORPUS = {
    "no tanh between W_q q + W_k k and w_v": (additive_case(), None),
    "mask polarity inverted: True means 'takes part'": (additive_case(mask="padding"), additive_case()),
    "a (B, Lk) mask broadcast over the batch as if it were (Lq, Lk): it needs mask.unsqueeze(1)": (
        additive_case(batch=3, mask="padding"), additive_case(batch=1, queries=1, mask="padding")),
    "excluded keys filled with a large finite negative (-1e6): fully masked queries get uniform weights, not zeros": (
        additive_case(mask="padding", full_row=True), additive_case()),
    "fully masked queries give NaN (softmax of a row of -inf); they must give zero weights": (
        additive_case(mask="padding", full_row=True), additive_case()),
    "mask applied after the softmax (excluded weights zeroed, the rest not renormalised)": (
        additive_case(mask="rows"), additive_case()),
}


def test_every_additive_mistake_has_a_corpus_entry():
    assert set(ADDITIVE_CORPUS) == set(M.ADDITIVE_MISTAKES)


def reference_additive(state, inputs):
    module = REF.AdditiveAttention(**AK).double()
    module.load_state_dict(state)
    with torch.no_grad():
        return module(inputs["query"], inputs["key"], inputs["value"], inputs.get("mask"))


@pytest.mark.parametrize("name", list(ADDITIVE_CORPUS))
def test_additive_mistake_models(name):
    state = C.additive_state(AK, 1, torch.float64, CPU)
    exposing, harmless = ADDITIVE_CORPUS[name]
    fn = M.ADDITIVE_MISTAKES[name]
    assert not is_close(fn(state, AK, exposing, {}), reference_additive(state, exposing))
    if harmless is not None:
        assert is_close(fn(state, AK, harmless, {}), reference_additive(state, harmless))


# --- inputs -----------------------------------------------------------------------------------------------------------
def test_inputs_are_seeded_and_the_same_on_every_dtype():
    a = C.sdpa_inputs((2,), 3, 4, 4, 3, "float", "full", 9, torch.float64, CPU)
    b = C.sdpa_inputs((2,), 3, 4, 4, 3, "float", "full", 9, torch.float64, CPU)
    c = C.sdpa_inputs((2,), 3, 4, 4, 3, "float", "full", 9, torch.float32, CPU)
    assert all(torch.equal(a[n], b[n]) for n in a)
    assert is_close(c["query"].double(), a["query"], rtol=1e-6, atol=1e-6)
    assert set(a) == {"query", "key", "value", "attn_mask"} and bool(torch.isneginf(a["attn_mask"]).any())


def test_empty_row_count_reads_bool_and_float_masks():
    keep = torch.tensor([[True, False], [False, False]])
    assert S.empty_rows((2, 2), keep) == 1
    assert S.empty_rows((3, 2, 2), keep) == 3
    assert S.empty_rows((2, 2), torch.zeros(2, 2).masked_fill(~keep, float("-inf"))) == 1
    assert S.empty_rows((2, 2), None) == 0


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(34)
