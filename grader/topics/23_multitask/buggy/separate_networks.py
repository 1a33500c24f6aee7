# expect: 23.1 fail "the trunk is not shared"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class MultiTaskNet(nn.Module):
    """A shared trunk feeding a classification head and a regression head.

    forward(x (B, in_features)) -> {'cls': (B, num_classes) logits, 'reg': (B,) predictions}.
    """

    def __init__(self, in_features: int, num_classes: int, hidden: int = 64):
        super().__init__()
        # Hard parameter sharing: both task losses backpropagate into the trunk, which is what lets one task act as
        # a regulariser for the other. Each head is updated by its own task only.
        self.trunk = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.reg_trunk = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.cls_head = nn.Linear(hidden, num_classes)
        self.reg_head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.trunk(x)
        # squeeze(-1), not squeeze(): a batch of one must stay (1,), not become a 0-d tensor.
        return {"cls": self.cls_head(h), "reg": self.reg_head(self.reg_trunk(x)).squeeze(-1)}
