"""Topic 54 (GPT): the bracket-language generator, the mistake models, the grader's stand-in model, the training
task's measures, independent correct implementations written differently from the reference (they must pass), and a
direct run of the checks on the reference (every task passes) and the stub (every task fails)."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from grader.engine import manifest
from grader.kit.compare import is_close
from grader_topic_support import Direct, assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(54, "data")
M = topic_module(54, "mistakes")
R = topic_module(54, "recipes")
S = topic_module(54, "support")
T = topic_module(54, "training")
C = topic_module(54, "checks")
REF = load_solution(54)
CPU = torch.device("cpu")


# --- data -------------------------------------------------------------------------------------------------------
def test_words_are_valid_and_cover_every_length_and_depth():
    words = D.words(2000, seed=1)
    assert all(D.is_valid(w + ".") for w in words)
    assert {len(w) for w in words} == set(range(2, D.MAX_WORD + 1, 2))

    def depth(w: str) -> int:
        d = best = 0
        for c in w:
            d += 1 if c == "(" else -1
            best = max(best, d)
        return best

    assert {depth(w) for w in words} == set(range(1, D.MAX_DEPTH + 1))


def test_words_are_deterministic_per_seed():
    assert D.words(50, 3) == D.words(50, 3) and D.words(50, 3) != D.words(50, 4)
    # random.Random is the generator: the sequence for a seed is fixed across platforms
    assert D.random_word(random.Random(0)) == D.words(1, 0)[0]


def test_batches_hold_the_word_between_boundaries_and_ignore_the_padding():
    x, y = D.make_batch(64, seed=2)
    assert x.shape == y.shape == (64, D.SEQ_LEN - 1) and x.dtype == y.dtype == torch.int64
    for word, row, target in zip(D.words(64, 2), x.tolist(), y.tolist()):
        n = len(word)
        assert D.decode(row[: n + 1]) == "." + word and set(row[n + 1:]) <= {D.BOUNDARY}
        assert D.decode(target[: n + 1]) == word + "." and set(target[n + 1:]) <= {D.IGNORE}
        assert row[1: n + 1] == target[:n]  # the targets are the inputs shifted by one


@pytest.mark.parametrize("text, valid", [
    ("().", True), ("(()).", True), ("()()(((()))).", True),
    ("(.", False), (").", False), ("())(.", False), ("()", False), (".", False), ("((((())))).", False),
    ("()" * 9 + ".", False), ("(x).", False),
])
def test_is_valid(text, valid):
    assert D.is_valid(text) is valid


def test_sample_text_stops_at_the_first_boundary():
    assert D.sample_text(D.encode("(())..((")) == "(())."
    assert D.sample_text(D.encode("(((")) == "((("


def test_show_renders_words():
    lines = D.show(3).splitlines()
    assert len(lines) == 4 and all(D.is_valid(line.strip()[1:]) for line in lines[1:])


# --- attention mistakes ----------------------------------------------------------------------------------------
def attention_case(past: int | None, seed: int = 0):
    kwargs = dict(n_embd=6, n_head=2)
    state = S.reference_state(kwargs, seed, torch.float64, CPU)
    x, cache = C.attention_inputs(2, 4, 2, 3, past, seed, torch.float64, CPU)
    module = S.TorchAttention(**kwargs).double()
    module.load_state_dict(state)
    with torch.no_grad():
        y, (k, v) = module(x, cache)
    return state, x, cache, (y, k, v)


@pytest.mark.parametrize("past", [None, 3])
def test_attention_model_without_mistakes_is_torchs_attention(past):
    state, x, cache, want = attention_case(past)
    got = M.attention(state, 2, x, *(cache or ()))
    assert is_close(got, want)


@pytest.mark.parametrize("name", list(M.ATTENTION_MISTAKES))
def test_attention_mistakes_differ_from_torch(name):
    state, x, _, want = attention_case(None)
    assert not is_close(M.ATTENTION_MISTAKES[name](state, 2, x)[0], want[0])


@pytest.mark.parametrize("name", [n for n in M.CACHE_MISTAKES if n not in M.ATTENTION_MISTAKES])
def test_cache_mistakes_differ_or_raise(name):
    state, x, cache, want = attention_case(3)
    try:
        got = M.CACHE_MISTAKES[name](state, 2, x, *cache)
    except RuntimeError:
        return  # a shape error: what a learner's code with this mistake raises too
    assert not is_close(got, want)


def test_torch_reference_attention_is_causal_scaled_dot_product_attention():
    state, x, _, (y, _, _) = attention_case(None)
    q, k, v = F.linear(x, state["c_attn.weight"], state["c_attn.bias"]).split(6, dim=2)
    q, k, v = (t.view(2, 4, 2, 3).transpose(1, 2) for t in (q, k, v))
    attended = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(2, 4, 6)
    assert is_close(y, F.linear(attended, state["c_proj.weight"], state["c_proj.bias"]))


# --- sampling mistakes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(C.PROBS_CASES))
def test_probs_model_without_mistakes_is_the_reference(case):
    logits, options = C.PROBS_CASES[case]
    assert is_close(M.probs(logits, **options), REF.next_token_probs(logits, **options))


EXPOSING = {
    "temperature applied after the softmax (probabilities divided by T and renormalised: T has no effect)": (
        "temperature 2 flattens"),
    "logits multiplied by the temperature instead of divided": "temperature 0.5 sharpens",
    "top-p drops the token that crosses the threshold (keeps only the tokens whose cumulative sum is below top_p)": (
        "top_p keeps the token that crosses the threshold"),
    "top-p applied before top-k (on the distribution before top-k filtering)": (
        "top_k, then top_p on the renormalised top-k"),
    "filtered probabilities not renormalised to sum to 1": "top_k 2",
}


@pytest.mark.parametrize("name", list(M.PROBS_MISTAKES))
def test_probs_mistakes_differ_on_the_case_that_pins_them(name):
    logits, options = C.PROBS_CASES[EXPOSING[name]]
    assert not is_close(M.PROBS_MISTAKES[name](logits, **options), REF.next_token_probs(logits, **options))


def test_the_stable_tie_case_drops_the_later_index():
    logits, options = C.PROBS_CASES["top_p with tied probabilities at the threshold (stable sort: lower index first)"]
    assert (REF.next_token_probs(logits, **options) > 0).tolist() == [[True, True, False]]


def test_random_top_p_is_moved_away_from_every_cumulative_sum():
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25]]))
    moved = C.away_from_cumsums(REF, logits, {}, 0.75)
    assert abs(moved - 0.75) >= 1e-4 and abs(moved - 0.5) >= 1e-4


# --- the stand-in model and generate's mistakes ----------------------------------------------------------------
def test_toy_model_with_its_cache_gives_its_full_logits():
    model = R.ToyLM(7, 12, seed=5)
    tokens = torch.randint(0, 7, (3, 9), generator=torch.Generator().manual_seed(0))
    full, _ = model(tokens)
    logits, cache = model(tokens[:, :4])
    pieces = [logits]
    for t in range(4, 9):
        logits, cache = model(tokens[:, t:t + 1], past_kvs=cache)
        pieces.append(logits)
    assert is_close(torch.cat(pieces, 1), full, rtol=1e-12, atol=1e-12)
    assert [c["past"] for c in model.calls] == [0, 0, 4, 5, 6, 7, 8]
    with pytest.raises(ValueError):
        model(tokens, past_kvs=cache)  # beyond block_size


def test_toy_model_logits_depend_on_the_whole_history():
    model = R.ToyLM(7, 12, seed=5)
    a = torch.tensor([[1, 2, 3, 4]])
    b = torch.tensor([[5, 2, 3, 4]])
    assert not is_close(model(a)[0][:, -1], model(b)[0][:, -1])


@pytest.mark.parametrize("name", list(M.GENERATE_MISTAKES))
def test_generate_mistakes_call_the_model_or_choose_differently(name):
    prompt = torch.randint(0, 7, (3, 4), generator=torch.Generator().manual_seed(4))
    args = (prompt, 6, {"temperature": 0.0}, None, 7, 16, 5)
    want = R.call_generate(SimpleNamespace(generate=REF.generate, sample_next=REF.sample_next), *args)
    got = R.call_generate(SimpleNamespace(generate=M.GENERATE_MISTAKES[name]), *args)
    assert C.calls_text(got["calls"]) != C.calls_text(want["calls"]) or not torch.equal(got["tokens"], want["tokens"])


# --- the training task ------------------------------------------------------------------------------------------
def test_heldout_and_probe_are_fixed_and_the_probe_changes_only_late_positions():
    x, y = T.heldout()
    assert torch.equal(x, D.make_batch(T.HELDOUT_WORDS, T.HELDOUT_SEED)[0])
    probe = T.probe()
    assert torch.equal(probe[:, : T.PROBE_FROM], x[: T.PROBE_ROWS, : T.PROBE_FROM])
    assert not torch.equal(probe[:, T.PROBE_FROM:], x[: T.PROBE_ROWS, T.PROBE_FROM:])


def test_measures_of_perfect_and_useless_results():
    x, y = T.heldout()
    perfect = torch.full((*y.shape, 3), -30.0)
    perfect.scatter_(-1, y.clamp(min=0)[..., None], 30.0)
    words = [D.encode("." + w + ".") for w in D.words(10, 0)]
    samples = torch.tensor([ids + [0] * (D.SEQ_LEN - len(ids)) for ids in words])
    assert T.heldout_loss(perfect) < 1e-6 and T.valid_fraction(samples) == 1.0
    assert T.heldout_loss(torch.zeros(*y.shape, 3)) == pytest.approx(torch.log(torch.tensor(3.0)).item())
    assert T.valid_fraction(torch.zeros(10, D.SEQ_LEN, dtype=torch.int64)) == 0.0
    assert T.heldout_loss(torch.zeros(2, 3)) != T.heldout_loss(torch.zeros(2, 3))  # NaN for a wrong shape
    assert T.probe_changes({"heldout_logits": perfect, "probe_logits": perfect[: T.PROBE_ROWS]}) == 0.0


def test_the_learning_rate_warms_up_then_drops_for_the_last_quarter():
    rates = [R.learning_rate(s, 800, 5e-3, 50) for s in range(800)]
    assert rates[0] == pytest.approx(1e-4) and rates[49] == pytest.approx(5e-3)
    assert rates[599] == pytest.approx(5e-3) and rates[600] == pytest.approx(5e-4)


# --- independent correct implementations pass -------------------------------------------------------------------
ALTERNATIVE = '''
import math
import torch
from torch import nn


class CausalSelfAttention(nn.Module):
    """Another correct attention: one query at a time, a slice of the keys instead of a mask."""

    def __init__(self, n_embd, n_head, bias=True):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)

    def forward(self, x, past_kv=None):
        b, t, c = x.shape
        h, d = self.n_head, c // self.n_head
        q, k, v = torch.chunk(self.c_attn(x), 3, dim=-1)
        q, k, v = (z.reshape(b, t, h, d).permute(0, 2, 1, 3) for z in (q, k, v))
        if past_kv is not None:
            k, v = torch.cat((past_kv[0], k), -2), torch.cat((past_kv[1], v), -2)
        p = k.shape[2] - t
        rows = []
        for i in range(t):
            w = torch.einsum("bhd,bhsd->bhs", q[:, :, i], k[:, :, : p + i + 1]) / math.sqrt(d)
            rows.append(torch.einsum("bhs,bhsd->bhd", w.softmax(-1), v[:, :, : p + i + 1]))
        y = torch.stack(rows, dim=2).permute(0, 2, 1, 3).reshape(b, t, c)
        return self.c_proj(y), (k, v)


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    """Another correct filter: HF's shifted 'cumulative > top_p' removal, on logits."""
    if temperature == 0:
        out = torch.zeros_like(logits)
        return out.scatter_(-1, logits.argmax(-1, keepdim=True), 1.0)
    z = logits / temperature
    if top_k is not None:
        kth = torch.topk(z, min(top_k, z.shape[-1])).values[:, -1:]
        z = torch.where(z < kth, torch.full_like(z, float("-inf")), z)
    if top_p is not None and top_p < 1:
        sorted_z, order = torch.sort(z, descending=True, stable=True)
        remove = sorted_z.softmax(-1).cumsum(-1) > top_p
        remove = torch.cat([torch.zeros_like(remove[:, :1]), remove[:, :-1]], dim=1)
        z = z.masked_fill(torch.zeros_like(remove).scatter(1, order, remove), float("-inf"))
    return torch.softmax(z, -1)


