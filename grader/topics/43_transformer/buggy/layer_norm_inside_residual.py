# expect: 43.4 fail "post-norm LayerNorm inside the residual"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 43.4
class TransformerEncoderLayer(TransformerEncoderLayer):  # noqa: F821 - the reference's class, redefined below
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._attention(self.norm1(x), src_mask, src_key_padding_mask)
            return x + self._feed_forward(self.norm2(x))
        x = x + self.norm1(self._attention(x, src_mask, src_key_padding_mask))  # BUG: norm the sum, not the block
        return x + self.norm2(self._feed_forward(x))
