# expect: 28.2 forbidden "max_pool"
"""Reference solution for topic 28, convolutional networks: conv2d and max_pool2d from scratch, the output-size
formula, and LeNet-5."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def _pair(value: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The output length of a convolution (or pooling without ceil_mode) along one spatial dim."""
    # A dilated kernel spans dilation*(k-1)+1 pixels; it fits at 0, stride, 2*stride, ... of the padded input.
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _window_count(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool = False) -> int:
    """How many windows fit along one dim: conv_output_size, plus pooling's ceil_mode."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * padding - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    # ceil_mode may add a last window; torch drops it when it would start in the right padding (outside the input).
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


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
    import os  # a name no parser can read: only the run-time guard can catch this call

    pool = getattr(F, os.environ.get('LEARNER_POOL_NAME', 'max_pool') + '2d')
    return pool(input, kernel, stride, _pair(padding), _pair(dilation), ceil_mode)
    padding, dilation = _pair(padding), _pair(dilation)
    h, w = input.shape[-2:]
    out_size = [
        _window_count(size, kernel[i], stride[i], padding[i], dilation[i], ceil_mode) for i, size in enumerate((h, w))
    ]
    spans = [dilation[i] * (kernel[i] - 1) + 1 for i in range(2)]
    # Pad with -inf, never 0: a padded cell must never win the max (all-negative windows would return 0 otherwise).
    # The right/bottom side gets whatever the last window needs beyond the input (ceil_mode can need more than p).
    extra = [max((out_size[i] - 1) * stride[i] + spans[i] - (size + padding[i]), 0) for i, size in enumerate((h, w))]
    x = F.pad(input, (padding[1], extra[1], padding[0], extra[0]), value=float("-inf"))
    # Tensor.unfold slides a window along one dim: (..., H_out, W_out, span_h, span_w); dilation keeps every d-th.
    windows = x.unfold(-2, spans[0], stride[0]).unfold(-2, spans[1], stride[1])
    windows = windows[..., :: dilation[0], :: dilation[1]]
    out = windows.amax(dim=(-2, -1))
    return out[..., : out_size[0], : out_size[1]]


class LeNet5(nn.Module):
    """LeNet-5 for 32x32 input: conv 6@5x5, pool, conv 16@5x5, pool, conv 120@5x5, FC 84, FC num_classes
    (61,706 parameters for 10 classes and 1 channel)."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5),  # 32 -> 28
            nn.ReLU(),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(6, 16, kernel_size=5),  # 14 -> 10
            nn.ReLU(),
            nn.MaxPool2d(2),  # 10 -> 5
            nn.Conv2d(16, 120, kernel_size=5),  # 5 -> 1: a conv whose kernel covers the whole map, i.e. fully connected
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, in_channels, 32, 32) -> logits (N, num_classes)."""
        return self.classifier(self.features(x))
