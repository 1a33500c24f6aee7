# variant: 43.5 correct "gelu layers in an nn.Sequential, the head created before the encoder"
from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.classifier = nn.Linear(d_model, vocab_size)
        self.blocks = nn.Sequential(*[
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, activation="gelu",  # noqa: F821
                                    batch_first=True)
            for _ in range(num_layers)])
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.register_buffer("positions", sinusoidal_positional_encoding(max_len, d_model))  # noqa: F821

    def forward(self, tokens):
        return self.classifier(self.blocks(self.embedding(tokens) + self.positions[: tokens.shape[1]]))
