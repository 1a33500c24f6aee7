# variant: 43.5 broken "ignores the digits: one learned logit vector per position"
import torch
from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(max_len, vocab_size))

    def forward(self, tokens):
        return self.logits[: tokens.shape[1]].expand(tokens.shape[0], -1, -1)
