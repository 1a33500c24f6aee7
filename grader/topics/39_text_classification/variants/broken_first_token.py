# variant: 39.4 broken "embeds only the first token of each bag (the token at its offset)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 39.4
class TextClassifier(nn.Module):
    """Embeds each bag by the token at its offset, then a linear layer."""

    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        first = input[offsets.clamp(max=max(input.shape[0] - 1, 0))] if input.numel() else offsets * 0
        return self.fc(self.embedding(first))  # BUG: only the first token of each bag is read
