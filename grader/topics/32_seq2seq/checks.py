"""Checks of topic 32: Encoder (32.1), Decoder (32.2), Seq2Seq with teacher forcing (32.3), train_step (32.4),
greedy_decode (32.5), and the Seq2Seq trained to reverse digit sequences (32.6).

32.1-32.3 load the grader's weights into the learner's modules (load_state_dict, strict) and compare outputs and the
gradients of every parameter with the reference solution's (torch's nn.GRU / nn.LSTM with packed sequences), in
float32 and float64. 32.4 and 32.5 run the learner's function on the grader's own contract model, so they are
checked on their own. Expected values come from the same recipe run on the reference in this process.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.checks import few, final_example, require
from grader.kit.compare import assert_same, mismatch

from . import data as D
from . import mistakes as M
from . import recipes as R
from . import training as T

DTYPES = [torch.float32, torch.float64]
FEW = few(12)
CELLS = ["gru", "lstm"]
PAD, BOS, EOS = D.PAD, D.BOS, D.EOS


# --- inputs --------------------------------------------------------------------------------------------------------
def draw_state(cls: str, sizes: tuple[int, int, int], cell: str, seed: int, dtype, device,
               eos_bias: float | None = None) -> dict[str, torch.Tensor]:
    """The grader's weights for a contract module (`cls` Encoder, Decoder or Seq2Seq): every parameter U(-0.8, 0.8)
    from a seeded generator, the embeddings' PAD row zero (as padding_idx leaves it). With `eos_bias` (greedy
    decoding), the decoder's EOS logit gets that bias and the PAD and BOS logits -10, as in a trained model: then
    every decoded token is EOS or an ordinary token."""
    module = {"Encoder": R.GraderEncoder, "Decoder": R.GraderDecoder, "Seq2Seq": R.Model}[cls](*sizes, cell=cell)
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for name, p in module.state_dict().items():
        value = (torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1) * 0.8
        if name.endswith("embedding.weight"):
            value[PAD] = 0.0
        if name.endswith("out.bias") and eos_bias is not None:
            value[EOS] += eos_bias
            value[PAD] -= 10.0
            value[BOS] -= 10.0
        state[name] = value.to(dtype=dtype, device=device)
    return state


def draw_src(vocab: int, batch: int, steps: int, seed: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """(src (B, S) int64 on `device`, lengths (B,) int64 on the CPU): lengths uniform in [1, S], at least one full."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, steps + 1, (batch,), generator=gen)
    lengths[int(torch.randint(0, batch, (1,), generator=gen))] = steps
    tokens = torch.randint(D.FIRST_DIGIT, vocab, (batch, steps), generator=gen)
    src = torch.where(torch.arange(steps)[None, :] < lengths[:, None], tokens, torch.full_like(tokens, PAD))
    return src.to(device), lengths


def draw_tgt(vocab: int, batch: int, steps: int, seed: int, device) -> torch.Tensor:
    """tgt (B, T) int64: BOS, k tokens (k uniform in [0, T - 2]), EOS, PAD...; at least one row has no PAD."""
    gen = torch.Generator().manual_seed(seed + 7)
    tgt = torch.randint(D.FIRST_DIGIT, vocab, (batch, steps), generator=gen)
    ends = torch.randint(1, steps, (batch,), generator=gen)  # the EOS position
    ends[int(torch.randint(0, batch, (1,), generator=gen))] = steps - 1
    pos = torch.arange(steps)[None, :]
    tgt = torch.where(pos == ends[:, None], torch.full_like(tgt, EOS), tgt)
    tgt = torch.where(pos > ends[:, None], torch.full_like(tgt, PAD), tgt)
    tgt[:, 0] = BOS
    return tgt.to(device)


def sizes_text(sizes: tuple[int, int, int], cell: str) -> str:
    return f"vocab_size={sizes[0]}, embed_size={sizes[1]}, hidden_size={sizes[2]}, cell={cell!r}"


