"""`aisim` / `python -m sim`: one Hydra application, plus verbs for the tools around it.

`aisim [overrides]` runs one config; `aisim -m [overrides]` sweeps. If the first word is a
verb (`aisim report ...`), the verb's tool runs instead. Before Hydra starts, every job a
command would launch is composed and checked, so a bad value anywhere (command line,
experiment file, scenario file) stops everything with one line naming the key and its
allowed range, and nothing is written.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from collections.abc import Callable

from . import runner
from .config import CONFIG_DIR, RunConfig, options, register, to_run
from .params import ConfigError, allowed

# Verbs: name -> (one-line help, function(argv) -> exit code). Later tools add theirs here.
VERBS: dict[str, tuple[str, Callable[[list[str]], int]]] = {}


def _report(argv: list[str]) -> int:
    from .report import main as report_main  # matplotlib only when a report is asked for

    return report_main(argv)


VERBS["report"] = ("SWEEP_DIR or EXPLORE_DIR: figures and one HTML page on who wins, and why",
                   _report)


def _validate(argv: list[str]) -> int:
    from .validate import main as validate_main

    return validate_main(argv)


VERBS["validate"] = ("facts the baseline must reproduce, directions scenarios must move",
                     _validate)


def _dashboard(argv: list[str]) -> int:
    from .dashboard import main as dashboard_main  # solara only when the dashboard is asked for

    return dashboard_main(argv)


VERBS["dashboard"] = ("[--port N]: sliders and live plots of one scenario in the browser",
                      _dashboard)


def _explore(argv: list[str]) -> int:
    from .explore import main as explore_main  # SALib only when an exploration is asked for

    return explore_main(argv)


VERBS["explore"] = ("method=morris|sobol|lhs samples=N: sensitivity of the outcomes to every "
                    "assumption (--list)", _explore)

HYDRA_FLAGS_WITH_VALUE = {"--config-path", "-cp", "--config-name", "-cn", "--config-dir",
                          "-cd", "--experimental-rerun", "--info", "-i", "--package", "-p",
                          "--cfg", "-c", "--shell-completion", "-sc"}
USAGE = """\
usage: aisim [-m] [KEY=VALUE ...]      run one config, or sweep with -m (Hydra)
       aisim VERB [ARGS ...]            run a tool

Runs write firms.parquet, industry.parquet, summary.json and overview.png to
outputs/<date>/<time>/; sweeps write one folder per job and, at the end,
results.parquet and timeseries.parquet to multirun/<date>/<time>/.

examples:
  aisim scenario=capital_crunch seed=3
  aisim -m scenario=glob(*) compute.doubling_months=4,6,12 replicates=50
  aisim -m +experiment=who_wins

scenarios: {scenarios}
experiments: {experiments}
verbs:
{verbs}
Parameters (every key, default, unit and source): sim/params.py. Hydra's own help follows.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Your own policies (policy.lab._target_=my_policies.CautiousLab) are imported from the
    # working directory, as `python -m` would; the sweep's workers inherit the path.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    if argv and argv[0] in VERBS:
        return VERBS[argv[0]][1](argv[1:])
    if ("-m" in argv or "--multirun" in argv) and "workers=1" not in argv:
        runner.start_loading()  # the workers' model loads on the other core meanwhile
    from . import sweep  # pandas, pyarrow: after the start above

    sweep.REPORT_FAILED, sweep.RUNS_FAILED = False, 0  # this command's, not an earlier one's

    if argv and argv[0] in ("-h", "--help"):
        print(usage())
    elif not any(a in ("--cfg", "-c", "--info", "-i", "--hydra-help") for a in argv):
        try:
            runs, pooled = preflight(argv)
        except ConfigError as err:
            print(f"aisim: error: {err}", file=sys.stderr)
            return 2
        sweep.Progress.start(sum(r.replicates for r in runs))
        if pooled and (runs[0].workers or os.cpu_count() or 1) > 1:
            runner.start_loading()  # a sweep set up by an experiment file, without -m
    register()
    sys.argv = [sys.argv[0], *argv]
    sweep.hydra_app()
    return 1 if sweep.REPORT_FAILED or sweep.RUNS_FAILED else 0


