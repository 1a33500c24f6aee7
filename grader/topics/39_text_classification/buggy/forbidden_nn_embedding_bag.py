# expect: 39.4 forbidden "EmbeddingBag"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


# ----------------------------------------------------------------------------------------------------------- 39.4
class TextClassifier(nn.Module):
    """torch's EmbeddingBag instead of yours."""

    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = getattr(nn, "Embedding" + "Bag")(vocab_size, embed_dim, mode="mean")  # forbidden
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        return self.fc(self.embedding(input, offsets))
