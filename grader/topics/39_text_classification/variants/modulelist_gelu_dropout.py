# variant: 39.4 correct "a GELU MLP head with dropout, layers in an nn.ModuleList"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embed = EmbeddingBag(vocab_size, embed_dim)
        self.layers = nn.ModuleList([nn.Linear(embed_dim, 48), nn.GELU(), nn.Dropout(0.1), nn.Linear(48, num_classes)])

    def forward(self, input, offsets):
        h = self.embed(input, offsets)
        for layer in self.layers:
            h = layer(h)
        return h
