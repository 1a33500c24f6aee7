# expect: 23.1 fail "squeeze"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class MultiTaskNet(MultiTaskNet):
    """The reference MultiTaskNet with the bug below."""

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.trunk(x)
        # squeeze(-1), not squeeze(): a batch of one must stay (1,), not become a 0-d tensor.
        return {"cls": self.cls_head(h), "reg": self.reg_head(h)}
