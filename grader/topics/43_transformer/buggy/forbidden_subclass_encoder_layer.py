# expect: 43.4 forbidden "TransformerEncoderLayer"
# expect: 43.5 forbidden "TransformerEncoderLayer"
"""Override: appended to the reference solution, replacing the definitions below."""

from torch import nn

Base = getattr(nn, "Transformer" + "EncoderLayer")  # forbidden, reached indirectly


# ----------------------------------------------------------------------------------------------------------- 43.4
class TransformerEncoderLayer(Base):
    pass
