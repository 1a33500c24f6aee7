# expect: 43.2 forbidden "group_norm"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 43.2
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    # One group over every normalised entry is a layer norm: (rows, 1, n) -> group_norm(., 1) -> back.
    n = math.prod(normalized_shape)
    rows = input.reshape(-1, 1, n)
    out = F.group_norm(rows, 1, eps=eps).reshape(input.shape)  # forbidden: another norm bent into this one
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
