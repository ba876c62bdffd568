"""aisim: an agent-based simulator of competition in the AI industry."""

from .config import to_params
from .params import ConfigError, Params

__all__ = ["ConfigError", "Params", "Result", "load_config", "simulate", "to_params"]


def __getattr__(name: str):
    # Loaded on first use: `aisim -m` starts its workers before importing Hydra, pandas or
    # Mesa, and a sweep's parent never runs the model (Mesa's import alone costs ~1.5 s).
    if name in ("Result", "simulate"):
        from . import simulation

        return getattr(simulation, name)
    if name == "load_config":
        from .config import load_config

        return load_config
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
