# expect: 28.2 fail "padding with 0 instead of -inf"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def max_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> torch.Tensor:
    """2-D max pooling, as torch.nn.functional.max_pool2d, for (N, C, H, W) or (C, H, W) input."""
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    padding, dilation = _pair(padding), _pair(dilation)
    h, w = input.shape[-2:]
    out_size = [
        _window_count(size, kernel[i], stride[i], padding[i], dilation[i], ceil_mode) for i, size in enumerate((h, w))
    ]
    spans = [dilation[i] * (kernel[i] - 1) + 1 for i in range(2)]
    # Pad with -inf, never 0: a padded cell must never win the max (all-negative windows would return 0 otherwise).
    # The right/bottom side gets whatever the last window needs beyond the input (ceil_mode can need more than p).
    extra = [max((out_size[i] - 1) * stride[i] + spans[i] - (size + padding[i]), 0) for i, size in enumerate((h, w))]
    x = F.pad(input, (padding[1], padding[1], padding[0], padding[0]), value=0.0)
    x = F.pad(x, (0, max(extra[1] - padding[1], 0), 0, max(extra[0] - padding[0], 0)), value=float("-inf"))
    # Tensor.unfold slides a window along one dim: (..., H_out, W_out, span_h, span_w); dilation keeps every d-th.
    windows = x.unfold(-2, spans[0], stride[0]).unfold(-2, spans[1], stride[1])
    windows = windows[..., :: dilation[0], :: dilation[1]]
    out = windows.amax(dim=(-2, -1))
    return out[..., : out_size[0], : out_size[1]]
