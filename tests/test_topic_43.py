"""Topic 43 (Transformer): the sorting-task data generator and held-out set, the reference against torch, the mistake
models (each is the correct computation with exactly one mistake: equal where the mistake does not matter, different
where it does), the calibration record of 43.5, and a direct run of the checks on the reference (every task passes)
and the stub (every task fails)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(43, "data")
M = topic_module(43, "mistakes")
C = topic_module(43, "checks")
R = topic_module(43, "recipes")
T = topic_module(43, "training")
REF = load_solution(43)
CPU = torch.device("cpu")


# --- data -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, length", [(1, 1), (5, 8), (64, 12)])
def test_digits_are_sorted_copies_of_the_input(n, length):
    x, y = D.make_digits(n, seed=3, length=length)
    assert x.shape == y.shape == (n, length) and x.dtype == y.dtype == torch.int64
    assert int(x.min()) >= 0 and int(x.max()) < D.VOCAB
    assert torch.equal(y, x.sort(dim=-1).values)
    assert bool((y[:, 1:] >= y[:, :-1]).all())


def test_digits_are_deterministic_per_seed_and_uniform():
    a, b, c = D.make_digits(16, 5), D.make_digits(16, 5), D.make_digits(16, 6)
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])
    x, _ = D.make_digits(5000, 0)
    counts = torch.bincount(x.reshape(-1), minlength=D.VOCAB).double() / x.numel()
    assert float((counts - 1 / D.VOCAB).abs().max()) < 0.01


def test_bad_arguments_are_refused():
    for kwargs in (dict(length=0), dict(vocab=1), dict(n=-1)):
        args = dict(n=4, seed=0) | kwargs
        with pytest.raises(ValueError):
            D.make_digits(**args)


def test_show_renders_each_sample_with_its_sorted_target():
    lines = D.show(3).splitlines()
    assert len(lines) == 4 and "ascending" in lines[0]
    for line in lines[1:]:
        given, target = (part.split() for part in line.split("->"))
        assert sorted(given) == target


def test_heldout_sequences_come_from_a_seed_no_training_batch_uses():
    x, y = T.heldout()
    assert x.shape == (T.N_HELDOUT, D.LENGTH) and torch.equal(y, x.sort(-1).values)
    largest_training_seed = max(T.TASK.seeds) * 100_003 + R.STEPS - 1
    assert T.HELDOUT_SEED > largest_training_seed


def test_measure_counts_positions_and_whole_sequences():
    _, y = T.heldout()
    wrong = y.clone()
    wrong[:10, 0] = (wrong[:10, 0] + 1) % D.VOCAB
    metrics = T.measure({"predictions": wrong}, 0)
    assert metrics["token_accuracy"] == pytest.approx(1 - 10 / y.numel())
    assert metrics["sequence_accuracy"] == pytest.approx(1 - 10 / len(y))
    with pytest.raises(ValueError):
        T.measure({"predictions": y[:, :3]}, 0)


# --- the reference ----------------------------------------------------------------------------------------------------
def test_reference_encoding_is_the_formula_and_starts_with_0_1_0_1():
    pe = REF.sinusoidal_positional_encoding(12, 7, dtype=torch.float64)
    for pos in range(12):
        for j in range(7):
            f = math.sin if j % 2 == 0 else math.cos
            assert pe[pos, j].item() == pytest.approx(f(pos / 10000 ** (2 * (j // 2) / 7)), abs=1e-12)
    assert REF.sinusoidal_positional_encoding(1, 4).tolist() == [[0.0, 1.0, 0.0, 1.0]]
    assert REF.sinusoidal_positional_encoding(3, 5).dtype == torch.float32
    assert is_close(C.exact_encoding(12, 7), pe)


@pytest.mark.parametrize("normalized", [(5,), (3, 4)])
def test_reference_layer_norm_is_torch(normalized):
    inputs = C.layer_norm_inputs((2,), normalized, "both", 1, torch.float64, CPU)
    mine = R.call_layer_norm(REF, inputs, normalized, {"eps": 1e-3})
    theirs = R.call_layer_norm(F, inputs, normalized, {"eps": 1e-3})
    assert is_close(mine, theirs)


@pytest.mark.parametrize("kwargs", [dict(normalized_shape=4), dict(normalized_shape=(2, 3), eps=0.1),
                                    dict(normalized_shape=[3], elementwise_affine=False)])
def test_reference_rms_norm_is_torch(kwargs):
    shape = kwargs["normalized_shape"]
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    inputs = {"input": torch.randn(3, *shape, dtype=torch.float64) * 1e-4}
    state = C.module_state("RMSNorm", kwargs, 0, torch.float64, CPU)
    args = ("RMSNorm", kwargs, state, inputs, torch.float64, "cpu")
    assert is_close(R.module_forward(REF, *args), R.module_forward(torch.nn, *args))


@pytest.mark.parametrize("case", list(C.LAYER_CASES))
def test_reference_layer_is_torch_on_every_fixed_case(case):
    kwargs, batch, length, src_mask, padding, kind, _, mode = C.LAYER_CASES[case]
    inputs = C.layer_inputs(kwargs, batch, length, src_mask, padding, kind, 2, torch.float64, CPU)
    state = C.module_state("TransformerEncoderLayer", kwargs, 2, torch.float64, CPU)
    args = ("TransformerEncoderLayer", kwargs, state, inputs, torch.float64, "cpu", mode)
    assert is_close(R.module_forward(REF, *args), R.module_forward(torch.nn, *args))


def test_layer_masks_never_leave_a_query_without_keys():
    kwargs = dict(d_model=4, nhead=2, batch_first=True)
    for seed in range(40):
        inputs = C.layer_inputs(kwargs, 3, 5, "random", True, "bool", seed, torch.float64, CPU)
        blocked = inputs["src_mask"][None] | inputs["src_key_padding_mask"][:, None, :]
        assert bool((~blocked).any(-1).all())


# --- mistake models ---------------------------------------------------------------------------------------------------
PE_CORPUS = {  # mistake -> (max_len, d_model) that exposes it, and one where it makes no difference (or None)
    "sin and cos swapped: sin goes on the even columns 2i, cos on the odd ones": ((5, 4), None),
    "[all sines | all cosines] concatenated; the columns interleave sin, cos, sin, cos, ...": ((5, 4), (5, 2)),
    "each column j gets its own frequency 10000^(-j / d); columns 2i and 2i + 1 share 10000^(-2i / d)": (
        (5, 4), (5, 1)),
    "the frequency of pair i is 10000^(-i / d) instead of 10000^(-2i / d)": ((5, 4), (5, 2)),
    "positions counted from 1; the first row is position 0 ([0, 1, 0, 1, ...])": ((5, 4), None),
}


def test_every_encoding_mistake_has_a_corpus_entry():
    assert set(PE_CORPUS) == set(M.PE_MISTAKES)


@pytest.mark.parametrize("name", list(PE_CORPUS))
def test_encoding_mistake_models(name):
    exposing, harmless = PE_CORPUS[name]
    fn = M.PE_MISTAKES[name]
    assert not is_close(fn(*exposing, torch.float64), C.exact_encoding(*exposing))
    if harmless:
        assert is_close(fn(*harmless, torch.float64), C.exact_encoding(*harmless))
    assert is_close(M.positional_encoding(9, 7, torch.float64), C.exact_encoding(9, 7))


def ln_case(normalized=(4,), affine="both", seed=1):
    return C.layer_norm_inputs((3,), normalized, affine, seed, torch.float64, CPU), normalized


LN_CORPUS = {
    "unbiased variance (divides by n - 1); layer norm uses the biased variance (divides by n)": (ln_case(), None),
    "normalised over the last dim only, whatever normalized_shape says": (ln_case((3, 4)), ln_case()),
    "eps added to the standard deviation, (x - mean) / (std + eps); it goes inside: / sqrt(var + eps)": (
        ln_case(), None),
    "bias added before the weight multiplies: (x_hat + bias) * weight instead of x_hat * weight + bias": (
        ln_case(), ln_case(affine="weight")),
}


def test_every_layer_norm_mistake_has_a_corpus_entry():
    assert set(LN_CORPUS) == set(M.LAYER_NORM_MISTAKES)


def layer_norm_of(fn, case, eps=1e-5):
    inputs, normalized = case
    return fn(inputs["input"], normalized, inputs.get("weight"), inputs.get("bias"), eps)


@pytest.mark.parametrize("name", list(LN_CORPUS))
def test_layer_norm_mistake_models(name):
    exposing, harmless = LN_CORPUS[name]
    fn = M.LAYER_NORM_MISTAKES[name]
    assert not is_close(layer_norm_of(fn, exposing, 0.1), layer_norm_of(F.layer_norm, exposing, 0.1))
    if harmless:
        assert is_close(layer_norm_of(fn, harmless), layer_norm_of(F.layer_norm, harmless))
    assert is_close(layer_norm_of(M.layer_norm_variant, ln_case((3, 4))), layer_norm_of(F.layer_norm, ln_case((3, 4))))


def rms_case(kwargs, scale=1.0, dtype=torch.float64):
    shape = kwargs["normalized_shape"]
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    x = torch.randn(3, *shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64).to(dtype) * scale
    return kwargs, {"input": x}, C.module_state("RMSNorm", kwargs, 4, dtype, CPU)


SMALL = rms_case(dict(normalized_shape=6), 1e-4)
SMALL32 = rms_case(dict(normalized_shape=6), 3e-4, torch.float32)
RMS_CORPUS = {
    "eps=None taken as 1e-6; torch uses torch.finfo(x.dtype).eps": (SMALL, rms_case(dict(normalized_shape=6, eps=0.1))),
    "eps=None taken as 1e-5; torch uses torch.finfo(x.dtype).eps": (SMALL, rms_case(dict(normalized_shape=6, eps=0.1))),
    "eps=None taken as float32's eps for every dtype; torch uses torch.finfo(x.dtype).eps": (
        rms_case(dict(normalized_shape=6), 1e-5), SMALL32),
    "the mean is subtracted first (that is layer norm); RMS norm divides x itself by its root mean square": (
        rms_case(dict(normalized_shape=4)), None),
    "divided by the L2 norm sqrt(sum(x^2)); RMS norm uses the mean, sqrt(mean(x^2))": (
        rms_case(dict(normalized_shape=4)), rms_case(dict(normalized_shape=1))),
    "eps added to the root mean square, x / (rms + eps); it goes inside: x / sqrt(mean(x^2) + eps)": (
        rms_case(dict(normalized_shape=4, eps=0.5)), None),
    "normalised over the last dim only, whatever normalized_shape says": (
        rms_case(dict(normalized_shape=(2, 3))), rms_case(dict(normalized_shape=3))),
}


def test_every_rms_mistake_has_a_corpus_entry():
    assert set(RMS_CORPUS) == set(M.RMS_NORM_MISTAKES)


def torch_rms(case):
    kwargs, inputs, state = case
    module = torch.nn.RMSNorm(**kwargs).to(inputs["input"].dtype)
    module.load_state_dict(state)
    with torch.no_grad():
        return module(inputs["input"])


@pytest.mark.parametrize("name", list(RMS_CORPUS))
def test_rms_mistake_models(name):
    exposing, harmless = RMS_CORPUS[name]
    fn = M.RMS_NORM_MISTAKES[name]
    assert not is_close(fn(exposing[2], exposing[0], exposing[1]), torch_rms(exposing))
    if harmless:
        assert is_close(fn(harmless[2], harmless[0], harmless[1]), torch_rms(harmless))


def layer_case(src_mask=None, padding=False, **kwargs):
    kwargs = dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0) | kwargs
    inputs = C.layer_inputs(kwargs, 2, 4, src_mask, padding, "bool", 6, torch.float64, CPU)
    return kwargs, inputs, C.module_state("TransformerEncoderLayer", kwargs, 6, torch.float64, CPU)


LAYER_CORPUS = {
    "LayerNorm in the wrong place: norm_first=False is post-norm, norm(x + block(x)); norm_first=True is pre-norm, "
    "x + block(norm(x))": (layer_case(), None),
    "pre-norm residual around the wrong block: the sum must start from x, x + block(norm(x)), not from norm(x)": (
        layer_case(norm_first=True), layer_case()),
    "post-norm LayerNorm inside the residual, x + norm(block(x)); post-norm normalises the sum, norm(x + block(x))": (
        layer_case(), layer_case(norm_first=True)),
    "the feed-forward residual adds the layer's input src instead of the attention sub-layer's output": (
        layer_case(), layer_case(norm_first=True)),
    "gelu with approximate='tanh'; torch's 'gelu' is the exact erf form": (layer_case(activation="gelu"), layer_case()),
    "activation ignored (relu always)": (layer_case(activation="gelu"), layer_case()),
    "src_key_padding_mask polarity inverted: True means padding (not attended to)": (
        layer_case(padding=True, batch_first=True), layer_case(src_mask="causal")),
    "layer_norm_eps ignored (the LayerNorms use eps=1e-5 whatever it says)": (
        layer_case(layer_norm_eps=0.5), layer_case()),
    "batch_first ignored (the layout read the other way round)": (layer_case(batch_first=True), None),
}


def test_every_layer_mistake_has_a_corpus_entry():
    assert set(LAYER_CORPUS) == set(M.ENCODER_LAYER_MISTAKES)


def torch_layer(case):
    kwargs, inputs, state = case
    args = ("TransformerEncoderLayer", kwargs, state, inputs, torch.float64, "cpu", "eval")
    return R.module_forward(torch.nn, *args)["out"]


@pytest.mark.parametrize("name", list(LAYER_CORPUS))
def test_layer_mistake_models(name):
    exposing, harmless = LAYER_CORPUS[name]
    fn = M.ENCODER_LAYER_MISTAKES[name]
    with torch.no_grad():
        assert not is_close(fn(exposing[2], exposing[0], exposing[1]), torch_layer(exposing))
        if harmless:
            assert is_close(fn(harmless[2], harmless[0], harmless[1]), torch_layer(harmless))


def test_layer_model_without_mistakes_is_torch():
    for case in (layer_case(), layer_case(norm_first=True, activation="gelu", padding=True, src_mask="random"),
                 layer_case(bias=False, batch_first=True, layer_norm_eps=0.2)):
        with torch.no_grad():
            assert is_close(M.encoder_layer(case[2], case[0], case[1]), torch_layer(case))


# --- the calibration --------------------------------------------------------------------------------------------------
def test_calibration_record_shows_correct_models_clear_the_mark_and_broken_ones_miss_it():
    from grader.kit.calibration import record

    rec = record(T.TASK)
    assert rec, "no calibration record: run `grade calibrate 43`"
    mark = T.TASK.marks[0]
    assert rec["worst_correct"][mark.metric] >= mark.threshold + mark.margin
    assert rec["best_broken"][mark.metric] <= mark.threshold - mark.margin
    curve = rec["reference_losses"]
    assert len(curve) == R.STEPS and curve[-1] < 0.1 * curve[0]


@pytest.mark.slow
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(43)
