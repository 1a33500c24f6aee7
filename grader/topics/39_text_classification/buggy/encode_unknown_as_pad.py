# expect: 39.1 fail "unknown tokens encoded as <pad> (0)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 39.1
def encode(text, vocab):
    """The ids of the text's tokens; unknown tokens ... get the default of dict.get."""
    return torch.tensor([vocab.get(tok, 0) for tok in tokenize(text)], dtype=torch.int64)  # BUG: 0 is <pad>
