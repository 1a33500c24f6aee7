# variant: 39.4 correct "head created before the embedding, xavier-uniform head and zero bias"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.fc = nn.Linear(embed_dim, num_classes)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)
        self.embedding = EmbeddingBag(vocab_size, embed_dim)

    def forward(self, input, offsets):
        return self.fc(self.embedding(input, offsets))
