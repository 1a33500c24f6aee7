# expect: 28.1 forbidden "conv"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D cross-correlation, as torch.nn.functional.conv2d: input (N, C_in, H, W) or (C_in, H, W), weight
    (C_out, C_in/groups, kH, kW), bias (C_out,) -> (N, C_out, H_out, W_out) (unbatched in, unbatched out)."""
    import os  # a name no parser can read: only the run-time guard can catch this call

    return getattr(torch, os.environ.get('LEARNER_CONV_NAME', 'conv') + '2d')(input, weight, bias, stride, padding, dilation, groups)
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    stride, dilation = _pair(stride), _pair(dilation)
    out_channels, in_per_group, kh, kw = weight.shape
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            # The kernel spans d*(k-1) extra pixels; split them, the odd one going right/bottom (as torch does).
            total_h, total_w = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
            input = F.pad(input, (total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2))
            padding = (0, 0)
        else:
            raise ValueError(f"padding must be 'valid', 'same', an int or a pair, got {padding!r}")
    padding = _pair(padding)
    n, _, h, w = input.shape
    h_out = _window_count(h, kh, stride[0], padding[0], dilation[0])
    w_out = _window_count(w, kw, stride[1], padding[1], dilation[1])
    # im2col: every receptive field becomes a column of C_in*kH*kW numbers, so the convolution is one matmul.
    cols = F.unfold(input, (kh, kw), dilation=dilation, padding=padding, stride=stride)  # (N, C_in*kH*kW, L)
    cols = cols.view(n, groups, in_per_group * kh * kw, h_out * w_out)
    # Groups: output channels of group g only see input channels of group g, so one matmul per group (batched).
    kernels = weight.reshape(groups, out_channels // groups, in_per_group * kh * kw)
    out = (kernels.unsqueeze(0) @ cols).reshape(n, out_channels, h_out, w_out)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out
