# expect: 43.3 fail "eps=None taken as 1e-6"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 43.3
class RMSNorm(RMSNorm):  # noqa: F821 - the reference's class, redefined below
    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = 1e-6 if self.eps is None else self.eps  # BUG: Llama's default, not torch.finfo(x.dtype).eps
        out = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
        return out if self.weight is None else out * self.weight
