"""Recipes for topic 39: call the learner's vocabulary, encoding and batching functions, run their EmbeddingBag forward
and backward, and train their TextClassifier with the grader's loop.

They run where the learner's code runs, under the task's forbidden-API guard: they call nothing but the learner's
code, autograd and the grader's own data module; expected values (torch's embedding_bag included) are computed by the
checks.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F

from grader.kit.crossing import plain_value
from grader.kit.recipes import forward_backward
from grader.kit.training import one_thread, train_minibatches

from . import data as documents

EMBED_DIM = 32
N_TRAIN = 2000
EPOCHS = 4
BATCH_SIZE = 64
LR = 1e-2


# ----------------------------------------------------------------------------------------------------------- 39.1
def call_tokenize(mod: Any, texts: list[str]) -> list[Any]:
    """mod.tokenize(text) for each text."""
    return [plain_value(mod.tokenize(t)) for t in texts]


def call_build_vocab(mod: Any, texts: list[str], min_freq: int | None) -> dict[str, Any]:
    """mod.build_vocab(texts) (min_freq=... when not None) as {'type': its type's name, 'items': [[token, id], ...]}."""
    vocab = mod.build_vocab(list(texts)) if min_freq is None else mod.build_vocab(list(texts), min_freq=min_freq)
    if not isinstance(vocab, Mapping):
        return {"type": type(vocab).__name__, "items": []}
    return {"type": "dict", "items": [[plain_value(k), plain_value(v)] for k, v in vocab.items()]}


def call_encode(mod: Any, texts: list[str], vocab: dict[str, int]) -> list[Any]:
    """mod.encode(text, vocab) for each text (each call gets its own copy of the vocabulary)."""
    return [plain_value(mod.encode(t, dict(vocab))) for t in texts]


# ----------------------------------------------------------------------------------------------------------- 39.2
def call_collate(mod: Any, seqs: list[torch.Tensor], labels: list[int], pad_id: int | None) -> Any:
    """mod.collate_batch(list of (ids, label)) (pad_id=... when not None)."""
    batch = [(s.clone(), int(y)) for s, y in zip(seqs, labels)]
    out = mod.collate_batch(batch) if pad_id is None else mod.collate_batch(batch, pad_id=pad_id)
    return plain_value(out)


# ----------------------------------------------------------------------------------------------------------- 39.3
def call_embedding_bag(
    mod: Any, input: torch.Tensor, weight: torch.Tensor, offsets: torch.Tensor | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """mod.embedding_bag_mean(input, weight, offsets, **kwargs) (offsets omitted when None) with its gradient wrt
    weight."""
    if offsets is None:
        fn = lambda weight: mod.embedding_bag_mean(input, weight, **kwargs)  # noqa: E731
    else:
        fn = lambda weight: mod.embedding_bag_mean(input, weight, offsets, **kwargs)  # noqa: E731
    return forward_backward(fn, {"weight": weight}, wrt=["weight"])


def embedding_bag_construct(mod: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """mod.EmbeddingBag(**kwargs) right after construction: its parameters' shapes and values."""
    torch.manual_seed(0)
    module = mod.EmbeddingBag(**kwargs)
    return {"shapes": {n: list(p.shape) for n, p in module.named_parameters()},
            "values": {n: p.detach().clone() for n, p in module.named_parameters()}}


def embedding_bag_module(
    mod: Any,
    kwargs: dict[str, Any],
    state: dict[str, torch.Tensor],
    input: torch.Tensor,
    offsets: torch.Tensor | None,
    dtype: torch.dtype,
    device_type: str,
) -> dict[str, Any]:
    """Build mod.EmbeddingBag(**kwargs), load `state`, call it on (input, offsets) and backpropagate a fixed
    cotangent: forward_backward's result with the gradient of every parameter."""
    module = mod.EmbeddingBag(**kwargs).to(device=torch.device(device_type), dtype=dtype)
    module.load_state_dict(state)
    params = dict(module.named_parameters())
    if offsets is None:
        call = lambda: module(input)  # noqa: E731
    else:
        call = lambda: module(input, offsets)  # noqa: E731
    return forward_backward(call, {}, params=params)


# ----------------------------------------------------------------------------------------------------------- 39.4
def classifier_logits(mod: Any, kwargs: dict[str, Any], input: torch.Tensor, offsets: torch.Tensor) -> Any:
    """mod.TextClassifier(**kwargs) applied to (input, offsets), without gradients."""
    torch.manual_seed(0)
    model = mod.TextClassifier(**kwargs).to(input.device)
    with torch.no_grad():
        return plain_value(model(input, offsets))


def training_vocab(seed: int) -> tuple[list[str], torch.Tensor, dict[str, int]]:
    """The training documents of `seed`, their labels and the vocabulary built from them (39.1's rule)."""
    texts, labels = documents.make_documents(N_TRAIN, seed)
    return texts, labels, documents.build_vocab(texts)


@one_thread()
def train_text_classifier(
    mod: Any, seed: int, device_type: str, heldout_input: torch.Tensor, heldout_offsets: torch.Tensor
) -> dict[str, Any]:
    """Train mod.TextClassifier(vocab_size, EMBED_DIM, 4) on N_TRAIN documents of make_documents(seed) with the
    grader's loop (kit.training.train_minibatches: Adam(LR), the rate / 10 for the last quarter, shuffled batches of
    BATCH_SIZE, EPOCHS epochs, cross entropy), then classify the held-out bags.

    Returns {'losses': per-step training loss, 'predictions': int64 (B,) argmax class of each held-out bag}.
    """
    device = torch.device(device_type)
    texts, labels, vocab = training_vocab(seed)
    ids = documents.encode_all(texts, vocab)
    torch.manual_seed(seed)
    model = mod.TextClassifier(vocab_size=len(vocab), embed_dim=EMBED_DIM, num_classes=documents.NUM_CLASSES)
    model = model.to(device)
    labels = labels.to(device)

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        flat, offsets = documents.bags([ids[i] for i in idx.tolist()])
        return F.cross_entropy(model(flat.to(device), offsets.to(device)), labels[idx.to(device)])

    losses = train_minibatches(model, batch_loss, seed=seed, n_train=N_TRAIN, epochs=EPOCHS, batch_size=BATCH_SIZE,
                               lr=LR, report_every=10)
    with torch.no_grad():
        predictions = model(heldout_input.to(device), heldout_offsets.to(device)).argmax(dim=1).cpu()
    return {"losses": losses, "predictions": predictions}
