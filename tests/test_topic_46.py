"""Topic 46 (BERT): the token-batch generator, the mistake models, independent correct implementations that use the
generator differently from the reference (they must pass), and a direct run of the checks on the reference (every
task passes) and the stub (every task fails). 46 has no training task."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from grader.kit.compare import is_close
from grader_topic_support import Direct, assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(46, "data")
M = topic_module(46, "mistakes")
R = topic_module(46, "recipes")
C = topic_module(46, "checks")
REF = load_solution(46)
CPU = torch.device("cpu")


# --- data -------------------------------------------------------------------------------------------------------
def test_token_batches_are_cls_a_sep_b_sep_then_padding():
    ids, mask, types = D.token_batch(64, 12, 30, seed=1)
    assert ids.shape == mask.shape == types.shape == (64, 12) and ids.dtype == torch.int64
    assert bool(mask[0].all())  # the first row has the full length
    for row, m, t in zip(ids.tolist(), mask.tolist(), types.tolist()):
        n = sum(m)
        assert m == [1] * n + [0] * (12 - n) and row[0] == D.CLS
        assert set(row[n:]) <= {D.PAD} and all(v == 0 for v in t[n:])
        if n >= 5:
            seps = [i for i, v in enumerate(row[:n]) if v == D.SEP]
            assert len(seps) == 2 and seps[1] == n - 1 and 1 < seps[0] < n - 2
            assert t[: seps[0] + 1] == [0] * (seps[0] + 1) and t[seps[0] + 1: n] == [1] * (n - seps[0] - 1)
        assert all(D.FIRST_ORDINARY <= v < 30 for v in row[:n] if v not in (D.CLS, D.SEP))


def test_dirty_padding_holds_ordinary_ids_under_a_zero_mask():
    ids, mask, _ = D.token_batch(16, 10, 20, seed=2, dirty_padding=True)
    dirty = ids[1::2][mask[1::2] == 0]
    assert dirty.numel() > 0 and bool((dirty >= D.FIRST_ORDINARY).all())
    assert bool((ids[0::2][mask[0::2] == 0] == D.PAD).all())


def test_token_batches_are_deterministic_and_check_their_arguments():
    a, b = D.token_batch(4, 6, 12, 3), D.token_batch(4, 6, 12, 3)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError):
        D.token_batch(2, 4, 4, 0)
    with pytest.raises(ValueError):
        D.token_batch(2, 4, 10, 0, min_length=5)


def test_show_renders_rows_and_segments():
    lines = D.show(2).splitlines()
    assert len(lines) == 5 and lines[1].strip().startswith("[CLS]")


# --- mistake models ---------------------------------------------------------------------------------------------
def rates_of(fn, p: float = 1.0, seed: int = 0) -> dict[str, float]:
    ids, mask, _ = D.token_batch(256, 40, 30, seed, min_length=20)
    masked, labels = fn(ids, mask_token_id=D.MASK, vocab_size=30, special_ids=C.SPECIAL, attention_mask=mask,
                        mlm_probability=p, generator=torch.Generator().manual_seed(seed))
    return C.category_rates(ids, masked, labels != -100)


def test_mlm_model_without_mistakes_has_the_reference_rates():
    want = C.expected_rates(30)
    assert all(abs(rates_of(M.mlm_variant)[k] - want[k]) < 0.02 for k in want)
    assert all(abs(rates_of(REF.mlm_mask)[k] - want[k]) < 0.02 for k in want)


@pytest.mark.parametrize("name", list(M.MLM_MISTAKES))
def test_mlm_mistakes_have_other_rates(name):
    want, got = C.expected_rates(30), rates_of(M.MLM_MISTAKES[name])
    assert any(abs(got[k] - want[k]) > 0.05 for k in want)


def test_mlm_mistakes_are_told_apart_by_their_rates():
    rates = {name: rates_of(fn) for name, fn in M.MLM_MISTAKES.items()}
    names = list(rates)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert any(abs(rates[a][k] - rates[b][k]) > 0.05 for k in rates[a]), (a, b)


@pytest.mark.parametrize("name", list(M.EXTENDED_MISTAKES))
def test_extended_mask_mistakes_differ_from_the_contract(name):
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    for dtype in (torch.float32, torch.float16):
        got = M.EXTENDED_MISTAKES[name](mask, dtype)
        want = C.torch_extended(mask, dtype)
        if got.shape != want.shape or got.dtype != want.dtype or not torch.equal(got, want):
            return
    raise AssertionError(f"{name} gives the contract's mask")


def test_extended_mask_reference_is_hf_style():
    mask = torch.tensor([[1, 0, 1]])
    got = REF.extended_attention_mask(mask, torch.float16)
    assert got.shape == (1, 1, 1, 3) and got.dtype == torch.float16
    assert got.flatten().tolist() == [0.0, torch.finfo(torch.float16).min, 0.0]


def loaded(cls, kwargs, state):
    module = cls(**kwargs).double()
    module.load_state_dict(state)
    return module


def test_embedding_model_without_mistakes_is_the_reference():
    kwargs = C.EMB_KWARGS[1]
    state = C.seeded_state(REF, "BertEmbeddings", kwargs, 0, torch.float64, CPU)
    inputs = C.embedding_inputs(3, 6, kwargs, 0, True, None, CPU)
    got = loaded(M.EmbeddingsVariant, kwargs, state)(**inputs)
    assert is_close(got, loaded(REF.BertEmbeddings, kwargs, state)(**inputs))


@pytest.mark.parametrize("name", list(M.EMBEDDING_MISTAKES))
def test_embedding_mistakes_differ_in_value_or_gradient(name):
    kwargs = C.EMB_KWARGS[0]
    state = C.seeded_state(REF, "BertEmbeddings", kwargs, 0, torch.float64, CPU)
    inputs = C.embedding_inputs(2, 5, kwargs, 0, True, None, CPU)  # position_ids left to their default
    inputs["token_type_ids"] = torch.ones_like(inputs["input_ids"])
    args = ("BertEmbeddings", kwargs, state, inputs, [], torch.float64, "cpu")
    got = R.module_forward(SimpleNamespace(BertEmbeddings=M.EMBEDDING_MISTAKES[name]), *args)
    assert not is_close(got, R.module_forward(REF, *args))


def test_head_models_without_mistakes_are_the_reference():
    state = C.seeded_state(REF, "BertClassifier", dict(hidden_size=4, num_labels=3), 0, torch.float64, CPU)
    hidden = torch.randn(2, 5, 4, dtype=torch.float64)
    ref = loaded(REF.BertClassifier, dict(hidden_size=4, num_labels=3), state)
    mine = loaded(M.ClassifierVariant, dict(hidden_size=4, num_labels=3), state)
    assert is_close(mine(hidden), ref(hidden))


@pytest.mark.parametrize("name", list(M.CLASSIFIER_MISTAKES))
def test_head_mistakes_differ(name):
    kwargs = dict(hidden_size=4, num_labels=3)
    state = C.seeded_state(REF, "BertClassifier", kwargs, 0, torch.float64, CPU)
    hidden = torch.randn(2, 5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 3
    assert not is_close(loaded(M.CLASSIFIER_MISTAKES[name], kwargs, state)(hidden),
                        loaded(REF.BertClassifier, kwargs, state)(hidden))


# --- independent correct implementations pass -------------------------------------------------------------------
ALTERNATIVE = '''
import torch


def mlm_mask(input_ids, mask_token_id, vocab_size, special_ids=(), attention_mask=None, mlm_probability=0.15,
             generator=None):
    """HF's DataCollatorForLanguageModeling.torch_mask_tokens, verbatim in spirit: torch.bernoulli for each step."""
    labels = input_ids.clone()
    probability = torch.full(labels.shape, mlm_probability, device=input_ids.device)
    special = torch.zeros_like(input_ids, dtype=torch.bool)
    for s in special_ids:
        special |= input_ids == s
    if attention_mask is not None:
        special |= attention_mask == 0
    probability.masked_fill_(special, 0.0)
    chosen = torch.bernoulli(probability, generator=generator).bool()
    labels[~chosen] = -100
    inputs = input_ids.clone()
    replaced = torch.bernoulli(torch.full(labels.shape, 0.8, device=input_ids.device), generator=generator).bool()
    replaced &= chosen
    inputs[replaced] = mask_token_id
    rand = torch.bernoulli(torch.full(labels.shape, 0.5, device=input_ids.device), generator=generator).bool()
    rand &= chosen & ~replaced
    words = torch.randint(vocab_size, labels.shape, dtype=torch.long, generator=generator, device=input_ids.device)
    inputs[rand] = words[rand]
    return inputs, labels