def sample_next(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    """Another correct sampler: inverse CDF with torch.rand and searchsorted (no multinomial)."""
    if temperature == 0:
        return torch.argmax(logits, dim=-1)
    p = next_token_probs(logits, temperature, top_k, top_p)
    cdf = p.cumsum(-1)
    u = torch.rand(p.shape[0], 1, generator=generator, dtype=p.dtype, device=p.device) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True).clamp(max=p.shape[-1] - 1).squeeze(-1)


def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None):
    """Another correct generate: the cache passed positionally, the last token fed too."""
    with torch.no_grad():
        out, cache, feed = idx, None, idx
        for _ in range(max_new_tokens):
            logits, cache = model(feed, cache) if cache is not None else model(feed)
            feed = sample_next(logits[:, -1, :], temperature=temperature, top_k=top_k, top_p=top_p,
                               generator=generator).unsqueeze(1)
            out = torch.cat([out, feed], dim=1)
        if max_new_tokens:
            model(feed, cache)
        return out
'''


@pytest.fixture(scope="module")
def alternative():
    module = SimpleNamespace()
    namespace: dict = {}
    exec(compile(ALTERNATIVE, "alternative_54", "exec"), namespace)
    module.__dict__.update(namespace)
    return Direct(module)


def test_an_alternative_attention_passes_54_1_and_54_2(alternative):
    for case in C.ATTENTION_CASES:
        C.test_attention_cases(alternative, CPU, case)
    C.attention_property(alternative, CPU)
    C.causality_property(alternative, CPU)
    for case in C.CACHE_CASES:
        C.test_attention_cache_cases(alternative, CPU, case)
    C.cache_property(alternative, CPU)


def test_an_alternative_sampler_passes_54_3(alternative):
    for case in C.PROBS_CASES:
        C.test_probs_cases(alternative, REF, CPU, case)
    C.probs_property(alternative, REF, CPU)
    C.test_sample_next_greedy_is_argmax(alternative, CPU)
    C.test_sample_next_draws_follow_next_token_probs(alternative, REF, CPU)
    C.test_sample_next_is_reproducible_from_the_generator(alternative, CPU)


def test_an_alternative_generate_passes_54_4(alternative):
    for case in C.GENERATE_CASES:
        C.test_generate_greedy_uses_the_cache(alternative, CPU, case)
    for options in ({"temperature": 0.8, "top_k": 4}, {"temperature": 1.3, "top_p": 0.9}, {}):
        C.test_generate_samples_with_sample_next(alternative, CPU, options)
    C.test_generate_zero_new_tokens_returns_the_prompt(alternative, CPU)


NOT_CAUSAL = ALTERNATIVE.split("def next_token_probs")[0].replace("k[:, :, : p + i + 1]", "k").replace(
    "v[:, :, : p + i + 1]", "v")


def test_the_causality_checks_catch_attention_that_sees_the_future():
    # the reference solution with an attention that attends to every key: its GPT is not causal either
    source = load_source_of_solution() + "\n" + NOT_CAUSAL
    namespace: dict = {}
    exec(compile(source, "not_causal_54", "exec"), namespace)
    learner = Direct(SimpleNamespace(**namespace))
    with pytest.raises(AssertionError, match="CausalSelfAttention is not causal"):
        C.causality_property(learner, CPU)
    with pytest.raises(AssertionError, match="GPT is not causal"):
        C.test_gpt_is_causal(learner, CPU)


def load_source_of_solution() -> str:
    return manifest.topic(54).solution_path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(54)
