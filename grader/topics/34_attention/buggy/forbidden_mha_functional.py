# expect: 34.2 forbidden "multi_head_attention_forward"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(MultiheadAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        run = getattr(F, "multi_head" + "_attention_forward")  # forbidden, reached indirectly
        out, weights = run(query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                           None, None, False, 0.0, self.out_proj.weight, self.out_proj.bias, training=self.training,
                           key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
                           average_attn_weights=average_attn_weights)
        return (out.transpose(0, 1) if self.batch_first else out), weights
