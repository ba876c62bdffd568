"""Hydra configuration: the typed schema of a run, and composing it from `configs/`.

The schema is `sim.params.Params` plus the keys of a run (seed, replicates, workers). Hydra
checks types and unknown keys when it composes; `check()` adds the ranges in each field's
metadata, so every bad value fails with one line naming the key and its allowed range.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from .params import ConfigError, Params, from_dict, p

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
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


def register() -> None:
    """Put the schema in Hydra's ConfigStore (configs/config.yaml extends it)."""
    ConfigStore.instance().store(name=SCHEMA, node=RunConfig)


def check(cfg: DictConfig | dict) -> RunConfig:
    """The run described by a composed config, with every range checked (ConfigError)."""
    if isinstance(cfg, DictConfig):
        cfg = OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]),
                                     resolve=True)
    return from_dict({k: v for k, v in dict(cfg).items() if k != "hydra"}, base=RunConfig())


def params_of(run: RunConfig) -> Params:
    """The model's parameters of a run (without seed, replicates, workers, timeseries)."""
    return Params(**{f.name: getattr(run, f.name) for f in dataclasses.fields(Params)})


def load_config(scenario: str = "baseline", overrides: Iterable[str] = ()) -> DictConfig:
    """The config `aisim scenario=<scenario> <overrides>` would run, for Python code."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"scenario={scenario}", *overrides])
    check(cfg)
    return cfg


__all__ = ["CONFIG_DIR", "ConfigError", "RunConfig", "check", "load_config", "params_of",
           "register"]
