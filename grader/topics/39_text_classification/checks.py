"""Checks for topic 39: tokenize / build_vocab / encode (39.1), collate_batch (39.2), a mean EmbeddingBag from scratch
(39.3) and a TextClassifier trained on synthetic documents (39.4).

39.1 and 39.2 are compared with the reference's rules (the stub states them exactly). 39.3 is "same as torch's":
torch.nn.functional.embedding_bag(mode="mean") and torch.nn.EmbeddingBag(mode="mean") given the same weights, values
within torch.testing's default tolerances in float32 and float64 and the gradient wrt the weight, with empty bags,
padding_idx (negative too), include_last_offset and 2-D input.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Mapping

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.kit.calibration import reference_losses, reference_summary
from grader.kit.checks import few, final_example, known, require
from grader.kit.compare import assert_same
from grader.kit.recipes import forward_backward

from . import data as documents
from . import mistakes as M
from . import recipes as R
from . import training as T

DTYPES = [torch.float32, torch.float64]
FEW = few(15)

TORCH = SimpleNamespace(
    embedding_bag_mean=lambda input, weight, offsets=None, **kw: F.embedding_bag(input, weight, offsets, mode="mean",
                                                                                **kw),
    EmbeddingBag=lambda **kw: torch.nn.EmbeddingBag(mode="mean", **kw),
)


# ----------------------------------------------------------------------------------------------------------- 39.1
TOKENIZE_CASES = ["Hello World", "  two   spaces here ", "", "   ", "Tab\tand\nnewline", "MiXeD Case, punct!",
                  "<PAD> and <Unk>"]


@pytest.mark.task("39.1")
def test_tokenize(learner):
    got = learner.run(R.call_tokenize, TOKENIZE_CASES)
    for text, tokens in zip(TOKENIZE_CASES, got):
        want = text.lower().split()
        mistakes = {name: fn(text) for name, fn in M.TOKENIZE_MISTAKES.items()}
        assert_same(tokens, want, what="tokenize(text)", inputs=f"text={text!r}", mistakes=mistakes)


def itos(result: Mapping[str, Any]) -> list[Any]:
    """The tokens of a call_build_vocab result in id order."""
    return [tok for tok, _ in sorted(result["items"], key=lambda kv: kv[1])]


def check_vocab(learner, reference, texts: list[str], min_freq: int | None) -> None:
    got = learner.run(R.call_build_vocab, texts, min_freq)
    want = R.call_build_vocab(reference, texts, min_freq)
    where = f"texts={texts!r}" + ("" if min_freq is None else f", min_freq={min_freq}")
    require(got["type"] == "dict", f"build_vocab returned a {got['type']}, expected a dict {{token: id}}\n  for {where}")
    ids = sorted(i for _, i in got["items"])
    require(all(isinstance(i, int) for i in ids) and ids == list(range(len(ids))), (
        f"build_vocab's ids are {ids}: expected 0 .. {len(ids) - 1} with no gaps (<pad> 0, <unk> 1, then 2, 3, ...)"
        f"\n  for {where}"))
    expected = itos(want)
    mistakes = {}
    if final_example():
        for name, fn in M.VOCAB_MISTAKES.items():
            vocab = fn(texts) if min_freq is None else fn(texts, min_freq)
            mistakes[name] = [tok for tok, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    try:
        assert_same(itos(got), expected, what="the tokens of your vocabulary in id order", inputs=where,
                    mistakes=mistakes)
    except AssertionError as error:
        raise AssertionError(f"{error}\n  yours    {itos(got)}\n  expected {expected}") from None


@pytest.mark.task("39.1")
def test_build_vocab_docstring_example(learner, reference):
    check_vocab(learner, reference, ["b a b", "c a d", "D d"], None)


VOCAB_CASES = {
    "empty corpus": ([], None),
    "only empty texts": (["", "  "], 2),
    "min_freq 2 keeps tokens seen exactly twice": (["x y z", "y z", "w"], 2),
    "min_freq 0 keeps everything": (["q r", "r"], 0),
    "ties by first appearance, not alphabetically": (["pear apple fig", "fig apple pear"], None),
    "counts over all texts, not texts per token": (["cat cat cat", "dog", "dog"], None),
    "upper case is the same token": (["Dog dog DOG", "cat"], None),
    "'<pad>' and '<unk>' in the corpus are not added again": (["<pad> a <UNK> <unk>", "a b"], None),
}


@pytest.mark.task("39.1")
@pytest.mark.parametrize("case", list(VOCAB_CASES), ids=list(VOCAB_CASES))
def test_build_vocab_cases(learner, reference, case):
    texts, min_freq = VOCAB_CASES[case]
    check_vocab(learner, reference, texts, min_freq)


WORDS = ["ant", "bee", "cat", "dog", "eel", "Ant", "BEE"]


@pytest.mark.task("39.1")
@FEW
@given(texts=st.lists(st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join), max_size=5),
       min_freq=st.sampled_from([None, 1, 2, 3]))
def test_build_vocab_matches_the_rule(learner, reference, texts, min_freq):
    check_vocab(learner, reference, texts, min_freq)


ENCODE_VOCAB = {"<pad>": 0, "<unk>": 1, "the": 2, "film": 3, "was": 4, "great": 5}
ENCODE_TEXTS = ["the film was great", "The FILM was GREAT", "the plot was thin", "", "unknown words only",
                "  great   film  "]


@pytest.mark.task("39.1")
def test_encode(learner):
    got = learner.run(R.call_encode, ENCODE_TEXTS, ENCODE_VOCAB)
    for text, ids in zip(ENCODE_TEXTS, got):
        want = torch.tensor([ENCODE_VOCAB.get(t, 1) for t in text.lower().split()], dtype=torch.int64)
        mistakes = {name: fn(text, ENCODE_VOCAB) for name, fn in M.ENCODE_MISTAKES.items()}
        assert_same(ids, want, what="encode(text, vocab)", inputs=f"text={text!r}, vocab={ENCODE_VOCAB}",
                    mistakes=mistakes)


# ----------------------------------------------------------------------------------------------------------- 39.2
COLLATE_KEYS = ["padded", "lengths", "flat", "offsets", "labels"]


def check_collate(learner, reference, seqs: list[torch.Tensor], labels: list[int], pad_id: int | None) -> None:
    got = learner.run(R.call_collate, seqs, labels, pad_id)
    want = R.call_collate(reference, seqs, labels, pad_id)
    where = (f"batch of ids {[s.tolist() for s in seqs]} with labels {labels}"
             + ("" if pad_id is None else f", pad_id={pad_id}"))
    require(isinstance(got, Mapping), f"collate_batch returned {type(got).__name__}, expected a dict\n  for {where}")
    require(sorted(got) == sorted(COLLATE_KEYS), (
        f"collate_batch returned the keys {sorted(got)}; expected exactly {COLLATE_KEYS}\n  for {where}"))
    cpu = [(s.cpu(), y) for s, y in zip(seqs, labels)]
    table = {}
    if final_example():
        for name, fn in M.COLLATE_MISTAKES.items():
            out = fn(cpu) if pad_id is None else fn(cpu, pad_id)
            table[name] = {k: v.to(seqs[0].device) for k, v in out.items()}
    for key in COLLATE_KEYS:
        assert_same(got[key], want[key], what=f"collate_batch(...)[{key!r}]", inputs=where,
                    mistakes={name: out[key] for name, out in table.items()})


def ids_batch(lengths: list[int], seed: int, device) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randint(1, 10, (n,), generator=gen).to(device) for n in lengths]


@pytest.mark.task("39.2")
@FEW
@given(lengths=st.lists(st.integers(0, 4), min_size=1, max_size=4), seed=st.integers(0, 2**16),
       pad_id=st.sampled_from([None, 0, 7]))
def test_collate_batch_matches_the_rule(learner, reference, device, lengths, seed, pad_id):
    check_collate(learner, reference, ids_batch(lengths, seed, device), [i % 3 for i in range(len(lengths))], pad_id)


COLLATE_CASES = {
    "three sequences, one empty": ([3, 0, 2], None),
    "every sequence empty": ([0, 0], None),
    "one sequence": ([4], 5),
    "pad_id 9": ([1, 3, 2], 9),
}


@pytest.mark.task("39.2")
@pytest.mark.parametrize("case", list(COLLATE_CASES), ids=list(COLLATE_CASES))
def test_collate_batch_cases(learner, reference, device, case):
    lengths, pad_id = COLLATE_CASES[case]
    check_collate(learner, reference, ids_batch(lengths, 11, device), [2, 0, 1, 3][: len(lengths)], pad_id)


# ----------------------------------------------------------------------------------------------------------- 39.3
def bag_inputs(lengths: list[int], num_embeddings: int, dim: int, seed: int, dtype, device, *,
               include_last_offset: bool = False, two_d: bool = False, ids: list[int] | None = None):
    """(input, weight, offsets): ids drawn in [0, num_embeddings) (or given), weight N(0, 1), offsets the bag starts
    (plus the end when include_last_offset); two_d: input (B, L) with every length L and offsets None."""
    gen = torch.Generator().manual_seed(seed)
    weight = torch.randn(num_embeddings, dim, generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)
    total = sum(lengths)
    flat = torch.tensor(ids, dtype=torch.int64) if ids is not None else torch.randint(
        0, num_embeddings, (total,), generator=gen)
    if two_d:
        return flat.view(len(lengths), lengths[0]).to(device), weight, None
    starts = torch.tensor([0] + lengths, dtype=torch.int64).cumsum(0)
    offsets = starts if include_last_offset else starts[:-1]
    return flat.to(device), weight, offsets.to(device)


def describe_bags(input, weight, offsets, kwargs) -> str:
    text = f"input {input.tolist()}" + ("" if offsets is None else f", offsets {offsets.tolist()}")
    text += f", weight of shape {tuple(weight.shape)} ({weight.dtype})"
    return text + "".join(f", {k}={v!r}" for k, v in kwargs.items())


def check_embedding_bag(learner, input, weight, offsets, kwargs: dict[str, Any]) -> None:
    got = learner.run(R.call_embedding_bag, input, weight, offsets, kwargs)
    want = R.call_embedding_bag(TORCH, input, weight, offsets, kwargs)
    where = describe_bags(input, weight, offsets, kwargs)
    mistakes = {name: r["out"] for name, r in known(R.call_embedding_bag, M.EMBEDDING_BAG_MISTAKES,
                                                    "embedding_bag_mean", input, weight, offsets, kwargs).items()}
    assert_same(got["out"], want["out"], what="embedding_bag_mean(...)", inputs=where, mistakes=mistakes)
    # No gradient at all (an output that does not depend on weight: every bag empty) is a gradient of zeros.
    zeros = torch.zeros_like(weight)
    mine, theirs = got["grads"]["weight"], want["grads"]["weight"]
    hint = ("your result does not depend on weight through autograd (a detach, .data or .item()?)"
            if mine is None and theirs is not None and bool(theirs.any()) else "")
    assert_same(zeros if mine is None else mine, zeros if theirs is None else theirs,
                what="gradient of embedding_bag_mean wrt weight", inputs=where, hint=hint)


@st.composite
def bag_case(draw) -> dict[str, Any]:
    two_d = draw(st.booleans())
    if two_d:
        lengths = [draw(st.integers(1, 3))] * draw(st.integers(1, 3))
    else:
        lengths = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    num_embeddings = draw(st.integers(1, 6))
    kwargs: dict[str, Any] = {}
    pad = draw(st.one_of(st.none(), st.integers(-num_embeddings, num_embeddings - 1)))
    if pad is not None:
        kwargs["padding_idx"] = pad
    if not two_d and draw(st.booleans()):
        kwargs["include_last_offset"] = True
    return dict(lengths=lengths, num_embeddings=num_embeddings, dim=draw(st.integers(1, 3)), two_d=two_d,
                kwargs=kwargs)


@pytest.mark.task("39.3")
@FEW
@given(case=bag_case(), seed=st.integers(0, 2**16), dtype=st.sampled_from(DTYPES))
def test_embedding_bag_matches_torch(learner, device, case, seed, dtype):
    kwargs = case["kwargs"]
    input, weight, offsets = bag_inputs(case["lengths"], case["num_embeddings"], case["dim"], seed, dtype, device,
                                        include_last_offset=kwargs.get("include_last_offset", False),
                                        two_d=case["two_d"])
    check_embedding_bag(learner, input, weight, offsets, kwargs)


BAG_CASES = {
    "empty bags in the middle and at the end": dict(lengths=[2, 0, 3, 0], ids=[1, 2, 0, 4, 4]),
    "every bag empty (input of length 0)": dict(lengths=[0, 0, 0], ids=[]),
    "one bag of repeated ids": dict(lengths=[5], ids=[3, 3, 1, 3, 0]),
    "padding_idx=0, a bag of padding only": dict(lengths=[3, 2, 2], ids=[0, 2, 0, 0, 0, 1, 2],
                                               kwargs={"padding_idx": 0}),
    "padding_idx=-1 (the last row)": dict(lengths=[3, 1, 2], ids=[4, 1, 4, 4, 2, 3], kwargs={"padding_idx": -1}),
    "include_last_offset with an empty last bag": dict(lengths=[2, 3, 0], ids=[1, 2, 3, 4, 0],
                                                       kwargs={"include_last_offset": True}),
    "include_last_offset and padding_idx": dict(lengths=[1, 4], ids=[2, 2, 0, 3, 2],
                                                kwargs={"include_last_offset": True, "padding_idx": 2}),
    "2-D input with padding_idx": dict(lengths=[3, 3], ids=[1, 0, 2, 0, 0, 0], two_d=True,
                                       kwargs={"padding_idx": 0}),
}


@pytest.mark.task("39.3")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(BAG_CASES), ids=list(BAG_CASES))
def test_embedding_bag_cases(learner, device, case, dtype):
    spec = BAG_CASES[case]
    kwargs = spec.get("kwargs", {})
    input, weight, offsets = bag_inputs(spec["lengths"], 5, 3, 7, dtype, device, ids=spec["ids"],
                                        include_last_offset=kwargs.get("include_last_offset", False),
                                        two_d=spec.get("two_d", False))
    check_embedding_bag(learner, input, weight, offsets, kwargs)


MODULE_CONFIGS = {
    "plain": dict(num_embeddings=7, embedding_dim=4),
    "padding_idx=2": dict(num_embeddings=6, embedding_dim=3, padding_idx=2),
    "padding_idx=-1, include_last_offset": dict(num_embeddings=5, embedding_dim=2, padding_idx=-1,
                                                include_last_offset=True),
}


@pytest.mark.task("39.3")
@pytest.mark.parametrize("config", list(MODULE_CONFIGS), ids=list(MODULE_CONFIGS))
def test_embedding_bag_module_parameters(learner, config):
    kwargs = MODULE_CONFIGS[config]
    got = learner.run(R.embedding_bag_construct, kwargs)
    call = "EmbeddingBag(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
    want = {"weight": [kwargs["num_embeddings"], kwargs["embedding_dim"]]}
    require(got["shapes"] == want, f"{call} has the parameters {got['shapes']}; expected {want} (as torch's)")
    pad = kwargs.get("padding_idx")
    if pad is not None:
        row = got["values"]["weight"][pad]
        require(bool((row == 0).all()), (
            f"{call}: weight[{pad}] is {row.tolist()} right after construction; the padding row starts at zeros"))


@pytest.mark.task("39.3")
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("config", list(MODULE_CONFIGS), ids=list(MODULE_CONFIGS))
def test_embedding_bag_module_matches_torch(learner, device, config, dtype):
    kwargs = MODULE_CONFIGS[config]
    lengths = [2, 0, 3, 1]
    input, weight, offsets = bag_inputs(lengths, kwargs["num_embeddings"], kwargs["embedding_dim"], 5, dtype, device,
                                        include_last_offset=kwargs.get("include_last_offset", False),
                                        ids=[0, 1, 4, 2, 1, 3])
    # every row random, the padding row too: padding entries must be left out by index, not by a zero row
    state = {"weight": weight}
    got = learner.run(R.embedding_bag_module, kwargs, state, input, offsets, dtype, device.type)
    module = TORCH.EmbeddingBag(**kwargs).to(device=device, dtype=dtype)
    module.load_state_dict(state)
    want = forward_backward(lambda: module(input, offsets), {}, params=dict(module.named_parameters()))
    call = "EmbeddingBag(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
    where = f"{call} with torch's weights ({dtype}), input {input.tolist()}, offsets {offsets.tolist()}"
    assert_same(got["out"], want["out"], what="EmbeddingBag output", inputs=where)
    assert_same(got["param_grads"].get("weight"), want["param_grads"]["weight"], what="gradient wrt weight",
                inputs=where)


# ----------------------------------------------------------------------------------------------------------- 39.4
@pytest.mark.task("39.4")
def test_classifier_output(learner, device):
    kwargs = dict(vocab_size=20, embed_dim=8, num_classes=3)
    input = torch.tensor([3, 4, 5, 19, 2, 2, 7], device=device)
    offsets = torch.tensor([0, 3, 3, 4], device=device)  # the second bag is empty
    logits = learner.run(R.classifier_logits, kwargs, input, offsets)
    where = (f"TextClassifier({', '.join(f'{k}={v}' for k, v in kwargs.items())}) on input {input.tolist()}, "
             f"offsets {offsets.tolist()} (bag 1 empty)")
    require(isinstance(logits, torch.Tensor), f"{where} returned {logits!r}, expected a tensor of logits")
    require(tuple(logits.shape) == (4, 3), f"logits shape: yours {tuple(logits.shape)}, expected (4, 3) "
                                           f"(B, num_classes) for {where}")
    require(bool(torch.isfinite(logits).all()), f"logits are not all finite for {where}: {logits.tolist()}")


@pytest.mark.slow
@pytest.mark.task("39.4")
def test_classifier_trains_to_the_pass_mark(learner, device, curves):
    result = T.run(learner, T.TASK.check_seed, device.type)
    curves.reference = reference_losses(T.TASK)
    curves.label = "cross entropy"
    require(isinstance(result, Mapping), f"training returned {type(result).__name__}")
    curves.yours = [float(v) for v in result.get("losses", [])]
    if any(not math.isfinite(v) for v in curves.yours):
        raise AssertionError("the training loss became NaN or inf")
    labels = T.heldout(T.TASK.check_seed)[2]
    predictions = result.get("predictions")
    require(isinstance(predictions, torch.Tensor) and tuple(predictions.shape) == tuple(labels.shape), (
        f"predictions of shape {tuple(getattr(predictions, 'shape', ()))}, expected {tuple(labels.shape)}"))
    metrics = T.measure(result, T.TASK.check_seed)
    if T.TASK.passes(metrics):
        return
    pred = predictions.long()
    per_class = ", ".join(f"{name} {float((pred[labels == c] == c).double().mean()):.2f}"
                          for c, name in enumerate(documents.CLASSES))
    text = (f"held-out accuracy {metrics['accuracy']:.3f} (needs >= {T.PASS_MARK}) on {len(labels)} documents after "
            f"the grader's training ({R.EPOCHS} epochs, Adam lr {R.LR}); per-class recall: {per_class}; final "
            f"training loss {curves.yours[-1] if curves.yours else float('nan'):.3f}.")
    if bool((pred == pred[0]).all()):
        text += f" It predicts '{documents.CLASSES[int(pred[0])]}' for every document, like a majority-class guess."
    raise AssertionError(text + " " + reference_summary(T.TASK))
