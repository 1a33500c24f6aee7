# expect: 39.3 forbidden "embedding_bag"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_mean(input, weight, offsets=None, padding_idx=None, include_last_offset=False):
    """The aten op behind F.embedding_bag (mode 1 = mean)."""
    if input.dim() == 2:
        offsets = torch.arange(0, input.numel(), input.shape[1], device=input.device)
        input = input.reshape(-1)
    pad = -1 if padding_idx is None else padding_idx % weight.shape[0]
    out = torch.ops.aten._embedding_bag(weight, input, offsets, False, 1, False, None, include_last_offset, pad)
    return out[0]  # forbidden
