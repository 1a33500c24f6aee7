# expect: 34.2 fail "key_padding_mask polarity inverted"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(MultiheadAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if key_padding_mask is not None and key_padding_mask.dtype == torch.bool:
            key_padding_mask = ~key_padding_mask  # BUG: "True = keep", sdpa's convention, not nn.MHA's
        return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights,
                               is_causal)
