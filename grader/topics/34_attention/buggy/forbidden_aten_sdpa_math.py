# expect: 34.1 forbidden "_scaled_dot_product_attention_math"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.1
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(query @ key^T * scale + mask) @ value."""
    out, _ = torch.ops.aten._scaled_dot_product_attention_math(  # forbidden: the math backend of F.sdpa
        query, key, value, attn_mask=attn_mask, is_causal=is_causal, scale=scale)
    return out
