# variant: 39.4 correct "its own embedding table (N(0, 0.1) init) and the bag mean written inline with index_add"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.table = nn.Parameter(torch.randn(vocab_size, embed_dim) * 0.1)
        self.out = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        lengths = torch.diff(offsets, append=offsets.new_tensor([input.shape[0]]))
        bag_of = torch.repeat_interleave(torch.arange(len(offsets), device=input.device), lengths)
        sums = self.table.new_zeros(len(offsets), self.table.shape[1]).index_add(0, bag_of, self.table[input])
        return self.out(sums / lengths.clamp(min=1).unsqueeze(1).to(sums.dtype))
