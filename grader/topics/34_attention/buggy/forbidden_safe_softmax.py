# expect: 34.4 forbidden "_safe_softmax"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.4
class AdditiveAttention(AdditiveAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, mask=None):
        scores = self.w_v(torch.tanh(self.W_q(query).unsqueeze(2) + self.W_k(key).unsqueeze(1))).squeeze(-1)
        if mask is not None:
            scores = scores.masked_fill(~(mask.unsqueeze(1) if mask.dim() == 2 else mask), float("-inf"))
        weights = torch.ops.aten._safe_softmax(scores, -1)  # forbidden: F.sdpa's zero-for-empty-rows softmax
        return weights @ value, weights