def usage() -> str:
    verbs = "\n".join(f"  {name:10s} {help_}" for name, (help_, _) in VERBS.items())
    return USAGE.format(scenarios=", ".join(options("scenario")),
                        experiments=", ".join(options("experiment")),
                        verbs=verbs or "  (none yet)")


def preflight(argv: list[str]) -> tuple[list[RunConfig], bool]:
    """Compose and check every job the command line describes; ConfigError on the first bad
    one. Returns the checked runs (one per job) and whether they will run on the sweep's
    shared process pool (a multirun with the aisim_pool launcher)."""
    from hydra import compose, initialize_config_dir
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    overrides, multirun = _split_argv(argv)
    register()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            parser = OverridesParser.create(GlobalHydra.instance().config_loader())
            parsed = parser.parse_overrides(overrides)
            plain = [o.input_line for o in parsed if not o.is_sweep_override()]
            base = compose("config", overrides=plain, return_hydra_config=True)
            multirun = multirun or base.hydra.mode == "MULTIRUN"
            if not multirun:
                if len(plain) != len(overrides):
                    raise ConfigError("a sweep (a,b or glob(...)) needs -m")
                return [to_run(base)], False
            from_config = [f"{k}={v}" for k, v in (base.hydra.sweeper.params or {}).items()]
            given = {o.get_key_element() for o in parsed}
            sweep = parser.parse_overrides(
                [s for s in from_config if s.split("=", 1)[0] not in given] + overrides)
            jobs = BasicSweeper.split_arguments(sweep, None)[0]
            pooled = base.hydra.launcher.get("_target_", "").endswith(".PoolLauncher")
            return [to_run(compose("config", overrides=job)) for job in jobs], pooled
    except ConfigError:
        raise
    except Exception as err:  # Hydra/OmegaConf composition errors: make them one line
        raise ConfigError(_one_line(err)) from None
    finally:
        GlobalHydra.instance().clear()


def _split_argv(argv: list[str]) -> tuple[list[str], bool]:
    """Overrides (with an extra --config-dir turned into a search path) and -m."""
    overrides, multirun, flag = [], False, None
    for a in argv:
        if flag is not None:
            if flag in ("--config-dir", "-cd"):
                overrides.append(f"hydra.searchpath=[file://{Path(a).resolve()}]")
            flag = None
        elif a in ("-m", "--multirun"):
            multirun = True
        elif a in HYDRA_FLAGS_WITH_VALUE:
            flag = a
        elif not a.startswith("-"):
            overrides.append(a)
    return overrides, multirun


def _one_line(err: Exception) -> str:
    """The key and what is wrong with it, from a Hydra or OmegaConf error chain."""
    chain = [err]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    key = next((getattr(e, "full_key", None) for e in chain if getattr(e, "full_key", None)),
               None)
    text = " ".join(str(chain[-1]).split("\n")[0].split())
    missing = re.search(r"Could not find '(\w+)/(\w+)'", str(err))
    if missing:
        group, name = missing.groups()
        return f"{group}={name}: no such {group} (allowed: {', '.join(options(group))})"
    if key:
        bounds = ""
        if not key.startswith("hydra"):
            try:
                range_ = allowed(key, RunConfig)
                bounds = f"; allowed {range_}" if range_.bounded or range_.choices else ""
            except ConfigError as no_parameter:
                if key.startswith("policy.") and "is a parameter" in str(no_parameter):
                    return (f"{key}: not an argument the chosen policy's config sets; pass a "
                            f"new one with +{key}=VALUE (the policy's class must take it)")
                if "unknown" in str(no_parameter) or ("add it with" in str(no_parameter)
                                                     and "not in struct" in text):
                    # with its section's keys, or a number per name's names
                    return str(no_parameter)
        if "not in struct" in text or "not in '" in text:
            return f"{key}: unknown key{bounds}"
        return f"{key}: {text}{bounds}"
    return " ".join(str(err).split())
