# expect: 43.4 fail "pre-norm residual around the wrong block"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 43.4
class TransformerEncoderLayer(TransformerEncoderLayer):  # noqa: F821 - the reference's class, redefined below
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = self.norm1(x)
            x = x + self._attention(x, src_mask, src_key_padding_mask)  # BUG: the residual adds norm1(x), not x
            x = self.norm2(x)
            return x + self._feed_forward(x)
        x = self.norm1(x + self._attention(x, src_mask, src_key_padding_mask))
        return self.norm2(x + self._feed_forward(x))
