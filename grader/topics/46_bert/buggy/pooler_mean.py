# expect: 46.4 fail "mean over all positions"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 46.4
class BertPooler(BertPooler):
    """The reference pooler with the bug below."""

    def forward(self, hidden_states):
        return torch.tanh(self.dense(hidden_states.mean(dim=1)))  # bug: not the [CLS] position
