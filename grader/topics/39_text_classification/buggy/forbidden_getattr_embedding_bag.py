# expect: 39.3 forbidden "embedding_bag"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_mean(input, weight, offsets=None, padding_idx=None, include_last_offset=False):
    """torch's own, reached by name."""
    bag = getattr(F, "embedding" + "_bag")  # forbidden
    return bag(input, weight, offsets, mode="mean", padding_idx=padding_idx, include_last_offset=include_last_offset)
