# variant: 43.5 correct "embeddings multiplied by sqrt(d_model) before the sinusoids are added (the paper's recipe)"
import math

from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.d_model = d_model
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model))  # noqa: F821
        self.encoder = nn.ModuleList([
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True)  # noqa: F821
            for _ in range(num_layers)])
        self.out = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        x = self.embedding(tokens) * math.sqrt(self.d_model) + self.pe[: tokens.shape[1]]
        for layer in self.encoder:
            x = layer(x)
        return self.out(x)
