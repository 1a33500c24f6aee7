# expect: 39.3 fail "padding entries left out of the sum but still counted"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 39.3
def embedding_bag_mean(input, weight, offsets=None, padding_idx=None, include_last_offset=False):
    """Mean of weight's rows per bag, looping over the bags."""
    if input.dim() == 2:
        bags = list(input)
    else:
        starts = offsets.tolist()
        if include_last_offset:
            bounds = zip(starts[:-1], starts[1:])
        else:
            bounds = zip(starts, starts[1:] + [input.shape[0]])
        bags = [input[a:b] for a, b in bounds]
    rows = []
    for bag in bags:
        vectors = weight[bag]
        if padding_idx is not None:
            vectors = vectors * (bag != padding_idx % weight.shape[0]).unsqueeze(1).to(weight.dtype)
        rows.append(vectors.sum(0) / max(len(bag), 1))  # BUG: divides by every entry, padding included
    return torch.stack(rows)
