# expect: 40.1 fail "windows left channels first"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 40.1
def sliding_windows(series, input_length, horizon, stride=1):
    """Windows with Tensor.unfold, split at input_length."""
    size = input_length + horizon
    if series.shape[0] < size:
        tail = tuple(series.shape[1:])
        return series.new_zeros((0, input_length, *tail)), series.new_zeros((0, horizon, *tail))
    w = series.unfold(0, size, stride)  # BUG: (N, C, size) for a (T, C) series; time must come back before C
    return w[..., :input_length], w[..., input_length:]
