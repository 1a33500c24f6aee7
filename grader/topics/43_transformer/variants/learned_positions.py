# variant: 43.5 correct "a learned position embedding table (nn.Embedding(max_len, d_model)) instead of sinusoids"
import torch
from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True)  # noqa: F821
            for _ in range(num_layers))
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos(torch.arange(tokens.shape[1], device=tokens.device))
        for layer in self.layers:
            x = layer(x)
        return self.head(x)
