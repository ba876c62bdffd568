"""Checking a policy's answers before the model uses them."""

from __future__ import annotations

import math
import numbers
from typing import Any


class PolicyError(ValueError):
    """A policy answered something the model cannot use (not a number, out of range)."""


def checked(value: Any, policy: Any, method: str, firm: Any, lo: float = 0.0,
            hi: float = math.inf) -> Any:
    """A policy's answer if it is a finite number in [lo, hi]; else PolicyError naming the
    policy, the method, the firm and the value (the agents check every answer they apply)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and lo <= value <= hi \
            and math.isfinite(value):
        return value
    raise PolicyError(f"{type(policy).__name__}.{method} for {firm.name} returned {value!r}: "
                      f"expected a finite number in [{lo}, {hi}]")
