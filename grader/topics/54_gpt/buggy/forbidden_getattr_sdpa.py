# expect: 54.1 forbidden "scaled_dot_product_attention"
# expect: 54.2 forbidden "scaled_dot_product_attention"
# expect: 54.5 forbidden "scaled_dot_product_attention"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 54.1
class CausalSelfAttention(CausalSelfAttention):
    """The reference attention, but the attention itself is torch's, reached through getattr."""

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
        attend = getattr(F, "scaled_dot" + "_product_attention")  # forbidden
        y = attend(q, k, v, attn_mask=visible).transpose(1, 2).reshape(batch, steps, channels)
        return self.c_proj(y), (k, v)
