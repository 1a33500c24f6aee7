# expect: 27.4 forbidden "LSTM"
"""Override: appended to the reference solution, replacing the definitions below."""

import math
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 27.4
class SequenceClassifier(nn.Module):
    """Reads a sequence with an LSTMCell and classifies it from the last hidden state."""

    def __init__(self, input_size: int, hidden_size: int, num_classes: int) -> None:
        super().__init__()
        self.lstm = getattr(nn, "LS" + "TM")(input_size, hidden_size, batch_first=True)  # forbidden
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, input_size) -> logits (B, num_classes)."""
        return self.head(self.lstm(x)[1][0][-1])
