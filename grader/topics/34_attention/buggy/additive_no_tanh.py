# expect: 34.4 fail "no tanh between W_q q + W_k k and w_v"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 34.4
class AdditiveAttention(AdditiveAttention):  # noqa: F821 - the reference's class, redefined below
    def forward(self, query, key, value, mask=None):
        features = self.W_q(query).unsqueeze(2) + self.W_k(key).unsqueeze(1)  # BUG: no tanh
        scores = self.w_v(features).squeeze(-1)
        if mask is not None and mask.dim() == 2:
            mask = mask.unsqueeze(1)
        weights = masked_softmax(scores, mask)  # noqa: F821 - the reference's function
        return weights @ value, weights
