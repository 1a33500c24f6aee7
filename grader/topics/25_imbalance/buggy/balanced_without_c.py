# expect: 25.1 fail "balanced weights N/n_c without C"
"""Override: appended to the reference solution, replacing the definitions below."""

import torch
from torch.utils.data import WeightedRandomSampler


def class_weights(
    targets: torch.Tensor, num_classes: int, scheme: str = "balanced", beta: float = 0.999
) -> torch.Tensor:
    """Per-class loss weights (num_classes,) float32 from int64 class targets; a class with no sample gets 0.

    'balanced': N / (num_classes * n_c) (sklearn's "balanced"), so every class contributes the same total weight.
    'effective': (1 - beta) / (1 - beta**n_c) (Cui et al. 2019, "effective number of samples"), rescaled so the
    weights of the present classes sum to the number of present classes.
    """
    counts = torch.bincount(targets.reshape(-1).long(), minlength=num_classes)[:num_classes].double()
    present = counts > 0
    safe = counts.clamp(min=1)  # avoid 0-division; absent classes are zeroed below
    if scheme == "balanced":
        w = counts.sum() / safe
    elif scheme == "effective":
        # 1 - beta**n is the "effective number" up to the factor 1 / (1 - beta); more samples => diminishing returns.
        w = (1 - beta) / (1 - beta**safe)
        w = torch.where(present, w, torch.zeros_like(w))
        w = w * present.sum() / w.sum()
    else:
        raise ValueError(f"unknown scheme {scheme!r}; expected 'balanced' or 'effective'")
    return torch.where(present, w, torch.zeros_like(w)).to(torch.get_default_dtype())
