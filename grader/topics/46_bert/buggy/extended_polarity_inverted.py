# expect: 46.2 fail "polarity inverted"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 46.2
def extended_attention_mask(attention_mask, dtype=torch.float32):
    m = attention_mask[:, None, None, :].to(dtype)
    return m * torch.finfo(dtype).min  # bug: the 1s (real tokens) get the large negative
