# variant: 39.4 correct "nn.Embedding, a scatter_add mean with bincount lengths, tanh hidden layer"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embed_dim)
        self.hidden = nn.Linear(embed_dim, embed_dim)
        self.classify = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        positions = torch.arange(input.shape[0], device=input.device)
        bag_of = torch.searchsorted(offsets, positions, right=True) - 1
        vectors = self.emb(input)
        sums = vectors.new_zeros(len(offsets), vectors.shape[1])
        sums = sums.scatter_add(0, bag_of.unsqueeze(1).expand_as(vectors), vectors)
        counts = torch.bincount(bag_of, minlength=len(offsets)).clamp(min=1).to(vectors.dtype)
        return self.classify(torch.tanh(self.hidden(sums / counts.unsqueeze(1))))