def extended_attention_mask(attention_mask, dtype=torch.float32):
    """HF's get_extended_attention_mask: (1 - mask) * finfo.min."""
    extended = attention_mask[:, None, None, :].to(dtype)
    return (1.0 - extended) * torch.finfo(dtype).min
'''

EXACT_COUNTS = '''
import torch


def mlm_mask(input_ids, mask_token_id, vocab_size, special_ids=(), attention_mask=None, mlm_probability=0.15,
             generator=None):
    """Original-BERT style: exactly round(p * n) positions per row, then exact 80/10/10 counts, via randperm."""
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(input_ids.shape[0]):
        ok = [c for c in range(input_ids.shape[1]) if int(input_ids[r, c]) not in special_ids
              and (attention_mask is None or bool(attention_mask[r, c]))]
        count = int(round(len(ok) * mlm_probability))
        order = torch.randperm(len(ok), generator=generator, device=input_ids.device).tolist()
        picks = [ok[i] for i in order[:count]]
        actions = torch.rand(len(picks), generator=generator, device=input_ids.device).tolist()
        for c, a in zip(picks, actions):
            labels[r, c] = input_ids[r, c]
            if a < 0.8:
                masked[r, c] = mask_token_id
            elif a < 0.9:
                masked[r, c] = int(torch.randint(vocab_size, (1,), generator=generator, device=input_ids.device))
    return masked, labels
'''


def module_of(source: str) -> Direct:
    namespace: dict = {}
    exec(compile(source, "alternative_46", "exec"), namespace)
    return Direct(SimpleNamespace(**namespace))


@pytest.mark.parametrize("source", [ALTERNATIVE, EXACT_COUNTS], ids=["hf-bernoulli", "exact-counts"])
def test_other_correct_uses_of_the_generator_pass_46_1(source):
    learner = module_of(source)
    C.mlm_exact_property(learner, CPU)
    for case in C.MLM_CASES:
        C.test_mlm_cases(learner, CPU, case)
    C.test_mlm_same_seed_same_result(learner, CPU)
    C.test_mlm_rates_are_15_percent_then_80_10_10(learner, CPU)


def test_hf_style_extended_mask_passes_46_2():
    learner = module_of(ALTERNATIVE)
    for case in C.EXTENDED_CASES:
        C.test_extended_attention_mask_cases(learner, CPU, case)
    for dtype in C.DTYPES:
        C.test_extended_mask_zeroes_attention_to_padding(learner, CPU, dtype)


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(46)
