"""Decision rules of firms, swappable from the config: each agent type holds a policy
object built from `policy.<type>` (a Hydra-style mapping: `_target_` names the class, the
other keys are its arguments). A policy decides from a read-only `sim.view.MarketView` and
the deciding firm's own state; it never changes the world itself.

    aisim policy/lab=profit                                   # a shipped option
    aisim policy.lab._target_=my_policies.CautiousLab         # your own, from the working dir
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from typing import Any

from ..params import ConfigError, PolicyParams, validate
from .checks import PolicyError, checked
from .hyperscaler import HyperscalerPolicy, MakeOrBuy
from .lab import LabPolicy, ProfitLab, RacingLab, ReturnsLab

BASES = {"lab": LabPolicy, "hyperscaler": HyperscalerPolicy}


def build(key: str, spec: dict[str, Any]) -> Any:
    """The policy a `policy.<key>` mapping names, with its arguments range-checked;
    ConfigError (one line naming the key) if it cannot be built."""
    base, name = BASES[key], f"policy.{key}"
    target = spec.get("_target_")
    if not isinstance(target, str) or "." not in target:
        raise ConfigError(f"{name}._target_={target!r}: expected module.Class (a subclass of "
                          f"{base.__module__}.{base.__name__})")
    module, _, cls_name = target.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), cls_name)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"{name}._target_={target}: cannot import it ({err})") from None
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ConfigError(f"{name}._target_={target}: not a subclass of "
                          f"{base.__module__}.{base.__name__}")
    kwargs = {k: v for k, v in spec.items() if k != "_target_"}
    takes = inspect.signature(cls).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in takes.values()):
        extra = sorted(set(kwargs) - set(takes))
        if extra:
            raise ConfigError(
                f"{name}: {cls.__name__} takes no {', '.join(extra)} (its arguments: "
                f"{', '.join(takes) or 'none'}); left from another option? choose the group "
                f"option first (e.g. {name.replace('.', '/')}=...) or drop it with "
                f"~{name}.{extra[0]}")
    try:
        policy = cls(**kwargs)
    except TypeError as err:
        raise ConfigError(f"{name}: {err}") from None
    return validate(policy, prefix=name + ".") if dataclasses.is_dataclass(policy) else policy


def build_all(params: PolicyParams) -> dict[str, Any]:
    return {key: build(key, getattr(params, key)) for key in BASES}


def name(spec: dict[str, Any]) -> str:
    """A policy's short name for tables: its class name."""
    return str(spec.get("_target_", "")).rpartition(".")[2]


__all__ = ["BASES", "HyperscalerPolicy", "LabPolicy", "MakeOrBuy", "PolicyError", "ProfitLab",
           "RacingLab", "ReturnsLab", "build", "build_all", "checked", "name"]
