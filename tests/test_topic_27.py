"""Topic 27 (RNN): the memory-task data generator, the mistake models (torch's modules with exactly one mistake), the
calibration record of 27.4, and a direct run of the checks on the reference (every task passes) and the stub (every
task fails)."""

from __future__ import annotations

import math

import pytest
import torch

from grader.kit.calibration import record
from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(27, "data")
M = topic_module(27, "mistakes")
T = topic_module(27, "training")

REF = load_solution(27)


# --- data -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, length", [(1, 1), (7, 10), (64, 20)])
def test_sequences_are_one_hot_with_the_label_first(n, length):
    x, y = D.make_sequences(n, seed=3, length=length)
    assert x.shape == (n, length, D.NUM_TOKENS) and x.dtype == torch.float32
    assert y.shape == (n,) and y.dtype == torch.int64
    assert torch.equal(x.sum(-1), torch.ones(n, length))
    assert torch.equal(x[:, 0].argmax(-1), y)
    assert int(y.min()) >= 0 and int(y.max()) < D.NUM_CLASSES


def test_labels_are_balanced_and_distractors_cover_the_vocabulary():
    x, y = D.make_sequences(103, seed=0, length=15)
    counts = torch.bincount(y, minlength=D.NUM_CLASSES)
    assert int(counts.max() - counts.min()) <= 1
    later = x[:, 1:].argmax(-1)
    assert set(later.unique().tolist()) == set(range(D.NUM_TOKENS))  # class tokens reappear as distractors
    # Distractors say nothing about the label: no later position predicts it much better than chance.
    agree = (later == y[:, None]).float().mean().item()
    assert agree < 0.25


def test_sequences_are_deterministic_per_seed():
    a, b, c = D.make_sequences(16, 5), D.make_sequences(16, 5), D.make_sequences(16, 6)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        D.make_sequences(4, 0, length=0)
    with pytest.raises(ValueError):
        D.make_sequences(4, 0, num_tokens=3, num_classes=4)


def test_training_lengths_ramp_up_then_match_the_held_out_lengths():
    lengths = D.training_lengths(150, seed=0)
    assert len(lengths) == 150 and lengths == D.training_lengths(150, seed=0)
    ramp = int(150 * 0.6)
    assert all(2 <= n <= D.MAX_LENGTH for n in lengths[:ramp])
    assert max(lengths[:10]) <= 5  # the curriculum starts short
    assert all(D.MIN_LENGTH <= n <= D.MAX_LENGTH for n in lengths[ramp:])


def test_show_renders_each_sample_with_its_label():
    text = D.show(3)
    lines = text.splitlines()
    assert len(lines) == 4 and "first token" in lines[0]
    for line in lines[1:]:
        label, first = line.split(":")[0].split()[-1], line.split("[")[1].split("]")[0]
        assert label == first


# --- mistake models ---------------------------------------------------------------------------------------------
def torch_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach() for k, v in module.state_dict().items()}


def inputs_for(kind: str, kwargs: dict, batch: int = 2, steps: int = 4) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    h = kwargs["hidden_size"]
    if kind == "RNN":
        layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
        lead = (batch, steps) if kwargs.get("batch_first") else (steps, batch)
        shape = (*lead, kwargs["input_size"])
        return {"input": torch.randn(shape, generator=gen), "hx": torch.randn(layers, batch, h, generator=gen)}
    out = {"input": torch.randn(batch, kwargs["input_size"], generator=gen)}
    if kind == "RNNCell":
        out["hx"] = torch.randn(batch, h, generator=gen)
    else:
        out["h0"], out["c0"] = torch.randn(batch, h, generator=gen), torch.randn(batch, h, generator=gen)
    return out


def run_torch(kind: str, module: torch.nn.Module, inputs: dict[str, torch.Tensor]):
    with torch.no_grad():
        if kind == "LSTMCell":
            return module(inputs["input"], (inputs["h0"], inputs["c0"]))
        return module(inputs["input"], inputs.get("hx"))


EXPOSING = {  # the configuration on which each mistake shows
    "nonlinearity='relu' ignored (tanh always)": ("RNNCell", dict(input_size=3, hidden_size=4, nonlinearity="relu")),
    "weights used untransposed (x @ W_ih instead of x @ W_ih.T)": ("RNNCell", dict(input_size=4, hidden_size=4)),
    "hx ignored (the step always starts from zeros)": ("RNNCell", dict(input_size=3, hidden_size=4)),
}
RNN_EXPOSING = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True,
                    nonlinearity="relu")


