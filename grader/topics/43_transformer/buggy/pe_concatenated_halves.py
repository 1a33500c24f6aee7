# expect: 43.1 fail "[all sines | all cosines] concatenated"
"""Override: appended to the reference solution, replacing the definitions below."""

import math

import torch


# ----------------------------------------------------------------------------------------------------------- 43.1
def sinusoidal_positional_encoding(max_len, d_model, dtype=torch.float32, device=None):
    position = torch.arange(max_len, dtype=torch.float64, device=device).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64, device=device)
                          * (-math.log(10000.0) / d_model))
    angle = position * frequency
    # BUG: the sines then the cosines, instead of interleaving them column by column
    return torch.cat([torch.sin(angle), torch.cos(angle[:, : d_model // 2])], dim=1).to(dtype)
