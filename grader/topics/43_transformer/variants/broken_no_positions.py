# variant: 43.5 broken "no position information: every position sees the same multiset and cannot know its rank"
from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True)  # noqa: F821
            for _ in range(num_layers))
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        x = self.embed(tokens)  # no positional encoding
        for layer in self.layers:
            x = layer(x)
        return self.head(x)
