"""Synthetic documents for topic 39.4: classify a short text by its topic words, read among noise words.

There are four topics (sport, food, tech, music), each with ten topic words, and a pool of common noise words drawn
with Zipf-like frequencies. A document of class c has 6 to 20 tokens: one position holds a topic word of c for sure;
every other token is a topic word of c with probability 0.25, a topic word of another class with probability 0.05 (a
confuser) and a noise word otherwise. Held-out documents also draw 10% of their noise from words no training document
contains (they encode to <unk>). Seeded and generated in code: the same arguments always give the same documents.

The grader's vocabulary and encoding live here too (the same rule as the 39.1 contract; the recipes cannot import the
reference solution), so the training recipe and the trusted checks encode the documents identically.
"""

from __future__ import annotations

from collections import Counter

import torch

CLASSES = ("sport", "food", "tech", "music")
TOPIC_WORDS = (
    ("goal", "match", "team", "coach", "score", "league", "player", "stadium", "referee", "season"),
    ("recipe", "flavor", "kitchen", "bake", "spice", "dinner", "sauce", "oven", "chef", "dessert"),
    ("software", "laptop", "server", "code", "chip", "network", "browser", "cloud", "robot", "data"),
    ("guitar", "song", "concert", "album", "melody", "drum", "singer", "lyrics", "band", "rhythm"),
)
NOISE_WORDS = (
    "the", "a", "and", "of", "to", "in", "is", "it", "that", "was", "for", "on", "with", "as", "at", "by", "this",
    "from", "they", "we", "but", "not", "all", "one", "new", "some", "more", "very", "just", "about", "then", "also",
    "there", "when", "what", "which", "their", "would", "could", "after", "before", "again", "still", "never",
    "always", "today", "really", "quite", "every", "other",
)
UNSEEN_WORDS = tuple(f"zq{i}" for i in range(30))  # held-out only: never in a training document
NUM_CLASSES = len(CLASSES)
MIN_TOKENS, MAX_TOKENS = 6, 20
P_TOPIC, P_CONFUSER = 0.25, 0.05
PAD, UNK = "<pad>", "<unk>"


def make_documents(n: int, seed: int, unseen: float = 0.0) -> tuple[list[str], torch.Tensor]:
    """(texts, labels): n documents as lower-case strings of space-separated words, labels int64 (n,) in [0, 4).

    Labels are balanced (each class n // 4 or n // 4 + 1 times, in a seeded order). `unseen` is the probability that
    a noise token is a word of UNSEEN_WORDS instead (0 for training data).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= unseen <= 1.0:
        raise ValueError(f"unseen must be a probability, got {unseen}")
    gen = torch.Generator().manual_seed(seed)
    labels = (torch.arange(n) % NUM_CLASSES)[torch.randperm(n, generator=gen)]
    zipf = 1.0 / torch.arange(1, len(NOISE_WORDS) + 1, dtype=torch.float64)
    texts = []
    for label in labels.tolist():
        length = int(torch.randint(MIN_TOKENS, MAX_TOKENS + 1, (1,), generator=gen))
        kind = torch.rand(length, generator=gen)
        word = torch.randint(0, len(TOPIC_WORDS[0]), (length,), generator=gen)
        other = (label + torch.randint(1, NUM_CLASSES, (length,), generator=gen)) % NUM_CLASSES
        noise = torch.multinomial(zipf, length, replacement=True, generator=gen)
        hide = torch.rand(length, generator=gen) < unseen
        hidden = torch.randint(0, len(UNSEEN_WORDS), (length,), generator=gen)
        sure = int(torch.randint(0, length, (1,), generator=gen))
        tokens = []
        for i in range(length):
            if i == sure or kind[i] < P_TOPIC:
                tokens.append(TOPIC_WORDS[label][word[i]])
            elif kind[i] < P_TOPIC + P_CONFUSER:
                tokens.append(TOPIC_WORDS[int(other[i])][word[i]])
            elif hide[i]:
                tokens.append(UNSEEN_WORDS[hidden[i]])
            else:
                tokens.append(NOISE_WORDS[noise[i]])
        texts.append(" ".join(tokens))
    return texts, labels


def build_vocab(texts: list[str], min_freq: int = 1) -> dict[str, int]:
    """The 39.1 rule: <pad> 0, <unk> 1, then the tokens counted at least min_freq times, by count descending, ties by
    first appearance."""
    counts = Counter(tok for text in texts for tok in text.lower().split() if tok not in (PAD, UNK))
    vocab = {PAD: 0, UNK: 1}
    for token, count in counts.most_common():
        if count >= min_freq:
            vocab[token] = len(vocab)
    return vocab


def encode_all(texts: list[str], vocab: dict[str, int]) -> list[torch.Tensor]:
    """Each text as an int64 tensor of ids (unknown tokens -> <unk>)."""
    unk = vocab[UNK]
    return [torch.tensor([vocab.get(t, unk) for t in text.lower().split()], dtype=torch.int64) for text in texts]


def bags(ids: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(input, offsets) of these id sequences in EmbeddingBag layout: concatenated ids, and each bag's start."""
    lengths = torch.tensor([len(t) for t in ids], dtype=torch.int64)
    offsets = torch.cumsum(lengths, 0) - lengths
    flat = torch.cat(ids) if ids else torch.zeros(0, dtype=torch.int64)
    return flat, offsets


def show(n: int = 4) -> str:
    """A few training documents with their labels."""
    texts, labels = make_documents(n, seed=0)
    lines = [
        f"39.4 documents: {NUM_CLASSES} topics ({', '.join(CLASSES)}), {MIN_TOKENS}-{MAX_TOKENS} words each; about "
        f"{P_TOPIC:.0%} of the words are the topic's own, {P_CONFUSER:.0%} another topic's, the rest noise."
    ]
    for text, label in zip(texts, labels.tolist()):
        lines.append(f"  {CLASSES[label]:>5}: {text}")
    return "\n".join(lines)
