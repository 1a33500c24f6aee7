# expect: 43.4 fail "approximate='tanh'"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 43.4
class TransformerEncoderLayer(TransformerEncoderLayer):  # noqa: F821 - the reference's class, redefined below
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.activation is F.gelu:
            self.activation = lambda x: F.gelu(x, approximate="tanh")  # BUG: GPT-2's gelu, not torch's exact one
