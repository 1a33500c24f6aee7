# expect: 34.2 fail "3-D attn_mask rows read head-major"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(MultiheadAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if attn_mask is not None and attn_mask.dim() == 3:
            n = query.shape[0] if self.batch_first else query.shape[1]
            rows = attn_mask.shape[-2:]
            # BUG: read as (H, N, L, S); torch's row n * num_heads + h is (N, H, L, S)
            attn_mask = attn_mask.view(self.num_heads, n, *rows).transpose(0, 1).reshape(-1, *rows)
        return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights,
                               is_causal)
