# variant: 39.4 broken "ignores the tokens: the same learned logits for every document (a majority-class guess)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = EmbeddingBag(vocab_size, embed_dim)
        self.logits = nn.Parameter(torch.zeros(num_classes))

    def forward(self, input, offsets):
        return self.logits.expand(offsets.shape[0], -1)
