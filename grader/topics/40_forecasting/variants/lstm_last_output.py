# variant: 40.3 correct "an LSTM, time-major input, head on the last step's output, no residual"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class Forecaster(nn.Module):
    def __init__(self, input_length, horizon):
        super().__init__()
        self.head = nn.Linear(32, horizon)  # created before the LSTM
        self.lstm = nn.LSTM(1, 32)

    def forward(self, x):
        out, _ = self.lstm(x.t().unsqueeze(-1))  # (L, B, 1), time first
        return self.head(out[-1])
