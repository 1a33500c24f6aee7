# variant: 54.5 broken "no causal mask: in training every position also sees the characters after it"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch


class CausalSelfAttention(CausalSelfAttention):
    def forward(self, x, past_kv=None):
        batch, steps, channels = x.shape
        heads, head_dim = self.n_head, channels // self.n_head
        q, k, v = self.c_attn(x).split(channels, dim=2)
        q, k, v = (t.view(batch, steps, heads, head_dim).transpose(1, 2) for t in (q, k, v))
        if past_kv is not None:
            k, v = torch.cat([past_kv[0], k], dim=2), torch.cat([past_kv[1], v], dim=2)
        weights = (q @ k.transpose(-2, -1) / math.sqrt(head_dim)).softmax(dim=-1)
        return self.c_proj((weights @ v).transpose(1, 2).reshape(batch, steps, channels)), (k, v)
