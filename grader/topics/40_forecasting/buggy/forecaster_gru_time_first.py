# expect: 40.3 fail "forecast shape: yours (36, 12), expected (5, 12)"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


# ----------------------------------------------------------------------------------------------------------- 40.3
class Forecaster(nn.Module):
    """A GRU over the window's steps and a linear head on its last hidden state."""

    def __init__(self, input_length, horizon):
        super().__init__()
        self.rnn = nn.GRU(input_size=1, hidden_size=32)  # BUG: time first by default; x is (B, L, 1), batch first
        self.head = nn.Linear(32, horizon)

    def forward(self, x):
        _, h_n = self.rnn(x.unsqueeze(-1))
        return self.head(h_n[-1])
