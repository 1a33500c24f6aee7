# expect: 27.1 forbidden "rnn_tanh_cell"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 27.1
class RNNCell(RNNCell):
    """The reference RNNCell with the bug below."""

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> torch.Tensor:
        """input (B, I) or (I,); hx (B, H) or (H,), zeros when None. Returns h' shaped like hx."""
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        if hx is None:
            hx = input.new_zeros(input.shape[0], self.hidden_size)
        op = getattr(torch, "rnn_" + ("tanh" if self.nonlinearity == "tanh" else "relu") + "_cell")  # forbidden
        h = op(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h.squeeze(0) if unbatched else h
