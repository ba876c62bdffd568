"""aisim: an agent-based simulator of competition in the AI industry."""

from .config import load_config
from .params import ConfigError, Params
from .simulate import Result, simulate

__all__ = ["ConfigError", "Params", "Result", "load_config", "simulate"]
