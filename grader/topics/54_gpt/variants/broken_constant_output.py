# variant: 54.5 broken "a unigram model: the logits are one learned vector, whatever the input"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer=2, n_head=2, n_embd=32):
        super().__init__()
        self.n_layer, self.n_head, self.head_dim = n_layer, n_head, n_embd // n_head
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, idx, past_kvs=None):
        batch, steps = idx.shape
        past = 0 if past_kvs is None else past_kvs[0][0].shape[2]
        empty = idx.new_zeros(batch, self.n_head, past + steps, self.head_dim, dtype=self.bias.dtype)
        return self.bias.expand(batch, steps, -1), [(empty, empty)] * self.n_layer
