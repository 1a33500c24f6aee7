# expect: 39.4 fail "logits are not all finite"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


# ----------------------------------------------------------------------------------------------------------- 39.4
class TextClassifier(nn.Module):
    """Mean of the word embeddings per bag, written inline, then a linear layer."""

    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        lengths = torch.diff(offsets, append=offsets.new_tensor([input.shape[0]]))
        bag_of = torch.repeat_interleave(torch.arange(len(offsets), device=input.device), lengths)
        vectors = self.embedding(input)
        sums = vectors.new_zeros(len(offsets), vectors.shape[1]).index_add(0, bag_of, vectors)
        return self.fc(sums / lengths.unsqueeze(1))  # BUG: an empty bag is 0 / 0 = NaN
