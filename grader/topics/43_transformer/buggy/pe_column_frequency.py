# expect: 43.1 fail "each column j gets its own frequency"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch


# ----------------------------------------------------------------------------------------------------------- 43.1
def sinusoidal_positional_encoding(max_len, d_model, dtype=torch.float32, device=None):
    position = torch.arange(max_len, dtype=torch.float64, device=device).unsqueeze(1)
    column = torch.arange(d_model, dtype=torch.float64, device=device)
    angle = position / 10000.0 ** (column / d_model)  # BUG: 10000^(j / d) per column, not 10000^(2i / d) per pair
    pe = torch.where(column.long() % 2 == 0, torch.sin(angle), torch.cos(angle))
    return pe.to(dtype)