@pytest.mark.parametrize("name", list(M.RNN_CELL_MISTAKES))
def test_rnn_cell_mistakes_differ_from_torch(name):
    kind, kwargs = EXPOSING[name]
    torch.manual_seed(0)
    module = torch.nn.RNNCell(**kwargs)
    inputs = inputs_for(kind, kwargs)
    assert not is_close(M.RNN_CELL_MISTAKES[name](torch_state(module), kwargs, inputs), run_torch(kind, module, inputs))


@pytest.mark.parametrize("name", list(M.RNN_MISTAKES))
def test_rnn_mistakes_differ_from_torch_on_a_deep_bidirectional_batch_first_relu_rnn(name):
    torch.manual_seed(0)
    module = torch.nn.RNN(**RNN_EXPOSING)
    inputs = inputs_for("RNN", RNN_EXPOSING)
    got = M.RNN_MISTAKES[name](torch_state(module), RNN_EXPOSING, inputs)
    assert not is_close(got, run_torch("RNN", module, inputs))


@pytest.mark.parametrize("name", list(M.LSTM_CELL_MISTAKES))
def test_lstm_cell_mistakes_differ_from_torch(name):
    kwargs = dict(input_size=3, hidden_size=4)
    torch.manual_seed(0)
    module = torch.nn.LSTMCell(**kwargs)
    inputs = inputs_for("LSTMCell", kwargs)
    got = M.LSTM_CELL_MISTAKES[name](torch_state(module), kwargs, inputs)
    assert not is_close(got, run_torch("LSTMCell", module, inputs))


@pytest.mark.parametrize("kwargs", [dict(input_size=3, hidden_size=4), RNN_EXPOSING,
                                    dict(input_size=2, hidden_size=3, num_layers=3, bias=False)])
def test_mistake_model_without_mistakes_is_torch(kwargs):
    torch.manual_seed(0)
    rnn = torch.nn.RNN(**kwargs)
    inputs = inputs_for("RNN", kwargs)
    assert is_close(M.rnn(torch_state(rnn), kwargs, inputs), run_torch("RNN", rnn, inputs))
    cell_kwargs = dict(input_size=kwargs["input_size"], hidden_size=kwargs["hidden_size"])
    lstm = torch.nn.LSTMCell(**cell_kwargs)
    inputs = inputs_for("LSTMCell", cell_kwargs)
    assert is_close(M.lstm_cell(torch_state(lstm), cell_kwargs, inputs), run_torch("LSTMCell", lstm, inputs))
    cell = torch.nn.RNNCell(**cell_kwargs)
    inputs = inputs_for("RNNCell", cell_kwargs)
    assert is_close(M.rnn_cell(torch_state(cell), cell_kwargs, inputs), run_torch("RNNCell", cell, inputs))


# --- the reference and the calibration --------------------------------------------------------------------------
def test_reference_rnn_matches_torch_unbatched_and_bidirectional():
    torch.manual_seed(0)
    ref = torch.nn.RNN(**RNN_EXPOSING)
    mine = REF.RNN(**RNN_EXPOSING)
    mine.load_state_dict(ref.state_dict())
    x = torch.randn(2, 5, 3)
    assert is_close(mine(x), ref(x)) and is_close(mine(x[0]), ref(x[0]))


def test_calibration_record_shows_correct_models_clear_the_pass_mark_on_every_seed():
    rec = record(T.TASK)
    assert rec, "grader/topics/27_rnn/calibration.json has no 27.4 record: run grade calibrate 27"
    assert len(rec["seeds"]) >= 5 and T.TASK.check_seed in rec["seeds"]
    runs = {label: rows for label, rows in rec["runs"].items() if label == "reference" or label.startswith("correct")}
    assert len(runs) >= 6, sorted(runs)  # the reference and at least 5 correct variants
    for label, rows in runs.items():
        assert sorted(r["seed"] for r in rows) == sorted(rec["seeds"]), label
        assert all(row["accuracy"] >= T.PASS_MARK + 0.03 for row in rows), (label, rows)
    assert min(r["accuracy"] for r in rec["runs"]["reference"]) >= 0.99
    curve = rec["reference_losses"]
    assert len(curve) == 150 and all(math.isfinite(v) for v in curve) and curve[-1] < 0.2 * curve[0]


def test_calibration_record_shows_broken_models_stay_far_below_the_pass_mark():
    rec = record(T.TASK)
    broken = {label: rows for label, rows in rec["runs"].items() if label.startswith("broken")}
    assert len(broken) >= 2
    assert all(row["accuracy"] < 0.6 for rows in broken.values() for row in rows), broken


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(27)
