"""The `experiment` config group of aisim, read from the top-level `experiments/` folder, so
`aisim -m +experiment=NAME` composes `experiments/NAME.yaml`.

A Hydra search path entry is a root whose folders are groups, and the folder is named
`experiments`, not `experiment`: a small config source serves it as the one group
`experiment`, and a search path plugin puts that source on the search path of the aisim
app (configs/config.yaml as primary config) and of no other Hydra app. Hydra finds plugins
only in the `hydra_plugins` namespace package.
"""

from __future__ import annotations

from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath
from hydra.core.object_type import ObjectType
from hydra.plugins.config_source import ConfigLoadError, ConfigResult, ConfigSource
from hydra.plugins.search_path_plugin import SearchPathPlugin
from omegaconf import OmegaConf

GROUP = "experiment"
SCHEME = "aisim-experiments"


class ExperimentSource(ConfigSource):
    """A folder of YAML files served as the config group `experiment`."""

    @staticmethod
    def scheme() -> str:
        return SCHEME

    def _file(self, config_path: str) -> Path | None:
        group, _, name = config_path.partition("/")
        if group != GROUP or not name or "/" in name:
            return None
        return Path(self.path) / self._normalize_file_name(name)

    def load_config(self, config_path: str) -> ConfigResult:
        file = self._file(config_path)
        if file is None or not file.is_file():
            raise ConfigLoadError(f"Config not found : {self.full_path()}/{config_path}")
        text = file.read_text(encoding="utf-8")
        return ConfigResult(config=OmegaConf.load(file), path=self.full_path(),
                            provider=self.provider, header=self._get_header_dict(text))

    def available(self) -> bool:
        return Path(self.path).is_dir()

    def is_group(self, config_path: str) -> bool:
        return config_path in ("", GROUP)

    def is_config(self, config_path: str) -> bool:
        file = self._file(config_path)
        return file is not None and file.is_file()

    def list(self, config_path: str, results_filter: ObjectType | None) -> list[str]:
        if config_path == "" and results_filter in (None, ObjectType.GROUP):
            return [GROUP]
        if config_path == GROUP and results_filter in (None, ObjectType.CONFIG):
            return sorted(f.stem for f in Path(self.path).glob("*.yaml"))
        return []


class ExperimentSearchPath(SearchPathPlugin):
    """Adds the experiments folder to the search path of the aisim app."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        from sim.config import CONFIG_DIR, EXPERIMENT_DIR

        mains = [e.path for e in search_path.get_path() if e.provider == "main"]
        if any(Path(p.removeprefix("file://")).resolve() == CONFIG_DIR for p in mains if p):
            search_path.append("aisim", f"{SCHEME}://{EXPERIMENT_DIR}")
