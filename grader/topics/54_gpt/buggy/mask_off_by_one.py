# expect: 54.1 fail "position t also sees position t + 1"
# expect: 54.2 fail "fails 54.1"
# expect: 54.5 fail "valid_fraction"
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
        q, k, v = (t.view(batch, steps, heads, head_dim).transpose(1, 2) for t in (q, k, v))
        if past_kv is not None:
            k = torch.cat([past_kv[0], k], dim=2)
            v = torch.cat([past_kv[1], v], dim=2)
        total = k.shape[2]
        scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)
        visible = torch.ones(steps, total, dtype=torch.bool, device=x.device).tril(diagonal=total - steps + 1)  # bug
        weights = scores.masked_fill(~visible, float("-inf")).softmax(dim=-1)
        y = (weights @ v).transpose(1, 2).reshape(batch, steps, channels)
        return self.c_proj(y), (k, v)
