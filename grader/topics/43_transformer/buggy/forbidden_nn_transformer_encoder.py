# expect: 43.5 forbidden "TransformerEncoder"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn


# ----------------------------------------------------------------------------------------------------------- 43.5
class DigitSorter(DigitSorter):  # noqa: F821 - the reference's class, redefined below
    def __init__(self, vocab_size, max_len, d_model, nhead, num_layers, dim_feedforward):
        super().__init__(vocab_size, max_len, d_model, nhead, 1, dim_feedforward)
        stack = getattr(nn, "Transformer" + "Encoder")  # forbidden, reached indirectly
        self.layers = stack(self.layers[0], num_layers, enable_nested_tensor=False)

    def forward(self, tokens):
        return self.head(self.layers(self.embed(tokens) + self.pe[: tokens.shape[1]]))
