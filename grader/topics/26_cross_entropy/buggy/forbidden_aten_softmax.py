# expect: 26.1 forbidden "softmax"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 26.1
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along `dim`: exp(x) / sum(exp(x)), computed without overflow."""
    # softmax(x) == softmax(x - c) for any constant c. Subtracting the max makes every exponent <= 0, so exp never
    # overflows (exp(1e4) is inf in any float dtype) and the largest term is exactly 1, so the sum is never 0.
    # The max is detached: the output does not depend on it, and detaching keeps its (zero) gradient out of autograd.
    return torch.ops.aten._softmax(x, dim, False)  # forbidden: the aten op behind torch.softmax
