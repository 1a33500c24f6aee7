# expect: 43.2 forbidden "layer_norm"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------- 43.2
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return getattr(F, "layer" + "_norm")(input, list(normalized_shape), weight, bias, eps)  # forbidden, indirectly
