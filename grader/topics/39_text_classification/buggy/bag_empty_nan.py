# expect: 39.3 fail "an empty bag divides 0 by a count of 0"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_mean(input, weight, offsets=None, padding_idx=None, include_last_offset=False):
    """Mean of weight's rows per bag, with segment ids from the offsets."""
    if input.dim() == 2:
        bags, length = input.shape
        flat = input.reshape(-1)
        bag_of = torch.arange(bags, device=input.device).repeat_interleave(length)
    else:
        flat = input
        if include_last_offset:
            starts, ends = offsets[:-1], offsets[1:]
        else:
            starts, ends = offsets, torch.cat([offsets[1:], offsets.new_tensor([flat.shape[0]])])
        bags = starts.shape[0]
        bag_of = torch.arange(bags, device=input.device).repeat_interleave(ends - starts)
    keep = torch.ones_like(flat, dtype=torch.bool)
    if padding_idx is not None:
        keep = flat != (padding_idx % weight.shape[0])
    rows = weight[flat] * keep.unsqueeze(1).to(weight.dtype)
    total = weight.new_zeros(bags, weight.shape[1]).index_add(0, bag_of, rows)
    count = torch.zeros(bags, dtype=weight.dtype, device=weight.device).index_add(0, bag_of, keep.to(weight.dtype))
    return total / count.unsqueeze(1)  # BUG: an empty bag is 0 / 0
