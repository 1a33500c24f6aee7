# expect: 54.1 fail "head index fastest"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch


# ----------------------------------------------------------------------------------------------------------- 54.1
class CausalSelfAttention(CausalSelfAttention):
    """The reference attention with the bug below."""

    def forward(self, x, past_kv=None):
        batch, steps, channels = x.shape
        heads, head_dim = self.n_head, channels // self.n_head
        q, k, v = self.c_attn(x).split(channels, dim=2)
        # bug: (B, T, D, H) puts channel c in head c % H; the contract gives head h the channels h*D .. h*D + D - 1
        q, k, v = (t.view(batch, steps, head_dim, heads).permute(0, 3, 1, 2) for t in (q, k, v))
        if past_kv is not None:
            k = torch.cat([past_kv[0], k], dim=2)
            v = torch.cat([past_kv[1], v], dim=2)
        total = k.shape[2]
        scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)
        visible = torch.ones(steps, total, dtype=torch.bool, device=x.device).tril(diagonal=total - steps)
        weights = scores.masked_fill(~visible, float("-inf")).softmax(dim=-1)
        y = (weights @ v).transpose(1, 2).reshape(batch, steps, channels)
        return self.c_proj(y), (k, v)
