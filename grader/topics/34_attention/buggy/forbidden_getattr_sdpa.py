# expect: 34.1 forbidden "scaled_dot_product_attention"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 34.1
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(query @ key^T * scale + mask) @ value."""
    fused = getattr(F, "scaled_dot" + "_product_attention")  # forbidden, reached indirectly
    return fused(query, key, value, attn_mask=attn_mask, is_causal=is_causal, scale=scale)
