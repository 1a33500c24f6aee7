# expect: 46.2 fail "(B, 1, T, 1)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 46.2
def extended_attention_mask(attention_mask, dtype=torch.float32):
    keep = attention_mask.bool()[:, None, :, None]  # bug: broadcasts over keys, masks queries
    return torch.zeros(keep.shape, dtype=dtype, device=attention_mask.device).masked_fill(~keep, torch.finfo(dtype).min)
