# expect: 34.2 fail "1 / sqrt(embed_dim) instead of 1 / sqrt(head_dim)"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(MultiheadAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, length, _ = query.shape
        source = key.shape[1]
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (None, None, None) if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        q, k, v = self._heads(query, w_q, b_q), self._heads(key, w_k, b_k), self._heads(value, w_v, b_v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.embed_dim)  # BUG: the model dim, not head_dim
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)  # noqa: F821 - the reference's helper
            scores = scores + (bias if bias.dim() == 2 else bias.view(n, self.num_heads, length, source))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(n, 1, 1, source)  # noqa: F821
        weights = torch.softmax(scores, dim=-1)
        out = self.out_proj((weights @ v).transpose(1, 2).reshape(n, length, self.embed_dim))
        if not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, (weights.mean(dim=1) if average_attn_weights else weights)
