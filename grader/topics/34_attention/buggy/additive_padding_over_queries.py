# expect: 34.4 fail "broadcast over the batch as if it were (Lq, Lk)"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 34.4
class AdditiveAttention(AdditiveAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, mask=None):
        features = torch.tanh(self.W_q(query).unsqueeze(2) + self.W_k(key).unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)
        if mask is not None and mask.dim() == 2 and mask.shape[0] != scores.shape[1]:
            mask = mask.unsqueeze(1)
        # BUG: when B == Lq a (B, Lk) mask is taken as (Lq, Lk): query i gets batch element i's padding
        weights = masked_softmax(scores, mask)  # noqa: F821 - the reference's function
        return weights @ value, weights
