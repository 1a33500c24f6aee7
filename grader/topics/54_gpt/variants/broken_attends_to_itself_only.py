# variant: 54.5 broken "attention that ignores the context: each position attends to itself only (a bigram model)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


class CausalSelfAttention(CausalSelfAttention):
    def forward(self, x, past_kv=None):
        batch, steps, channels = x.shape
        heads, head_dim = self.n_head, channels // self.n_head
        q, k, v = self.c_attn(x).split(channels, dim=2)
        k, v = (t.view(batch, steps, heads, head_dim).transpose(1, 2) for t in (k, v))
        if past_kv is not None:
            k, v = torch.cat([past_kv[0], k], dim=2), torch.cat([past_kv[1], v], dim=2)
        own = v[:, :, -steps:]  # softmax over a single visible key is 1: the output is the position's own value
        return self.c_proj(own.transpose(1, 2).reshape(batch, steps, channels)), (k, v)
