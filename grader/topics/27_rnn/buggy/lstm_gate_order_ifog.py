# expect: 27.3 fail "i, f, o, g"
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
        h, c = hx
        gates = F.linear(input, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)
        i, f, o, g = gates.chunk(4, dim=-1)  # BUG: torch's order is i, f, g, o
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        # The cell state is updated additively (f*c + i*g): gradients flow back through time along c without being
        # squashed by a nonlinearity at every step, which is why LSTMs remember far longer than tanh RNNs.
        c_next = f * c + i * g
        h_next = o * torch.tanh(c_next)
        if unbatched:
            return h_next.squeeze(0), c_next.squeeze(0)
        return h_next, c_next
