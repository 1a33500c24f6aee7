# variant: 39.4 broken "averages every token of the batch into one vector, the same for each document"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, input, offsets):
        return self.fc(self.emb(input).mean(0, keepdim=True)).expand(offsets.shape[0], -1)
