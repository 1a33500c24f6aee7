# expect: 43.5 fail "token_accuracy"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 43.5
class DigitSorter(DigitSorter):  # noqa: F821 - the reference's class, redefined below
    def forward(self, tokens):
        x = self.embed(tokens) + self.pe[: tokens.shape[1]]
        for layer in self.layers:
            x = layer(x)
        # BUG: a classifier's habit: pool the sequence, then give every position the same answer
        return self.head(x.mean(dim=1, keepdim=True)).expand(-1, tokens.shape[1], -1)
