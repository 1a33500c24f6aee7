"""Helpers shared by the topic checks: hypothesis settings, seeded inputs, exact-message failures and the known-mistake
runs that name a learner's bug. Trusted side only; not a test module (pytest does not collect it)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, Mapping

import torch
from hypothesis import HealthCheck, Phase, settings
from hypothesis.control import current_build_context


def few(max_examples: int) -> settings:
    """Derandomized hypothesis settings with a small example budget; shrinking stays on (the smallest failing input is
    the most readable), hunting for further bugs and the explain phase are off (each costs more calls to the learner's
    code for little to show)."""
    return settings(
        derandomize=True,
        deadline=None,
        max_examples=max_examples,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        report_multiple_bugs=False,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )


def randn(
    shape, seed: int, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu", scale: float = 1.0
) -> torch.Tensor:
    """Seeded standard-normal tensor (times `scale`), drawn in float64 on the CPU: every device sees the same values."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(tuple(shape), generator=gen, dtype=torch.float64) * scale).to(dtype=dtype, device=device)


def require(ok: bool, message: str) -> None:
    """Fail the check with exactly `message` (a plain assert would add pytest's rewritten expression to it)."""
    if not ok:
        raise AssertionError(message)


def final_example() -> bool:
    """False while hypothesis is still searching or shrinking: known mistakes are named for the final input only."""
    try:
        return bool(current_build_context().is_final)
    except Exception:  # not inside a hypothesis test: every call is final
        return True


def run_mistakes(recipe: Callable[..., Any], attr: str, table: Mapping[str, Callable[..., Any]], *args: Any) -> dict:
    """The recipe's result for each known mistake, passed as `attr` of a stand-in module; mistakes that cannot run on
    this input are left out."""
    out = {}
    for name, fn in table.items():
        try:
            out[name] = recipe(SimpleNamespace(**{attr: fn}), *args)
        except Exception:
            continue
    return out


def known(recipe: Callable[..., Any], table: Mapping[str, Callable[..., Any]], name: str, *args: Any) -> dict:
    """run_mistakes on the final example only: {} while hypothesis is still searching or shrinking."""
    if not final_example():
        return {}
    return run_mistakes(recipe, name, table, *args)
