# variant: 43.5 broken "a causal mask in every layer: position t never sees the digits after it"
import torch
from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False)  # noqa: F821
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True)  # noqa: F821
            for _ in range(num_layers))
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        t = tokens.shape[1]
        future = torch.ones(t, t, dtype=torch.bool, device=tokens.device).triu(1)  # True = not allowed
        x = self.embed(tokens) + self.pe[:t]
        for layer in self.layers:
            x = layer(x, src_mask=future)
        return self.head(x)
