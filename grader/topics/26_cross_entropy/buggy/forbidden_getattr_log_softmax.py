# expect: 26.1 forbidden "log_softmax"
# expect: 26.2 forbidden "log_softmax"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along `dim`, computed stably as (x - m) - log(sum(exp(x - m))) with m the max."""
    # Never log(softmax(x)): for large logits softmax underflows to 0 and log(0) = -inf, while the true value is just a
    # large negative number. In log space the result stays finite.
    return getattr(torch, "log" + "_softmax")(x, dim)  # forbidden, reached indirectly
