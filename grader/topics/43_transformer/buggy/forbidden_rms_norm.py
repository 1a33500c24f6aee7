# expect: 43.3 forbidden "rms_norm"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 43.3
class RMSNorm(RMSNorm):  # noqa: F821 - the reference's class, redefined below
    def forward(self, x):
        fused = vars(torch)["rms_norm"]  # forbidden, reached through the module's namespace
        return fused(x, list(self.normalized_shape), self.weight, self.eps)
