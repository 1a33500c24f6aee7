# expect: 34.3 fail "mask applied after the softmax"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.3
def masked_softmax(scores, mask=None):
    """softmax over the last dim among the entries where mask is True."""
    weights = torch.softmax(scores, dim=-1)
    return weights if mask is None else weights * mask  # BUG: excluded entries zeroed, the rest not renormalised
