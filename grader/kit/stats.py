"""Statistical bounds for checks that test random draws (bootstrap uniformity, sampler balance)."""

from __future__ import annotations

import math

# Statistical checks fail a correct implementation with probability at most this much each: rigorous Hoeffding
# bounds with a union bound, not asymptotic approximations.
FALSE_FAILURE_RATE = 1e-7


def hoeffding_halfwidth(samples: int, value_range: float, comparisons: int = 1,
                        rate: float = FALSE_FAILURE_RATE) -> float:
    """A half-width t such that, for `comparisons` means of `samples` independent values each within an interval of
    width `value_range`, P(any mean is t or more away from its expectation) <= rate (Hoeffding's inequality
    P(|mean - mu| >= t) <= 2 exp(-2 samples t^2 / range^2), union-bounded over the comparisons)."""
    return value_range * math.sqrt(math.log(2 * comparisons / rate) / (2 * samples))
