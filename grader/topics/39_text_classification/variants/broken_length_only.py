# variant: 39.4 broken "reads only each document's length (the offsets), never its words"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, num_classes))

    def forward(self, input, offsets):
        lengths = torch.diff(offsets, append=offsets.new_tensor([input.shape[0]]))
        return self.fc(lengths.float().unsqueeze(1) / 10)
