# expect: 43.4 fail "LayerNorm in the wrong place"
"""Override: appended to the reference solution, replacing the definitions below."""


# ----------------------------------------------------------------------------------------------------------- 43.4
class TransformerEncoderLayer(TransformerEncoderLayer):  # noqa: F821 - the reference's class, redefined below
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src  # BUG: pre-norm whatever norm_first says (the modern default, but torch's default is post-norm)
        x = x + self._attention(self.norm1(x), src_mask, src_key_padding_mask)
        return x + self._feed_forward(self.norm2(x))
