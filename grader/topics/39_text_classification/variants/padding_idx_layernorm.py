# variant: 39.4 correct "EmbeddingBag with padding_idx=0 and a LayerNorm before the linear head"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = EmbeddingBag(vocab_size, embed_dim, padding_idx=0)
        self.norm = nn.LayerNorm(embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        return self.fc(self.norm(self.embedding(input, offsets)))
