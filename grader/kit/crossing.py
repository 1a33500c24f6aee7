"""What a recipe returns about a learner's value when the value itself may not cross to the grader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch


def plain_value(value: Any) -> Any:
    """A learner's return value reduced to what crosses the process boundary: tensors, strings, numbers and None as
    they are, lists/tuples (as lists) and mappings (with string keys) of those, anything else as '<TypeName>'."""
    if isinstance(value, (torch.Tensor, str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    return f"<{type(value).__name__}>"
