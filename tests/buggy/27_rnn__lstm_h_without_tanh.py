# expect: 27.3 fail "without the tanh"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 27.3
class LSTMCell(nn.Module):
    """One LSTM step. The 4H rows of weight_ih / weight_hh / biases are the gates i, f, g, o, in that order."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
            self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        _init_uniform(self, hidden_size)

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
        i, f, g, o = gates.chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        # The cell state is updated additively (f*c + i*g): gradients flow back through time along c without being
        # squashed by a nonlinearity at every step, which is why LSTMs remember far longer than tanh RNNs.
        c_next = f * c + i * g
        h_next = o * c_next  # BUG: h' = o * tanh(c')
        if unbatched:
            return h_next.squeeze(0), c_next.squeeze(0)
        return h_next, c_next
