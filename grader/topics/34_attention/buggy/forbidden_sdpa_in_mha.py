# expect: 34.2 forbidden "scaled_dot_product_attention"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(MultiheadAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if need_weights:
            return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, length, _ = query.shape
        source = key.shape[1]
        w, b = self.in_proj_weight.chunk(3), (None,) * 3 if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        q, k, v = (self._heads(t, w[i], b[i]) for i, t in enumerate((query, key, value)))
        bias = torch.zeros(n, self.num_heads, length, source, dtype=q.dtype, device=q.device)
        if attn_mask is not None:
            extra = _additive(attn_mask, q.dtype)  # noqa: F821 - the reference's helper
            bias = bias + (extra if extra.dim() == 2 else extra.view(n, self.num_heads, length, source))
        if key_padding_mask is not None:
            bias = bias + _additive(key_padding_mask, q.dtype).view(n, 1, 1, source)  # noqa: F821
        fused = vars(F)["scaled_dot_product_attention"]  # forbidden, reached through the module's namespace
        out = self.out_proj(fused(q, k, v, attn_mask=bias).transpose(1, 2).reshape(n, length, self.embed_dim))
        return (out if self.batch_first else out.transpose(0, 1)), None
