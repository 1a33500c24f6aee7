# expect: 40.1 fail "targets start one step early"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 40.1
def sliding_windows(series, input_length, horizon, stride=1):
    """Windows by slicing, one start every `stride` steps."""
    n = (series.shape[0] - input_length - horizon) // stride + 1 if series.shape[0] >= input_length + horizon else 0
    tail = tuple(series.shape[1:])
    xs = [series[i * stride:i * stride + input_length] for i in range(n)]
    end = input_length - 1  # BUG: the last input step, not the first step after it
    ys = [series[i * stride + end:i * stride + end + horizon] for i in range(n)]
    if not xs:
        return series.new_zeros((0, input_length, *tail)), series.new_zeros((0, horizon, *tail))
    return torch.stack(xs), torch.stack(ys)
