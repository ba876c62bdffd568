"""aisim: an agent-based simulator of competition in the AI industry."""

from .params import ConfigError, Params
from .simulate import Result, simulate

__all__ = ["ConfigError", "Params", "Result", "simulate"]
