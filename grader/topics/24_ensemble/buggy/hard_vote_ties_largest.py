# expect: 24.2 fail "hard vote ties go to the largest class"
"""Override: appended to the reference solution, replacing the definitions below."""

from typing import Callable
import torch


def hard_vote(preds: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Majority vote over M models' class predictions: (M, N) int64 -> (N,) int64; ties go to the smallest class."""
    votes = torch.nn.functional.one_hot(preds, num_classes).sum(0)  # (N, C) vote counts
    # argmax returns the first maximal index, i.e. the smallest class among the tied ones.
    return num_classes - 1 - votes.flip(1).argmax(1)
