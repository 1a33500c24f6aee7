# expect: 26.1 fail "log(softmax(x))"
# expect: 26.2 fail "log(softmax(x))"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along `dim`, computed stably as (x - m) - log(sum(exp(x - m))) with m the max."""
    # Never log(softmax(x)): for large logits softmax underflows to 0 and log(0) = -inf, while the true value is just a
    # large negative number. In log space the result stays finite.
    return softmax(x, dim=dim).log()  # BUG: log of a softmax that can underflow to 0
