# expect: 43.3 fail "the mean is subtracted first"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 43.3
class RMSNorm(RMSNorm):  # noqa: F821 - the reference's class, redefined below
    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        x = x - x.mean(dim=dims, keepdim=True)  # BUG: that is layer norm's centring
        out = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
        return out if self.weight is None else out * self.weight
