"""The `aisim_pool` Hydra launcher: Hydra's basic launcher, with the runs of all jobs of a
sweep on one process pool (see sim.sweep.Deferred). Hydra finds launchers only in the
`hydra_plugins` namespace package."""

from dataclasses import dataclass

from hydra._internal.core_plugins.basic_launcher import BasicLauncher
from hydra.core.config_store import ConfigStore


class PoolLauncher(BasicLauncher):
    def launch(self, job_overrides, initial_job_idx):
        from sim.sweep import Deferred

        Deferred.active = True
        try:
            returns = super().launch(job_overrides, initial_job_idx)
        finally:
            Deferred.active = False
            Deferred.finish()
        return returns


@dataclass
class PoolLauncherConf:
    _target_: str = "hydra_plugins.aisim_launcher.PoolLauncher"


ConfigStore.instance().store(group="hydra/launcher", name="aisim_pool", node=PoolLauncherConf,
                             provider="aisim")
