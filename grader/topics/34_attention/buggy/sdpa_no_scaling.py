# expect: 34.1 fail "scores not scaled by 1 / sqrt(E)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.1
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(query @ key^T * scale + mask) @ value."""
    length, source = query.shape[-2], key.shape[-2]
    scores = query @ key.transpose(-2, -1)  # BUG: no 1 / sqrt(E) when scale is None
    if scale is not None:
        scores = scores * scale
    if is_causal:
        attn_mask = torch.ones(length, source, dtype=torch.bool, device=query.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    return _softmax_keeping_empty_rows_zero(scores) @ value
