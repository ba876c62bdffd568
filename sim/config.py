"""Configuration: the typed schema of a run, the one way from a config to `Params`, and
composing configs from `configs/` and `experiments/`.

The schema is `sim.params.Params` plus the keys of a run (seed, replicates, workers,
timeseries): `RunConfig`. Hydra checks types and unknown keys when it composes; `to_run()`
and `to_params()` check everything again, ranges included, for any config from anywhere, so
every bad value fails with one line naming the key and its allowed range.

A light module: Hydra and OmegaConf are imported only to compose (so workers and
`sim.simulate` never load them).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .params import ConfigError, Params, _merge, p, validate

if TYPE_CHECKING:
    from omegaconf import DictConfig

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "configs"  # config.yaml and the scenario group
EXPERIMENT_DIR = ROOT / "experiments"  # the experiment group (hydra_plugins/aisim_experiments)
SCHEMA = "aisim_schema"


@dataclass
class RunConfig(Params):
    # First seed of the run; replicates use seed, seed+1, ..., seed+replicates-1.
    seed: int = p(0, 0, 2**31 - 1)
    # Runs of this parameter point, each with its own seed.
    replicates: int = p(1, 1, 1_000_000)
    # Processes running replicates (0: one per core).
    workers: int = p(0, 0, 256)
    # Sweeps: keep every run's monthly rows (timeseries.parquet). false: summaries only
    # (results.parquet) - less to send and write; `aisim report` needs the rows.
    timeseries: bool = p(True)


RUN_KEYS = tuple(f.name for f in dataclasses.fields(RunConfig)
                 if f.name not in {g.name for g in dataclasses.fields(Params)})


def to_run(cfg: Any = None) -> RunConfig:
    """The one way from a config to a checked run. `cfg` is None (the 2024 baseline), a
    `Params` or `RunConfig`, or a nested mapping: a dict or an OmegaConf `DictConfig` (as
    Hydra composes it, with or without its `hydra` node, which is ignored), with or without
    the run's keys. Unknown keys, wrong types and values out of range raise ConfigError, one
    line naming the key. Dict-valued fields are taken as given (as plain dicts)."""
    if isinstance(cfg, Params):
        run = (dataclasses.replace(cfg) if isinstance(cfg, RunConfig)
               else RunConfig(**{f.name: getattr(cfg, f.name) for f in dataclasses.fields(Params)}))
        return validate(run)
    data = _plain(cfg if cfg is not None else {})
    if not isinstance(data, Mapping):
        raise ConfigError(f"a config is a mapping of keys to values, not {type(cfg).__name__}")
    return validate(_merge(RunConfig(), {k: v for k, v in data.items() if k != "hydra"}))


def to_params(cfg: Any = None) -> Params:
    """The model's parameters of a config: `to_run(cfg)` without the run's keys. What
    `sim.simulate(cfg)` runs."""
    run = to_run(cfg)
    return Params(**{f.name: getattr(run, f.name) for f in dataclasses.fields(Params)})


def _plain(cfg: Any) -> Any:
    """A config as plain Python: OmegaConf containers (anywhere in it) resolved to dicts and
    lists; a DictConfig's `hydra` node is left out (only a running Hydra app resolves it)."""
    omegaconf = sys.modules.get("omegaconf")  # not loaded: cfg holds no OmegaConf container
    if omegaconf is not None and isinstance(cfg, omegaconf.Container):
        if isinstance(cfg, omegaconf.DictConfig) and "hydra" in cfg:
            cfg = omegaconf.OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
        return omegaconf.OmegaConf.to_container(cfg, resolve=True)
    if isinstance(cfg, Mapping):
        return {k: _plain(v) for k, v in cfg.items()}
    if isinstance(cfg, list | tuple):
        return type(cfg)(_plain(v) for v in cfg)
    return cfg


def options(group: str) -> list[str]:
    """The configs of a group: `scenario` (configs/scenario/) or `experiment` (experiments/)."""
    folder = EXPERIMENT_DIR if group == "experiment" else CONFIG_DIR / group
    return sorted(f.stem for f in folder.glob("*.yaml"))


def register() -> None:
    """Put the schema in Hydra's ConfigStore (configs/config.yaml extends it)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA, node=RunConfig)


def load_config(scenario: str = "baseline", overrides: Iterable[str] = ()) -> DictConfig:
    """The config `aisim scenario=<scenario> <overrides>` would run, for Python code."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"scenario={scenario}", *overrides])
    to_run(cfg)
    return cfg


__all__ = ["CONFIG_DIR", "EXPERIMENT_DIR", "ConfigError", "RunConfig", "load_config",
           "options", "register", "to_params", "to_run"]