def describe(cls: str, sizes, cell: str, seed: int, dtype, **inputs: Any) -> str:
    parts = [f"{cls}({sizes_text(sizes, cell)}) with the grader's weights (seed {seed}, {str(dtype)[6:]})"]
    for name, value in inputs.items():
        shown = value.cpu().tolist() if isinstance(value, torch.Tensor) and value.numel() <= 40 else (
            f"shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else repr(value))
        parts.append(f"{name}={shown}")
    return ", ".join(parts)


# --- comparing -----------------------------------------------------------------------------------------------------
def pick(result: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(result, Mapping):
            result = result.get(key)
        elif isinstance(result, (tuple, list)) and isinstance(key, int) and key < len(result):
            result = result[key]
        else:
            return None
    return result


def check_parts(got: Any, want: Mapping[str, Any], parts: list[tuple[str, tuple]], where: str,
                mistakes: Callable[[], Mapping[str, Any]] | None = None, hint: str = "") -> None:
    """Compare each (label, path) part of a recipe's result; on the final example name a known mistake whose result
    matches the learner's at that part."""
    if not isinstance(got, Mapping):
        raise AssertionError(f"the call returned {type(got).__name__}, not a result\n  for {where}")
    for label, path in parts:
        actual, expected = pick(got, path), pick(want, path)
        if mismatch(actual, expected) is None:
            continue
        known: dict[str, Any] = {}
        if mistakes is not None and final_example():
            try:
                known = {name: pick(result, path) for name, result in mistakes().items()}
            except Exception:  # a mistake model that cannot run on this input names nothing
                known = {}
        assert_same(actual, expected, what=label, inputs=where, mistakes=known, hint=hint)


def check_param_grads(got: Mapping[str, Any], want: Mapping[str, Any], where: str) -> None:
    got_grads = got.get("param_grads") if isinstance(got.get("param_grads"), Mapping) else {}
    for name, expected in want["param_grads"].items():
        actual = got_grads.get(name)
        hint = ""
        if actual is None and expected is not None:
            hint = f"no gradient reached {name}: is it used through autograd (no .detach(), .data, new tensors)?"
        elif name.endswith("embedding.weight"):
            hint = "the embeddings are nn.Embedding(vocab_size, embed_size, padding_idx=PAD): no gradient reaches row PAD"
        assert_same(actual, expected, what=f"gradient wrt {name}", inputs=where, hint=hint)


def mistakes_of(recipe: Callable[..., Any], attr: str, table: Mapping[str, Any], *args: Any,
                **base: Any) -> Callable[[], dict[str, Any]]:
    """A lazy {mistake: recipe(namespace with attr = the mistake, plus `base`), *args)}."""

    def compute() -> dict[str, Any]:
        out = {}
        for name, definition in table.items():
            try:
                out[name] = recipe(M.namespace(**base, **{attr: definition}), *args)
            except Exception:
                continue
        return out

    return compute


def check_state_dict(learner, cls: str, cell: str) -> None:
    """The learner's mod.<cls> has the contract's state_dict keys and shapes."""
    sizes = (6, 3, 4)
    got = learner.run(R.state_shapes, cls, sizes, cell)
    want = R.state_shapes(M.namespace(Encoder=R.GraderEncoder, Decoder=R.GraderDecoder, Seq2Seq=R.Model), cls, sizes,
                          cell)
    require(isinstance(got, Mapping), f"state_dict of {cls}: expected a mapping of names, got {type(got).__name__}")
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    wrong = [f"{k}: yours {tuple(got[k])}, expected {tuple(want[k])}" for k in want if k in got and got[k] != want[k]]
    if missing or extra or wrong:
        lines = [f"state_dict of {cls}({sizes_text(sizes, cell)}) does not have the contract's keys and shapes"]
        if missing:
            lines.append(f"  missing: {', '.join(missing)}")
        if extra:
            lines.append(f"  unexpected: {', '.join(extra)}")
        lines.extend(f"  wrong shape: {w}" for w in wrong)
        lines.append(f"  expected: {', '.join(f'{k} {tuple(s)}' for k, s in want.items())}")
        raise AssertionError("\n".join(lines))


@st.composite
def config(draw, max_steps: int = 4) -> dict[str, Any]:
    return dict(sizes=(draw(st.integers(4, 7)), draw(st.integers(1, 3)), draw(st.integers(1, 4))),
                cell=draw(st.sampled_from(CELLS)), batch=draw(st.integers(1, 3)),
                steps=draw(st.integers(1, max_steps)), seed=draw(st.integers(0, 2**16)),
                dtype=draw(st.sampled_from(DTYPES)))


# ----------------------------------------------------------------------------------------------------------- 32.1
def check_encoder(learner, reference, device, sizes, cell, batch, steps, seed, dtype) -> None:
    state = draw_state("Encoder", sizes, cell, seed, dtype, device)
    src, lengths = draw_src(sizes[0], batch, steps, seed, device)
    got = learner.run(R.encoder_forward, sizes, cell, state, src, lengths, dtype)
    want = R.encoder_forward(reference, sizes, cell, state, src, lengths, dtype)
    where = describe("Encoder", sizes, cell, seed, dtype, src=src, lengths=lengths)
    parts = [("final state h", ("out", 1, "h"))] + ([("final state c", ("out", 1, "c"))] if cell == "lstm" else [])
    parts.append(("encoder outputs", ("out", 0)))
    check_parts(got, want, parts, where,
                mistakes_of(R.encoder_forward, "Encoder", M.ENCODER_MISTAKES, sizes, cell, state, src, lengths, dtype))
    check_param_grads(got, want, where)


@pytest.mark.task("32.1")
@pytest.mark.parametrize("cell", CELLS)
def test_encoder_state_dict(learner, cell):
    check_state_dict(learner, "Encoder", cell)


ENCODER_CASES = {
    "gru, every sequence full": (dict(sizes=(6, 3, 4), cell="gru", batch=2, steps=3, seed=1), torch.float32),
    "gru, padded, unsorted lengths": (dict(sizes=(6, 3, 4), cell="gru", batch=4, steps=5, seed=2), torch.float32),
    "lstm, padded, unsorted lengths": (dict(sizes=(7, 2, 3), cell="lstm", batch=4, steps=5, seed=3), torch.float64),
    "lstm, one sequence of length 1": (dict(sizes=(5, 2, 3), cell="lstm", batch=1, steps=1, seed=4), torch.float32),
}


@pytest.mark.task("32.1")
@pytest.mark.parametrize("case", list(ENCODER_CASES))
def test_encoder_cases(learner, reference, device, case):
    kwargs, dtype = ENCODER_CASES[case]
    check_encoder(learner, reference, device, dtype=dtype, **kwargs)


@FEW
@given(c=config(max_steps=5))
def encoder_property(learner, reference, device, c):
    check_encoder(learner, reference, device, c["sizes"], c["cell"], c["batch"], c["steps"], c["seed"], c["dtype"])


@pytest.mark.task("32.1")
def test_encoder_matches_the_reference(learner, reference, device):
    encoder_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 32.2
def check_decoder(learner, reference, device, sizes, cell, batch, seed, dtype) -> None:
    state = draw_state("Decoder", sizes, cell, seed, dtype, device)
    gen = torch.Generator().manual_seed(seed + 1)
    tokens = torch.randint(0, sizes[0], (batch,), generator=gen).to(device)
    hidden = {"h": torch.randn(1, batch, sizes[2], generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)}
    if cell == "lstm":
        hidden["c"] = torch.randn(1, batch, sizes[2], generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)
    got = learner.run(R.decoder_step, sizes, cell, state, tokens, hidden, dtype)
    want = R.decoder_step(reference, sizes, cell, state, tokens, hidden, dtype)
    where = describe("Decoder", sizes, cell, seed, dtype, tokens=tokens,
                     state="h" if cell == "gru" else "(h, c)") + f" of shape (1, {batch}, {sizes[2]})"
    parts = [("decoder logits", ("out", 0)), ("new state h", ("out", 1, "h"))]
    if cell == "lstm":
        parts.append(("new state c", ("out", 1, "c")))
    parts += [(f"gradient wrt the incoming state {k}", ("grads", k)) for k in hidden]
    check_parts(got, want, parts, where,
                mistakes_of(R.decoder_step, "Decoder", M.DECODER_MISTAKES, sizes, cell, state, tokens, hidden, dtype))
    check_param_grads(got, want, where)


@pytest.mark.task("32.2")
@pytest.mark.parametrize("cell", CELLS)
def test_decoder_state_dict(learner, cell):
    check_state_dict(learner, "Decoder", cell)


@pytest.mark.task("32.2")
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_decoder_step_cases(learner, reference, device, cell, dtype):
    check_decoder(learner, reference, device, (6, 3, 4), cell, 3, 5, dtype)


@FEW
@given(c=config())
def decoder_property(learner, reference, device, c):
    check_decoder(learner, reference, device, c["sizes"], c["cell"], c["batch"], c["seed"], c["dtype"])


@pytest.mark.task("32.2")
def test_decoder_matches_the_reference(learner, reference, device):
    decoder_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 32.3
def check_seq2seq(learner, reference, device, sizes, cell, batch, src_steps, tgt_steps, ratio, gen_seed, seed, dtype) -> None:
    state = draw_state("Seq2Seq", sizes, cell, seed, dtype, device)
    src, lengths = draw_src(sizes[0], batch, src_steps, seed, device)
    tgt = draw_tgt(sizes[0], batch, tgt_steps, seed, device)
    got = learner.run(R.seq2seq_forward, sizes, cell, state, src, lengths, tgt, ratio, gen_seed, dtype)
    want = R.seq2seq_forward(reference, sizes, cell, state, src, lengths, tgt, ratio, gen_seed, dtype)
    where = describe("Seq2Seq", sizes, cell, seed, dtype, src=src, lengths=lengths, tgt=tgt,
                     teacher_forcing_ratio=ratio) + (f", generator seeded {gen_seed}" if gen_seed is not None else "")
    parts = [("logits (B, T - 1, V)", ("out",))]
    check_parts(got, want, parts, where, mistakes_of(R.seq2seq_forward, "Seq2Seq", M.SEQ2SEQ_MISTAKES, sizes, cell,
                                                     state, src, lengths, tgt, ratio, gen_seed, dtype))
    if gen_seed is not None:
        check_parts(got, want, [("the generator's next torch.rand(1) after the call", ("after",))], where, hint=(
            "draw the coins once per call, u = torch.rand(T - 2, generator=generator), whatever the ratio, and "
            "nothing else from the generator"))
    check_param_grads(got, want, where)


@pytest.mark.task("32.3")
@pytest.mark.parametrize("cell", CELLS)
def test_seq2seq_state_dict(learner, cell):
    check_state_dict(learner, "Seq2Seq", cell)


SEQ2SEQ_CASES = {
    # ratio 1: plain teacher forcing, logits in lockstep with the reference's.
    "teacher forcing (ratio 1), gru": dict(sizes=(7, 3, 4), cell="gru", batch=3, src_steps=4, tgt_steps=5,
                                           ratio=1.0, gen_seed=0, seed=11, dtype=torch.float32),
    "teacher forcing (ratio 1), lstm, float64": dict(sizes=(7, 3, 4), cell="lstm", batch=3, src_steps=4, tgt_steps=5,
                                                     ratio=1.0, gen_seed=0, seed=12, dtype=torch.float64),
    "tgt of length 2 (one step, no coin)": dict(sizes=(6, 2, 3), cell="gru", batch=2, src_steps=3, tgt_steps=2,
                                                ratio=1.0, gen_seed=0, seed=13, dtype=torch.float32),
    "free running (ratio 0), gru": dict(sizes=(7, 3, 4), cell="gru", batch=3, src_steps=4, tgt_steps=6, ratio=0.0,
                                        gen_seed=1, seed=14, dtype=torch.float64),
    "coins from the generator (ratio 0.5), lstm": dict(sizes=(7, 3, 4), cell="lstm", batch=3, src_steps=4,
                                                       tgt_steps=7, ratio=0.5, gen_seed=3, seed=15,
                                                       dtype=torch.float32),
    "coins from the generator (ratio 0.3), gru": dict(sizes=(7, 3, 4), cell="gru", batch=2, src_steps=3,
                                                      tgt_steps=7, ratio=0.3, gen_seed=8, seed=16,
                                                      dtype=torch.float64),
}


@pytest.mark.task("32.3")
@pytest.mark.parametrize("case", list(SEQ2SEQ_CASES))
def test_seq2seq_cases(learner, reference, device, case):
    check_seq2seq(learner, reference, device, **SEQ2SEQ_CASES[case])


@FEW
@given(c=config(), tgt_steps=st.integers(2, 6), ratio=st.sampled_from([1.0, 0.0, 0.5]),
       gen_seed=st.integers(0, 2**16))
def seq2seq_property(learner, reference, device, c, tgt_steps, ratio, gen_seed):
    check_seq2seq(learner, reference, device, c["sizes"], c["cell"], c["batch"], c["steps"], tgt_steps, ratio, gen_seed,
                  c["seed"], c["dtype"])


@pytest.mark.task("32.3")
def test_seq2seq_matches_the_reference(learner, reference, device):
    seq2seq_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 32.4
GRADER_MODEL = M.namespace(Seq2Seq=R.Model)


def check_train_step(learner, reference, device, sizes, cell, batch, src_steps, tgt_steps, ratio, gen_seed, seed, dtype,
                     lr: float = 0.5) -> None:
    state = draw_state("Seq2Seq", sizes, cell, seed, dtype, device)
    src, lengths = draw_src(sizes[0], batch, src_steps, seed, device)
    tgt = draw_tgt(sizes[0], batch, tgt_steps, seed, device)
    args = (sizes, cell, state, src, lengths, tgt, ratio, gen_seed, lr, dtype)
    got = learner.run(R.run_train_step, *args)
    want = R.run_train_step(reference, *args)
    where = (f"train_step on the grader's Seq2Seq({sizes_text(sizes, cell)}) (weights seed {seed}, "
             f"{str(dtype)[6:]}), src={src.cpu().tolist()}, lengths={lengths.tolist()}, tgt={tgt.cpu().tolist()}, "
             f"teacher_forcing_ratio={ratio}, generator seeded {gen_seed}, the grader's SGD(lr={lr})")
    if not isinstance(got, Mapping):
        raise AssertionError(f"the call returned {type(got).__name__}, not a result\n  for {where}")
    require(isinstance(got.get("loss"), (int, float)),
            f"train_step returned {type(got.get('loss')).__name__}, expected the loss as a Python float\n  for {where}")
    # Losses compared as tensors of the model's dtype: torch.testing's tolerances for that dtype.
    as_loss = lambda result: {"loss": torch.tensor(float(result["loss"]), dtype=dtype)}  # noqa: E731
    table = mistakes_of(R.run_train_step, "train_step", M.TRAIN_STEP_MISTAKES, *args)
    check_parts(as_loss(got), as_loss(want), [("the loss train_step returned", ("loss",))], where,
                lambda: {name: as_loss(result) for name, result in table().items()})
    mistakes = table
    require(got.get("steps") == 1, f"train_step called optimizer.step() {got.get('steps')} times, expected once\n"
                                   f"  for {where}")
    names = list(want["params"])
    check_parts(got, want, [(f"parameter {n} after the step", ("params", n)) for n in names], where, mistakes)
    check_parts(got, want, [("the generator's next torch.rand(1) after train_step", ("after",))], where,
                hint="call model(src, lengths, tgt, teacher_forcing_ratio, generator) exactly once")


TRAIN_STEP_CASES = {
    "teacher forcing, gru": dict(sizes=(7, 3, 4), cell="gru", batch=3, src_steps=4, tgt_steps=6, ratio=1.0,
                                 gen_seed=0, seed=21, dtype=torch.float32),
    "padded targets, lstm, float64": dict(sizes=(7, 3, 4), cell="lstm", batch=4, src_steps=4, tgt_steps=6,
                                          ratio=1.0, gen_seed=0, seed=22, dtype=torch.float64),
    "coins (ratio 0.5), gru": dict(sizes=(6, 2, 3), cell="gru", batch=3, src_steps=3, tgt_steps=6, ratio=0.5,
                                   gen_seed=5, seed=23, dtype=torch.float32),
}


@pytest.mark.task("32.4")
@pytest.mark.parametrize("case", list(TRAIN_STEP_CASES))
def test_train_step_cases(learner, reference, device, case):
    check_train_step(learner, reference, device, **TRAIN_STEP_CASES[case])


@FEW
@given(c=config(), tgt_steps=st.integers(2, 6), ratio=st.sampled_from([1.0, 0.5]), gen_seed=st.integers(0, 2**16))
def train_step_property(learner, reference, device, c, tgt_steps, ratio, gen_seed):
    check_train_step(learner, reference, device, c["sizes"], c["cell"], c["batch"], c["steps"], tgt_steps, ratio, gen_seed,
                     c["seed"], c["dtype"])


@pytest.mark.task("32.4")
def test_train_step_matches_the_reference(learner, reference, device):
    train_step_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 32.5
def check_greedy(learner, reference, device, sizes, cell, batch, src_steps, max_len, seed, eos_bias, dtype) -> None:
    state = draw_state("Seq2Seq", sizes, cell, seed, dtype, device, eos_bias=eos_bias)
    src, lengths = draw_src(sizes[0], batch, src_steps, seed, device)
    args = (sizes, cell, state, src, lengths, max_len, dtype)
    got = learner.run(R.run_greedy, *args)
    want = R.run_greedy(reference, *args)
    where = (f"greedy_decode(max_len={max_len}) on the grader's Seq2Seq({sizes_text(sizes, cell)}) (weights seed "
             f"{seed}, EOS logit bias {eos_bias:+g}, PAD and BOS logits -10, {str(dtype)[6:]}), "
             f"src={src.cpu().tolist()}, "
             f"lengths={lengths.tolist()}; PAD={PAD}, BOS={BOS}, EOS={EOS}")
    if isinstance(got, torch.Tensor):
        require(got.dtype == torch.int64, f"greedy_decode returned {got.dtype} tokens, expected int64\n  for {where}")
        require(tuple(got.shape) == (batch, max_len),
                f"greedy_decode returned shape {tuple(got.shape)}, expected (B, max_len) = ({batch}, {max_len})\n"
                f"  for {where}")
    known = {}
    if mismatch(got, want) is not None and final_example():
        for name, fn in M.GREEDY_MISTAKES.items():
            try:
                known[name] = R.run_greedy(M.namespace(greedy_decode=fn), *args)
            except Exception:
                continue
    assert_same(got, want, what="decoded tokens", inputs=where, mistakes=known)


def mixed_eos_seed(reference, sizes, cell, batch, src_steps, max_len, eos_bias) -> int:
    """The first weight seed whose reference decoding has a row ending early and a row that never outputs EOS."""
    for seed in range(200):
        state = draw_state("Seq2Seq", sizes, cell, seed, torch.float64, "cpu", eos_bias=eos_bias)
        src, lengths = draw_src(sizes[0], batch, src_steps, seed, "cpu")
        out = R.run_greedy(reference, sizes, cell, state, src, lengths, max_len, torch.float64)
        has_eos = (out == EOS).any(dim=1)
        early = (out[:, : max_len - 1] == EOS).any(dim=1)
        if bool(early.any()) and not bool(has_eos.all()):
            return seed
    raise RuntimeError("no weight seed gives a mixed decoding")  # pragma: no cover (the sizes below have one)


@pytest.mark.task("32.5")
@pytest.mark.parametrize("cell", CELLS)
def test_greedy_stops_each_sequence_at_its_eos(learner, reference, device, cell):
    sizes, batch, src_steps, max_len, bias = (6, 3, 4), 4, 4, 6, 0.6
    seed = mixed_eos_seed(reference, sizes, cell, batch, src_steps, max_len, bias)
    check_greedy(learner, reference, device, sizes, cell, batch, src_steps, max_len, seed, bias, torch.float64)


@pytest.mark.task("32.5")
def test_greedy_without_any_eos_fills_max_len(learner, reference, device):
    check_greedy(learner, reference, device, (6, 3, 4), "gru", 3, 3, 5, 31, -20.0, torch.float32)


@pytest.mark.task("32.5")
def test_greedy_all_stopping_at_once(learner, reference, device):
    check_greedy(learner, reference, device, (6, 3, 4), "lstm", 3, 3, 5, 32, 20.0, torch.float32)


@FEW
@given(c=config(), max_len=st.integers(1, 6), eos_bias=st.sampled_from([0.0, 0.5, 1.0]))
def greedy_property(learner, reference, device, c, max_len, eos_bias):
    check_greedy(learner, reference, device, c["sizes"], c["cell"], c["batch"], c["steps"], max_len, c["seed"], eos_bias,
                 c["dtype"])


@pytest.mark.task("32.5")
def test_greedy_matches_the_reference(learner, reference, device):
    greedy_property(learner, reference, device)


# ----------------------------------------------------------------------------------------------------------- 32.6
@pytest.mark.task("32.6")
def test_seq2seq_learns_to_reverse(learner, reference, device, curves):
    curves.reference = reference_losses(T.TASK)
    result = T.run(learner, T.TASK.check_seed, device.type)
    require(isinstance(result, Mapping), f"training returned {type(result).__name__}")
    losses = [float(v) for v in result.get("losses", [])]
    curves.yours = losses
    if not all(math.isfinite(v) for v in losses):
        raise AssertionError("the loss train_step returned became nan/inf during the grader's training")
    src, lengths, tgt = T.heldout()
    pred = result.get("predictions")
    require(isinstance(pred, torch.Tensor) and tuple(pred.shape) == (len(src), D.DECODE_LEN),
            f"greedy_decode on the held-out sources returned "
            f"{tuple(pred.shape) if isinstance(pred, torch.Tensor) else type(pred).__name__}, expected "
            f"({len(src)}, {D.DECODE_LEN})")
    metrics = T.measure(result, T.TASK.check_seed)
    if T.TASK.passes(metrics):
        return
    pred = pred.cpu().long()
    wrong = int((~(pred == tgt[:, 1:]).all(dim=1)).nonzero()[0])
    example = (f"e.g. src {D.text(src[wrong].tolist())} -> yours {D.text(pred[wrong].tolist())}, "
               f"expected {D.text(tgt[wrong, 1:].tolist())}")
    seen_eos = (pred == EOS).long().cumsum(dim=1)
    after = torch.zeros_like(seen_eos, dtype=torch.bool)
    after[:, 1:] = seen_eos[:, :-1] > 0  # positions after the first EOS
    after_eos = int((after & (pred != PAD)).any(dim=1).sum())
    note = (f" {after_eos} of {len(pred)} decodings have tokens other than PAD after their first EOS."
            if after_eos else "")
    raise AssertionError(
        f"held-out exact-sequence accuracy {metrics['sequence_accuracy']:.3f} "
        f"(needs >= {T.PASS_MARK}; token accuracy {metrics['token_accuracy']:.3f}) after the grader's training with "
        f"your train_step and greedy_decode; final training loss {losses[-1] if losses else float('nan'):.3f}; "
        f"{example}.{note} " + reference_summary(T.TASK))
