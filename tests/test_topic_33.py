"""Topic 33 (LSTM): the latch generator, the reference against torch.nn.LSTM (packed sequences included), the mistake
models (each differs from torch where it should, the flag-free model is torch), the recording optimizer and the
chunk-reach count, the truncated-BPTT loop mistakes, the calibration record of 33.4, and a direct run of the checks on
the reference (every task passes) and on the stub (every task fails)."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from grader.kit.calibration import record
from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(33, "data")
M = topic_module(33, "mistakes")
R = topic_module(33, "recipes")
T = topic_module(33, "training")
C = topic_module(33, "checks")

REF = load_solution(33)
DEEP = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True)


# --- data -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, length", [(1, 1), (5, 30), (16, 200)])
def test_latch_targets_are_the_latest_value_set(n, length):
    x, y = D.make_latch(n, length, seed=2)
    assert x.shape == (n, length, D.INPUT_SIZE) and x.dtype == torch.float32
    assert y.shape == (n, length) and y.dtype == torch.int64
    assert torch.equal(x.sum(-1), torch.ones(n, length))
    tokens = x.argmax(-1)
    assert bool((tokens[:, 0] < D.NUM_VALUES).all())  # step 0 always sets the latch
    for row_tokens, row_y in zip(tokens.tolist(), y.tolist()):
        latched = None
        for token, target in zip(row_tokens, row_y):
            latched = token if token < D.NUM_VALUES else latched
            assert target == latched


def test_latch_gaps_cross_the_training_chunks_and_values_are_balanced():
    x, y = D.make_latch(64, 400, seed=0)
    is_set = x.argmax(-1) < D.NUM_VALUES
    rate = float(is_set[:, 1:].double().mean())
    assert abs(rate - D.P_SET) < 0.01
    # Most chunks of 10 start with a target set in an earlier chunk: a zero-state chunk cannot know it.
    starts = is_set[:, ::R.CHUNK]
    assert float((~starts[:, 1:]).double().mean()) > 0.85
    counts = torch.bincount(y.flatten(), minlength=D.NUM_VALUES).double()
    assert float(counts.min() / counts.max()) > 0.8


def test_latch_is_deterministic_per_seed_and_refuses_bad_arguments():
    a, b, c = D.make_latch(4, 20, 7), D.make_latch(4, 20, 7), D.make_latch(4, 20, 8)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and not torch.equal(a[0], c[0])
    with pytest.raises(ValueError):
        D.make_latch(2, 0, 0)
    with pytest.raises(ValueError):
        D.make_latch(2, 5, 0, p_set=0.0)


def test_show_renders_tokens_over_targets():
    lines = D.show(2, length=12).splitlines()
    assert len(lines) == 5 and lines[1].startswith("  x: S") and lines[2].startswith("  y: ")


# --- the reference and the mistake models against torch --------------------------------------------------------
def _torch(kwargs, state, inputs, lengths=None):
    return C.torch_forward(kwargs, state, inputs, lengths, inputs["input"].dtype, torch.device("cpu"))["out"]


@pytest.mark.parametrize("kwargs", [dict(input_size=3, hidden_size=4), DEEP,
                                    dict(input_size=2, hidden_size=3, num_layers=3, bias=False)])
@pytest.mark.parametrize("with_lengths", [False, True])
def test_reference_and_flag_free_mistake_model_are_torch(kwargs, with_lengths):
    state = C.reference_state(kwargs, 1, torch.float64, "cpu")
    inputs = C.make_inputs(kwargs, 4, 5, True, 1, torch.float64, "cpu")
    lengths = C.draw_lengths(4, 5, 1) if with_lengths else None
    want = _torch(kwargs, state, inputs, lengths)
    got = R.lstm_forward(REF, kwargs, state, inputs, lengths, torch.float64, "cpu")["out"]
    assert is_close(got, want)
    assert is_close(M.lstm(state, kwargs, inputs, lengths), want)


def test_torch_forward_unpacks_to_the_full_length_with_zero_padding():
    kwargs = dict(input_size=2, hidden_size=3, batch_first=True)
    state = C.reference_state(kwargs, 0, torch.float64, "cpu")
    inputs = C.make_inputs(kwargs, 3, 4, False, 0, torch.float64, "cpu")
    lengths = torch.tensor([4, 1, 2])
    out, _ = _torch(kwargs, state, inputs, lengths)
    assert out.shape == (3, 4, 3) and bool((out[1, 1:] == 0).all()) and bool((out[2, 2:] == 0).all())
    lstm = torch.nn.LSTM(**kwargs).double()
    lstm.load_state_dict(state)
    packed = pack_padded_sequence(inputs["input"], lengths, batch_first=True, enforce_sorted=False)
    assert is_close(out, pad_packed_sequence(lstm(packed)[0], batch_first=True, total_length=4)[0])


@pytest.mark.parametrize("name", list(M.LSTM_MISTAKES))
def test_lstm_mistakes_differ_from_torch_on_a_deep_bidirectional_lstm(name):
    state = C.reference_state(DEEP, 2, torch.float64, "cpu")
    inputs = C.make_inputs(DEEP, 3, 4, True, 2, torch.float64, "cpu")
    assert not is_close(M.LSTM_MISTAKES[name](state, DEEP, inputs), _torch(DEEP, state, inputs))


@pytest.mark.parametrize("name", list(M.LENGTH_MISTAKES))
def test_length_mistakes_differ_from_packed_torch(name):
    state = C.reference_state(DEEP, 3, torch.float64, "cpu")
    inputs = C.make_inputs(DEEP, 4, 5, True, 3, torch.float64, "cpu")
    lengths = torch.tensor([5, 2, 3, 1])
    assert not is_close(M.LENGTH_MISTAKES[name](state, DEEP, inputs, lengths), _torch(DEEP, state, inputs, lengths))


def test_reference_gives_the_padding_no_gradient():
    kwargs = dict(input_size=2, hidden_size=3, num_layers=2, bidirectional=True)
    state = C.reference_state(kwargs, 4, torch.float64, "cpu")
    inputs = C.make_inputs(kwargs, 3, 4, True, 4, torch.float64, "cpu")
    lengths = torch.tensor([4, 2, 1])
    grad = R.lstm_forward(REF, kwargs, state, inputs, lengths, torch.float64, "cpu")["grads"]["input"]  # (T, B, I)
    assert bool((grad[2:, 1] == 0).all()) and bool((grad[1:, 2] == 0).all()) and bool((grad[:, 0] != 0).any())


# --- the loop, the recording optimizer and the chunk reach ------------------------------------------------------
def _tbptt_args(steps=10, chunk=4, seed=1):
    sizes = (3, 4, 3)
    state = C.tbptt_state(sizes, seed, torch.float64, "cpu")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(2, steps, 3, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (2, steps), generator=gen)
    return sizes, state, x, y, chunk, 0.5, torch.float64


def test_reference_loop_reaches_exactly_each_chunk():
    result = R.run_tbptt(REF, *_tbptt_args())
    assert result["graph_error"] is None and result["reach"] == C.chunk_reach(10, 4) == [[0, 3, 4], [4, 7, 4], [8, 9, 2]]
    assert result["returned"] == pytest.approx(result["losses"]) and len(result["losses"]) == 3


@pytest.mark.parametrize("name", list(M.TBPTT_MISTAKES))
def test_loop_mistakes_differ_from_the_reference(name):
    want = R.run_tbptt(REF, *_tbptt_args())
    got = R.run_tbptt(M.namespace_of(train_tbptt=M.TBPTT_MISTAKES[name]), *_tbptt_args())
    if "not detached" in name:
        assert got["graph_error"] and "backward through the graph a second time" in got["graph_error"]
    else:
        assert got["graph_error"] is None and not is_close(got["losses"], want["losses"])


def test_a_whole_sequence_backward_reaches_every_chunk():
    def whole(model, head, optimizer, x, y, chunk_len, loss_fn):
        out, _ = model(x)
        loss = loss_fn(head(out), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return [loss.item()]

    assert R.run_tbptt(M.namespace_of(train_tbptt=whole), *_tbptt_args())["reach"] == [[0, 9, 10]]


def test_reach_mismatches_count_steps_outside_their_chunk_and_graph_errors():
    good = T.expected_reach()
    assert T.reach_mismatches({"reach": good * 2, "steps_per_call": [len(good)] * 2}) == (0, "")
    leaked = [list(r) for r in good]
    leaked[3] = [0, 39, 40]
    bad, text = T.reach_mismatches({"reach": good + leaked, "steps_per_call": [len(good)] * 2})
    assert bad == 1 and "pass 2, optimizer step 4" in text and "t=0..39" in text
    bad, text = T.reach_mismatches({"reach": good[:1], "steps_per_call": [1], "graph_error": "Trying to backward"})
    assert bad == 1 and "earlier chunk's graph" in text
    bad, text = T.reach_mismatches({"reach": [[0, 99, 100]], "steps_per_call": [1]})
    assert bad == len(good) and "optimizer step 1" in text


def test_measure_reports_nan_loss_for_an_aborted_training_and_accuracy_of_the_predictions():
    _, y = T.heldout()
    result = {"losses": [0.1] * 5, "reach": [], "steps_per_call": [1], "graph_error": "x", "predictions": y.clone()}
    metrics = T.measure(result, 0)
    assert math.isnan(metrics["final_loss"]) and metrics["accuracy"] == 1.0 and metrics["chunk_mismatch"] >= 1
    assert not T.TASK.passes(metrics)


# --- the calibration --------------------------------------------------------------------------------------------
def test_calibration_record_shows_the_marks_separate_correct_and_broken_models():
    rec = record(T.TASK)
    assert rec, "grader/topics/33_lstm/calibration.json has no 33.4 record: run grade calibrate 33"
    correct = {k: v for k, v in rec["runs"].items() if k == "reference" or k.startswith("correct")}
    broken = {k: v for k, v in rec["runs"].items() if k.startswith("broken")}
    assert len(correct) >= 6 and len(broken) >= 2
    for rows in correct.values():
        for row in rows:
            assert all(m.passes(row[m.metric]) for m in T.MARKS), row
    for rows in broken.values():
        for row in rows:
            assert not T.TASK.passes(row), row
    curve = rec["reference_losses"]
    assert all(math.isfinite(v) for v in curve) and curve[-1] < 0.1 * curve[0]


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(33)
