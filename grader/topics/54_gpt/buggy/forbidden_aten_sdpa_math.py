# expect: 54.1 forbidden "_scaled_dot_product_attention_math"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 54.1
class CausalSelfAttention(CausalSelfAttention):
    """The reference attention, but the attention itself is aten's math kernel."""

    def forward(self, x, past_kv=None):
        batch, steps, channels = x.shape
        heads, head_dim = self.n_head, channels // self.n_head
        q, k, v = self.c_attn(x).split(channels, dim=2)
        q, k, v = (t.view(batch, steps, heads, head_dim).transpose(1, 2) for t in (q, k, v))
        if past_kv is not None:
            k = torch.cat([past_kv[0], k], dim=2)
            v = torch.cat([past_kv[1], v], dim=2)
        total = k.shape[2]
        visible = torch.ones(steps, total, dtype=torch.bool, device=x.device).tril(diagonal=total - steps)
        y, _ = torch.ops.aten._scaled_dot_product_attention_math(q, k, v, visible)  # forbidden
        return self.c_proj(y.transpose(1, 2).reshape(batch, steps, channels)), (k, v)
