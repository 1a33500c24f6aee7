# expect: 46.4 fail "no tanh"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 46.4
class BertPooler(BertPooler):
    """The reference pooler with the bug below."""

    def forward(self, hidden_states):
        return self.dense(hidden_states[:, 0])  # bug: tanh forgotten
