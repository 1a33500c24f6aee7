# expect: 40.1 fail "the last window dropped"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 40.1
def sliding_windows(series, input_length, horizon, stride=1):
    """Windows by slicing, one start every `stride` steps."""
    starts = range(0, series.shape[0] - input_length - horizon, stride)  # BUG: the window ending at T is left out
    tail = tuple(series.shape[1:])
    xs = [series[s:s + input_length] for s in starts]
    ys = [series[s + input_length:s + input_length + horizon] for s in starts]
    if not xs:
        return series.new_zeros((0, input_length, *tail)), series.new_zeros((0, horizon, *tail))
    return torch.stack(xs), torch.stack(ys)
