# expect: 34.3 fail "large finite negative (-1e6)"
# expect: 34.4 fail "uses your masked_softmax, which fails 34.3"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.3
def masked_softmax(scores, mask=None):
    """softmax over the last dim among the entries where mask is True."""
    if mask is None:
        return torch.softmax(scores, dim=-1)
    return torch.softmax(scores.masked_fill(~mask, -1e6), dim=-1)  # BUG: a fully masked row comes out uniform
