# variant: 43.5 correct "pre-norm layers (norm_first=True) and a final LayerNorm before the head"
from torch import nn


class DigitSorter(nn.Module):
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False)  # noqa: F821
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True,  # noqa: F821
                                    norm_first=True)
            for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pe[: tokens.shape[1]]
        for layer in self.layers:
            x = layer(x)
        return self.head(self.final_norm(x))
