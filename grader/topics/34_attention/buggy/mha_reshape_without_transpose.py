# expect: 34.2 fail "heads split by a reshape"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 34.2
class MultiheadAttention(MultiheadAttention):  # noqa: F821 - the reference's class, redefined below
    def _heads(self, x, weight, bias):
        n, t, _ = x.shape
        return F.linear(x, weight, bias).reshape(n, self.num_heads, t, self.head_dim)  # BUG: no transpose
