# expect: 28.3 fail "off by one"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The output length of a convolution (or pooling without ceil_mode) along one spatial dim."""
    # A dilated kernel spans dilation*(k-1)+1 pixels; it fits at 0, stride, 2*stride, ... of the padded input.
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride
