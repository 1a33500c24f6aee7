"""Topic 39 (text classification): the document generator and the grader's own vocabulary rule, the mistake models
(each differs from the contract on the input the checks use to name it, and the flag-free model is the contract), and
a direct run of the checks on the reference (every task passes) and the stub (every task fails)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from grader.kit.compare import is_close
from grader_topic_support import assert_solution_passes_and_stub_fails, load_solution, topic_module

D = topic_module(39, "data")
M = topic_module(39, "mistakes")
T = topic_module(39, "training")
REF = load_solution(39)


# --- data -------------------------------------------------------------------------------------------------------
def test_documents_are_deterministic_balanced_and_within_the_length_range():
    texts, labels = D.make_documents(103, seed=4)
    again, same = D.make_documents(103, seed=4)
    assert texts == again and torch.equal(labels, same)
    assert D.make_documents(103, seed=5)[0] != texts
    assert labels.dtype == torch.int64 and labels.shape == (103,)
    counts = torch.bincount(labels, minlength=D.NUM_CLASSES)
    assert int(counts.max() - counts.min()) <= 1
    for text in texts:
        assert D.MIN_TOKENS <= len(text.split()) <= D.MAX_TOKENS
        assert text == text.lower()


def test_every_document_holds_a_topic_word_of_its_class():
    texts, labels = D.make_documents(200, seed=1)
    own_share = []
    for text, label in zip(texts, labels.tolist()):
        words = text.split()
        own = sum(w in D.TOPIC_WORDS[label] for w in words)
        assert own >= 1
        own_share.append(own / len(words))
    assert 0.25 < sum(own_share) / len(own_share) < 0.4  # the sure word plus P_TOPIC of the rest


def test_unseen_words_appear_only_when_asked_for():
    train, _ = D.make_documents(300, seed=0)
    held, _ = D.make_documents(300, seed=1, unseen=0.1)
    unseen = set(D.UNSEEN_WORDS)
    assert not unseen & {w for t in train for w in t.split()}
    assert unseen & {w for t in held for w in t.split()}


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        D.make_documents(-1, 0)
    with pytest.raises(ValueError):
        D.make_documents(3, 0, unseen=1.5)


@pytest.mark.parametrize("min_freq", [1, 2, 5])
def test_the_graders_vocabulary_is_the_reference_rule(min_freq):
    texts, _ = D.make_documents(150, seed=2)
    assert D.build_vocab(texts, min_freq) == REF.build_vocab(texts, min_freq)
    vocab = D.build_vocab(texts)
    assert [t.tolist() for t in D.encode_all(texts[:5], vocab)] == [REF.encode(t, vocab).tolist() for t in texts[:5]]


def test_bags_are_the_reference_collate_layout():
    ids = [torch.tensor([3, 4]), torch.tensor([], dtype=torch.int64), torch.tensor([5, 6, 7])]
    flat, offsets = D.bags(ids)
    ref = REF.collate_batch([(t, 0) for t in ids])
    assert torch.equal(flat, ref["flat"]) and torch.equal(offsets, ref["offsets"])


def test_heldout_set_is_encoded_with_the_training_vocabulary():
    input, offsets, labels = T.heldout(0)
    assert offsets.shape == labels.shape == (T.N_HELDOUT,)
    assert int(offsets[0]) == 0 and bool((offsets[1:] >= offsets[:-1]).all())
    assert int(input.max()) < len(topic_module(39, "recipes").training_vocab(0)[2])
    assert bool((input == 1).any())  # unseen words are <unk>


def test_show_renders_labelled_documents():
    lines = D.show(3).splitlines()
    assert len(lines) == 4 and "topics" in lines[0]
    assert all(line.split(":")[0].strip() in D.CLASSES for line in lines[1:])


# --- mistake models ---------------------------------------------------------------------------------------------
def test_vocab_model_without_flags_is_the_rule():
    texts = ["b a b", "c a d", "D d", "<PAD> e"]
    for min_freq in (1, 2, 3):
        assert M.vocab_variant(texts, min_freq) == REF.build_vocab(texts, min_freq)


@pytest.mark.parametrize("name", list(M.VOCAB_MISTAKES))
def test_vocab_mistakes_differ_from_the_rule(name):
    texts, min_freq = ["b a b", "c a d", "D d", "D e e", "cat"], 2
    assert list(M.VOCAB_MISTAKES[name](texts, min_freq).items()) != list(REF.build_vocab(texts, min_freq).items())


def test_docstring_example_tells_the_order_mistakes_apart():
    texts = ["b a b", "c a d", "D d"]
    orders = {name: tuple(fn(texts)) for name, fn in M.VOCAB_MISTAKES.items()}
    orders["contract"] = tuple(REF.build_vocab(texts))
    ordering = ["tokens with the same count ordered alphabetically instead of by first appearance",
                "tokens ordered alphabetically, whatever their counts",
                "tokens in order of first appearance, whatever their counts", "contract"]
    assert len({orders[n] for n in ordering}) == len(ordering)


@pytest.mark.parametrize("name", list(M.TOKENIZE_MISTAKES))
def test_tokenize_mistakes_differ(name):
    assert M.TOKENIZE_MISTAKES[name]("  Two  Words") != REF.tokenize("  Two  Words")


@pytest.mark.parametrize("name", list(M.ENCODE_MISTAKES))
def test_encode_mistakes_differ(name):
    vocab = {"<pad>": 0, "<unk>": 1, "film": 2}
    assert not torch.equal(M.ENCODE_MISTAKES[name]("FILM plot", vocab), REF.encode("FILM plot", vocab))


def test_collate_mistakes_differ_and_the_flag_free_model_is_the_rule():
    batch = [(torch.tensor([4, 5]), 1), (torch.tensor([], dtype=torch.int64), 0), (torch.tensor([6]), 2)]
    want = REF.collate_batch(batch, pad_id=3)
    assert is_close(M.collate_variant(batch, 3), want)
    for name, fn in M.COLLATE_MISTAKES.items():
        assert not is_close(fn(batch, 3), want), name


def bag_case(padding_idx=None, include_last_offset=False):
    gen = torch.Generator().manual_seed(0)
    weight = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    input = torch.tensor([4, 1, 4, 0, 2, 4])
    offsets = torch.tensor([0, 3, 3, 6] if include_last_offset else [0, 3, 3, 5])
    kwargs = {"padding_idx": padding_idx, "include_last_offset": include_last_offset}
    return input, weight, offsets, kwargs


@pytest.mark.parametrize("padding_idx", [None, 4, -1])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_bag_model_without_flags_and_the_reference_are_torch(padding_idx, include_last_offset):
    input, weight, offsets, kwargs = bag_case(padding_idx, include_last_offset)
    want = F.embedding_bag(input, weight, offsets, mode="mean", **kwargs)
    assert is_close(M.embedding_bag_variant(input, weight, offsets, **kwargs), want)
    assert is_close(REF.embedding_bag_mean(input, weight, offsets, **kwargs), want)


@pytest.mark.parametrize("name", list(M.EMBEDDING_BAG_MISTAKES))
def test_bag_mistakes_differ_from_torch(name):
    input, weight, offsets, kwargs = bag_case(-1, "include_last_offset" in name)
    want = F.embedding_bag(input, weight, offsets, mode="mean", **kwargs)
    got = M.EMBEDDING_BAG_MISTAKES[name](input, weight, offsets, **kwargs)
    assert not is_close(got, want)


def test_reference_bag_gradient_matches_torch_with_duplicates_and_padding():
    input, weight, offsets, kwargs = bag_case(4, False)
    mine, theirs = weight.clone().requires_grad_(), weight.clone().requires_grad_()
    cot = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    (REF.embedding_bag_mean(input, mine, offsets, **kwargs) * cot).sum().backward()
    (F.embedding_bag(input, theirs, offsets, mode="mean", **kwargs) * cot).sum().backward()
    assert is_close(mine.grad, theirs.grad) and bool((mine.grad[4] == 0).all())


# --- the checks -------------------------------------------------------------------------------------------------
def test_checks_pass_the_solution_and_fail_every_task_of_the_stub():
    assert_solution_passes_and_stub_fails(39)
