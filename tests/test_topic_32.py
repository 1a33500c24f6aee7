"""Topic 32 (Seq2Seq): the digit-reversal generator, the grader's own contract model against the reference, the
optimizers handed to train_step, the mistake models (each differs from the reference where it should), the held-out
metric, the calibration record of 32.6, and a direct run of the checks on the reference (every task passes) and on
the stub (every task fails)."""

from __future__ import annotations

import math

import pytest
import torch

from grader.kit.calibration import record
from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(32, "data")
M = topic_module(32, "mistakes")
R = topic_module(32, "recipes")
T = topic_module(32, "training")
C = topic_module(32, "checks")

REF = load_solution(32)
SIZES = (7, 3, 4)


# --- data -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, lo, hi", [(1, 1, 1), (9, 3, 6), (64, 2, 8)])
def test_reversal_pairs_are_bos_reversed_source_eos_then_pad(n, lo, hi):
    src, lengths, tgt = D.make_reversal(n, seed=4, min_len=lo, max_len=hi)
    assert src.shape == (n, hi) and tgt.shape == (n, hi + 2) and lengths.shape == (n,)
    assert src.dtype == tgt.dtype == lengths.dtype == torch.int64
    assert int(lengths.min()) >= lo and int(lengths.max()) <= hi
    for s, k, t in zip(src.tolist(), lengths.tolist(), tgt.tolist()):
        digits = s[:k]
        assert all(D.FIRST_DIGIT <= d < D.VOCAB_SIZE for d in digits) and s[k:] == [D.PAD] * (hi - k)
        assert t == [D.BOS] + digits[::-1] + [D.EOS] + [D.PAD] * (hi - k)


def test_reversal_is_deterministic_per_seed_and_covers_the_lengths_and_digits():
    a, b, c = D.make_reversal(200, 5), D.make_reversal(200, 5), D.make_reversal(200, 6)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])
    assert set(a[1].tolist()) == set(range(D.MIN_LEN, D.MAX_LEN + 1))
    assert set(a[0][a[0] != D.PAD].tolist()) == set(range(D.FIRST_DIGIT, D.VOCAB_SIZE))


def test_bad_lengths_are_refused():
    with pytest.raises(ValueError):
        D.make_reversal(3, 0, min_len=0)
    with pytest.raises(ValueError):
        D.make_reversal(3, 0, min_len=5, max_len=4)


def test_show_prints_each_source_with_its_reversal():
    lines = D.show(3).splitlines()
    assert len(lines) == 4 and "PAD 0" in lines[0]
    for line in lines[1:]:
        source = line.split("src")[1].split("(")[0].split()
        target = line.split("tgt")[1].split()
        assert target == ["<bos>", *source[::-1], "<eos>"]


def test_held_out_seed_is_none_of_the_training_batches_seeds():
    training_seeds = {seed * 1_000_003 + step for seed in range(5) for step in range(R.STEPS)}
    src, lengths, tgt = T.heldout()
    assert 932_006 not in training_seeds and torch.equal(src, D.make_reversal(T.HELDOUT, seed=932_006)[0])
    assert len(src) == T.HELDOUT and tgt.shape == (T.HELDOUT, D.MAX_LEN + 2) and lengths.shape == (T.HELDOUT,)


def test_sequence_metrics_count_exact_rows_and_tokens_up_to_eos():
    _, _, tgt = D.make_reversal(4, seed=1)
    perfect = T.sequence_metrics(tgt[:, 1:].clone(), tgt)
    assert perfect == {"sequence_accuracy": 1.0, "token_accuracy": 1.0}
    wrong = tgt[:, 1:].clone()
    wrong[0, -1] = 5  # a token after the first row's EOS (or its last digit): the row is wrong
    assert T.sequence_metrics(wrong, tgt)["sequence_accuracy"] == 0.75
    assert math.isnan(T.sequence_metrics(tgt, tgt)["sequence_accuracy"])  # wrong width


# --- the grader's model and optimizers --------------------------------------------------------------------------
def _state(cell: str, seed: int = 0):
    return C.draw_state("Seq2Seq", SIZES, cell, seed, torch.float64, "cpu")


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_grader_model_is_the_reference_given_the_same_weights(cell):
    state = _state(cell)
    src, lengths = C.draw_src(SIZES[0], 3, 4, 0, "cpu")
    tgt = C.draw_tgt(SIZES[0], 3, 6, 0, "cpu")
    ours = R.grader_model(SIZES, cell, state, torch.float64, torch.device("cpu"))
    ref = REF.Seq2Seq(*SIZES, cell=cell).double()
    ref.load_state_dict(state)
    for ratio in (1.0, 0.5, 0.0):
        g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
        assert is_close(ours(src, lengths, tgt, ratio, g1), ref(src, lengths, tgt, ratio, g2))
    assert torch.equal(REF.greedy_decode(ours, src, lengths, 5), REF.greedy_decode(ref, src, lengths, 5))


def test_grader_adam_without_clipping_is_torch_adam():
    torch.manual_seed(0)
    w = torch.randn(5, requires_grad=True)
    v = w.detach().clone().requires_grad_(True)
    ours, theirs = R.Adam([w], lr=0.1, clip=1e9), torch.optim.Adam([v], lr=0.1)
    for step in range(3):
        for p, opt in ((w, ours), (v, theirs)):
            opt.zero_grad()
            ((p - step) ** 2).sum().backward()
            opt.step()
    assert is_close(w.detach(), v.detach())


