# expect: 34.3 forbidden "_masked_softmax"
# expect: 34.4 forbidden "_masked_softmax"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.3
def masked_softmax(scores, mask=None):
    """softmax over the last dim among the entries where mask is True."""
    if mask is None:
        return torch.softmax(scores, dim=-1)
    fused = getattr(torch, "_masked" + "_softmax")  # forbidden, reached indirectly (True = masked out for it)
    return fused(scores, ~mask.expand_as(scores), -1, None).nan_to_num(0.0)
