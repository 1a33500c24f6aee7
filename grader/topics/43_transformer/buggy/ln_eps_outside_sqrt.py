# expect: 43.2 fail "eps added to the standard deviation"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 43.2
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-len(normalized_shape), 0))
    mean = input.mean(dim=dims, keepdim=True)
    std = input.std(dim=dims, keepdim=True, correction=0)
    out = (input - mean) / (std + eps)  # BUG: eps belongs inside the square root
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