def test_grader_adam_clips_the_gradient_norm_and_sgd_counts_its_steps():
    w = torch.zeros(4, requires_grad=True)
    opt = R.Adam([w], lr=1.0, clip=1.0)
    w.grad = torch.full((4,), 100.0)
    opt.step()
    assert float(torch.linalg.vector_norm(w.grad)) == pytest.approx(1.0, rel=1e-4)
    sgd = R.SGD([w], lr=0.5)
    w.grad = torch.ones(4)
    before = w.detach().clone()
    sgd.step()
    assert sgd.steps == 1 and torch.allclose(w.detach(), before - 0.5)
    sgd.zero_grad()
    assert w.grad is None


# --- mistake models ---------------------------------------------------------------------------------------------
def _run(recipe, **definitions):
    return lambda *args: recipe(M.namespace(**definitions), *args)


@pytest.mark.parametrize("name", list(M.ENCODER_MISTAKES))
def test_encoder_mistakes_differ_from_the_reference_on_padded_input(name):
    state = C.draw_state("Encoder", SIZES, "lstm", 1, torch.float64, "cpu")
    src, lengths = C.draw_src(SIZES[0], 4, 5, 1, "cpu")
    args = (SIZES, "lstm", state, src, lengths, torch.float64)
    got = R.encoder_forward(M.namespace(Encoder=M.ENCODER_MISTAKES[name]), *args)["out"]
    assert not is_close(got, R.encoder_forward(REF, *args)["out"])


@pytest.mark.parametrize("name", list(M.DECODER_MISTAKES))
def test_decoder_mistakes_differ_from_the_reference(name):
    state = C.draw_state("Decoder", SIZES, "gru", 2, torch.float64, "cpu")
    tokens = torch.tensor([3, 4, 5])
    hidden = {"h": torch.randn(1, 3, SIZES[2], dtype=torch.float64)}
    args = (SIZES, "gru", state, tokens, hidden, torch.float64)
    got = R.decoder_step(M.namespace(Decoder=M.DECODER_MISTAKES[name]), *args)["out"]
    assert not is_close(got, R.decoder_step(REF, *args)["out"])


@pytest.mark.parametrize("name", list(M.SEQ2SEQ_MISTAKES))
def test_seq2seq_mistakes_differ_from_the_reference(name):
    ratio = 0.5 if "coin" in name or "ratio" in name else 1.0
    state = _state("gru", 3)
    src, lengths = C.draw_src(SIZES[0], 3, 4, 3, "cpu")
    tgt = C.draw_tgt(SIZES[0], 3, 7, 3, "cpu")
    args = (SIZES, "gru", state, src, lengths, tgt, ratio, 2, torch.float64)
    got = R.seq2seq_forward(M.namespace(Seq2Seq=M.SEQ2SEQ_MISTAKES[name]), *args)["out"]
    assert not is_close(got, R.seq2seq_forward(REF, *args)["out"])


@pytest.mark.parametrize("name", list(M.TRAIN_STEP_MISTAKES))
def test_train_step_mistakes_differ_from_the_reference(name):
    state = _state("lstm", 4)
    src, lengths = C.draw_src(SIZES[0], 4, 4, 4, "cpu")
    tgt = C.draw_tgt(SIZES[0], 4, 6, 4, "cpu")
    assert bool((tgt == D.PAD).any())  # PAD targets: the ignore_index mistake shows
    args = (SIZES, "lstm", state, src, lengths, tgt, 1.0, 0, 0.5, torch.float64)
    got = R.run_train_step(M.namespace(train_step=M.TRAIN_STEP_MISTAKES[name]), *args)
    assert got["loss"] != pytest.approx(R.run_train_step(REF, *args)["loss"])


@pytest.mark.parametrize("name", list(M.GREEDY_MISTAKES))
def test_greedy_mistakes_differ_from_the_reference_where_sequences_end_early(name):
    seed = C.mixed_eos_seed(REF, (6, 3, 4), "gru", 4, 4, 6, 0.6)
    state = C.draw_state("Seq2Seq", (6, 3, 4), "gru", seed, torch.float64, "cpu", eos_bias=0.6)
    src, lengths = C.draw_src(6, 4, 4, seed, "cpu")
    args = ((6, 3, 4), "gru", state, src, lengths, 6, torch.float64)
    want = R.run_greedy(REF, *args)
    assert want.shape == (4, 6) and bool((want == D.EOS).any())
    assert not is_close(R.run_greedy(M.namespace(greedy_decode=M.GREEDY_MISTAKES[name]), *args), want)


# --- the calibration --------------------------------------------------------------------------------------------
def test_calibration_record_shows_correct_models_clear_the_mark_and_broken_ones_miss_it():
    rec = record(T.TASK)
    assert rec, "grader/topics/32_seq2seq/calibration.json has no 32.6 record: run grade calibrate 32"
    mark = T.TASK.marks[0]
    correct = {k: v for k, v in rec["runs"].items() if k == "reference" or k.startswith("correct")}
    broken = {k: v for k, v in rec["runs"].items() if k.startswith("broken")}
    assert len(correct) >= 6 and len(broken) >= 2
    assert all(r[mark.metric] >= mark.threshold + mark.margin for rows in correct.values() for r in rows)
    assert all(r[mark.metric] <= mark.threshold - mark.margin for rows in broken.values() for r in rows)
    curve = rec["reference_losses"]
    assert len(curve) == R.STEPS and all(math.isfinite(v) for v in curve) and curve[-1] < 0.2 * curve[0]


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(32)
