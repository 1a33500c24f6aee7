# expect: 43.1 fail "sin and cos swapped"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch


# ----------------------------------------------------------------------------------------------------------- 43.1
def sinusoidal_positional_encoding(max_len, d_model, dtype=torch.float32, device=None):
    position = torch.arange(max_len, dtype=torch.float64, device=device).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64, device=device)
                          * (-math.log(10000.0) / d_model))
    angle = position * frequency
    pe = torch.zeros(max_len, d_model, dtype=torch.float64, device=device)
    pe[:, 0::2] = torch.cos(angle)  # BUG: cos on the even columns
    pe[:, 1::2] = torch.sin(angle[:, : d_model // 2])
    return pe.to(dtype)
