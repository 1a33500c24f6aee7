# variant: 54.5 broken "ignores the tokens: every sequence is read as all '.', only the positions reach the model"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


class GPT(GPT):
    def forward(self, idx, past_kvs=None):
        return super().forward(torch.zeros_like(idx), past_kvs)
