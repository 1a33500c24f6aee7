# expect: 46.2 fail "-inf instead of torch.finfo(dtype).min"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 46.2
def extended_attention_mask(attention_mask, dtype=torch.float32):
    keep = attention_mask.bool()[:, None, None, :]
    return torch.zeros(keep.shape, dtype=dtype, device=attention_mask.device).masked_fill(~keep, float("-inf"))  # bug
