# expect: 39.1 fail "tokens ordered alphabetically, whatever their counts"
"""Override: appended to the reference solution, replacing the definitions below."""

from collections import Counter


# ----------------------------------------------------------------------------------------------------------- 39.1
def build_vocab(texts, min_freq=1):
    """<pad> 0, <unk> 1, then the tokens seen at least min_freq times."""
    counts = Counter(tok for text in texts for tok in tokenize(text) if tok not in (PAD, UNK))
    itos = [PAD, UNK] + sorted(tok for tok, c in counts.items() if c >= min_freq)  # BUG: sorted by name, not count
    return {tok: i for i, tok in enumerate(itos)}
