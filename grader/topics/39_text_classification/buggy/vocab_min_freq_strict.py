# expect: 39.1 fail "min_freq compared with > instead of >="
"""Override: appended to the reference solution, replacing the definitions below."""

from collections import Counter


# ----------------------------------------------------------------------------------------------------------- 39.1
def build_vocab(texts, min_freq=1):
    """<pad> 0, <unk> 1, then the tokens seen more than min_freq - 1 times, most frequent first."""
    counts = Counter(tok for text in texts for tok in tokenize(text) if tok not in (PAD, UNK))
    vocab = {PAD: 0, UNK: 1}
    for token, count in counts.most_common():
        if count > min_freq:  # BUG: a token seen exactly min_freq times must stay
            vocab[token] = len(vocab)
    return vocab
