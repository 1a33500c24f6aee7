# expect: 34.1 fail "causal mask aligned at the bottom right"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch


# ----------------------------------------------------------------------------------------------------------- 34.1
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(query @ key^T * scale + mask) @ value."""
    length, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:  # BUG: the last query sees every key (FlashAttention's alignment), torch's is tril() at the top left
        attn_mask = torch.ones(length, source, dtype=torch.bool, device=query.device).tril(diagonal=source - length)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    return _softmax_keeping_empty_rows_zero(scores) @ value
