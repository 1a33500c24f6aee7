# expect: 27.3 forbidden "lstm_cell"
# expect: 27.4 forbidden "lstm_cell"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 27.3
class LSTMCell(LSTMCell):
    """The reference LSTMCell with the bug below."""

    def forward(
        self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """input (B, I) or (I,); hx = (h, c), each (B, H) or (H,), zeros when None. Returns (h', c')."""
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h_next, c_next = torch.ops.aten.lstm_cell(input, list(hx), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)  # forbidden
        if unbatched:
            return h_next.squeeze(0), c_next.squeeze(0)
        return h_next, c_next
