"""`aisim explore`: global sensitivity analysis over the declared uncertainties
(sim/uncertainties.py) with SALib - Morris screening, Sobol indices, or a Latin hypercube.

    aisim explore method=morris|sobol|lhs samples=N [only=KEY,...] [outcomes=NAME,...]
                  [workers=N] [dir=PATH] [seed=N] [seeds=common|independent]
                  [levels=4] [second_order=true]
                  [KEY=VALUE ...]   (fixed parameters, e.g. horizon_months=24)
                  [launcher=submitit_slurm|submitit_local [jobs=N] [partition=NAME]
                   [timeout_min=N] [mem_gb=X]]   (the runs as submitit jobs; workers= per job)
    aisim explore --list            (the uncertainties: key, default, range, scale, reason)

The design is drawn on the unit cube from `seed` (SALib): Morris with `samples` trajectories
(samples x (D+1) runs), Saltelli/Sobol with N = `samples` (N x (2D+2) runs, N x (D+2) with
second_order=false), or a Latin hypercube of `samples` runs. Each row becomes a Params (a
uniform mapped to each range, categorical keys to one of their choices; sim.config.to_params)
and runs on sim.runner's pool: with seeds=common (the default for Morris and Sobol) the
runs of trajectory or Saltelli block k share seed `seed + k` (common random numbers: a
parameter that does nothing moves no outcome); with seeds=independent (a Latin hypercube's
only choice) run i has seed `seed + i`. The folder (default
explorations/<date>/<time with microseconds>/) gets:

- explore.json, design.parquet: the design, written first;
- runs/NNNNNN.parquet: finished runs, written in chunks as they come (resume reads them);
- results.parquet: a row per run - run, seed, every sampled value (a policy by its option's
  name), the outcomes, the leader's name, kind and owner at the horizon, the sustained
  leader and its group, error (empty unless the run raised);
- sensitivity.csv: parameter, outcome, index, value, ci_low, ci_high - Morris mu_star (with
  its bootstrap interval from mu_star_conf), mu and sigma; Sobol S1 and ST (and S2 for pairs
  "a:b") with bootstrap intervals; for a Latin hypercube RBD-FAST's first-order S1_rbd;
- summary.md: the parameters that matter most for each outcome;
- done.json last (runs, failures, the command and the seconds this call took);
- then, from `aisim explore` (or `aisim report DIR` again), report/report.html: "what decides
  the winner" (sim/report/explore_page.py). Running the same command with dir=PATH again skips finished runs (runs
  that failed are tried again) and writes the same files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from . import uncertainties as unc
from .roster import HYPERSCALERS as HYPERSCALER_SPECS
from .config import to_params
from .params import ConfigError, Params

METHODS = ("morris", "sobol", "lhs")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64, "lhs": 200}
ROOT = Path("explorations")  # default output folder (not a source folder; in .gitignore)
CHUNK, FLUSH_SECONDS = 50, 30.0  # runs per chunk file; at least this often while runs finish
# Bootstrap resamples for the confidence intervals (RBD-FAST resamples one FFT per draw, per
# parameter and outcome: 1,000 of them over every uncertainty take half a minute an outcome).
RESAMPLES = {"morris": 1000, "sobol": 1000, "lhs": 100}
CONF = 0.95
TOP = 5  # parameters per outcome in summary.md

# The hyperscalers' names: the ownership groups that count as "hyperscaler-owned".
HYPERSCALERS = tuple(h.name for h in HYPERSCALER_SPECS)


# ---- outcomes: numbers computed from each run's summary (add new ones here) ----------------

def _leader_kind(s: dict) -> str:
    return s.get("leader_kind_2034") or s.get("leader_kind", "")


def _hyperscaler_owned(s: dict) -> float:
    """The leader at the horizon belongs to a hyperscaler's ownership group (an in-house lab,
    or a partner lab consolidated with its investor): `hyperscaler_owned_leads` as
    sim/report/load.py defines it."""
    return float(s.get("leader_owner") in HYPERSCALERS)


OUTCOMES: dict[str, tuple[str, Callable[[dict], float]]] = {
    "frontier_capability": ("capability of the best model at the horizon (capability steps)",
                            lambda s: s["frontier_capability_final"]),
    "hhi_revenue": ("revenue HHI at the horizon (0-10,000)", lambda s: s["hhi_revenue_final"]),
    "hhi_ownership": ("ownership HHI at the horizon (0-10,000)",
                      lambda s: s["hhi_ownership_final"]),
    "cloud_share_of_ai_spend": ("clouds' share of AI value added at the horizon",
                                lambda s: s["cloud_share_of_ai_spend_final"]),
    "cloud_profit_cum_usd": ("hyperscalers' cumulative profit over the run (USD)",
                             lambda s: s["cloud_profit_cum_usd"]),
    "lab_profit_cum_usd": ("labs' cumulative profit over the run (USD)",
                           lambda s: s["lab_profit_cum_usd"]),
    "lab_exits": ("labs gone by the horizon (closed, acqui-hired or bought)",
                  lambda s: s["lab_exits"]),
    "hyperscaler_owned_leads": ("1 if a hyperscaler-owned model leads at the horizon: an "
                                "in-house lab or a lab in a hyperscaler's bloc",
                                _hyperscaler_owned),
    # Value captured to the horizon, accounted in full (sim/value.py, docs/model.md 3.5):
    # profit, in-house labs' results and equity marked at the labs' values.
    "value_clouds_usd": ("value captured by the clouds (hyperscalers, their in-house labs and "
                         "stakes) to the horizon (USD)", lambda s: s["value_clouds_usd"]),
    "value_labs_usd": ("value captured by the labs' own shareholders (founders, staff; Meta "
                       "for its lab) to the horizon (USD)", lambda s: s["value_labs_usd"]),
    "value_investors_usd": ("value captured by the investors to the horizon (USD)",
                            lambda s: s["value_investors_usd"]),
    "value_chip_vendors_usd": ("value captured by the chip vendor to the horizon: its gross "
                               "profit, and its stakes if it invests (USD)",
                               lambda s: s["value_chip_vendors_usd"]),
    "value_labs_share": ("labs' own shareholders' share of all value captured to the horizon "
                         "(NaN when the total is not positive)",
                         lambda s: (s["value_labs_usd"] / s["value_total_usd"]
                                    if s["value_total_usd"] > 0 else math.nan)),
    "labs_capture_more": ("1 if the labs' own shareholders capture more value than the clouds "
                          "to the horizon", lambda s: float(s["value_labs_usd"]
                                                           > s["value_clouds_usd"])),
    "independent_lab_leads": ("1 if an independent lab leads in 2034 (at the horizon if earlier)",
                              lambda s: float(_leader_kind(s) == "independent_lab")),
    "entrants": ("labs founded during the run", lambda s: s.get("entrants", 0)),
}
# Who holds the lead over the last three years (the summary's sustained leader, robust to a
# one-month snapshot), by its group (sim.simulation.group_of): one indicator per group.
SUSTAINED = {"independent": "an independent lab of the 2024 roster",
             "inhouse": "a hyperscaler's own lab (in-house or acquired)",
             "open_weights": "an open-weights lab", "founded_in_run": "a lab founded in the run"}
for _group, _what in SUSTAINED.items():
    OUTCOMES[f"sustained_{_group}_leads"] = (
        f"1 if the sustained leader (the lab holding the frontier over the last three years) "
        f"is {_what}", lambda s, g=_group: float(s["sustained_leader_group"] == g))
OUTCOMES["lead_contested"] = ("1 if no lab holds the frontier over the last three years (no "
                              "sustained leader)",
                              lambda s: float(s["sustained_leader_group"] == ""))
TEXT = {"leader": "winner_capability", "leader_kind": "leader_kind",
        "leader_owner": "leader_owner", "sustained_leader": "sustained_leader",
        "sustained_leader_group": "sustained_leader_group",
        "winner_value": "winner_value",
        "winner_value_group": "winner_value_group"}  # results columns from the summary


def outcome_values(summary: dict | None) -> dict[str, float]:
    out = {}
    for name, (_, fn) in OUTCOMES.items():
        try:
            out[name] = float(fn(summary)) if summary else math.nan
        except (KeyError, TypeError, ValueError):
            out[name] = math.nan
    return out


# ---- the command line ------------------------------------------------------------------------

class ExploreError(ValueError):
    """A bad key or value on the command line, or a folder holding another design."""


@dataclass
class Spec:
    method: str = "morris"
    samples: int = 10
    keys: list[str] = field(default_factory=list)  # sampled, in declaration order
    outcomes: list[str] = field(default_factory=lambda: list(OUTCOMES))
    overrides: dict[str, Any] = field(default_factory=dict)  # fixed keys, flat
    seed: int = 0
    # "common": the runs of one Morris trajectory or Saltelli block share a seed (common
    # random numbers), so a parameter that does nothing moves no outcome; "independent":
    # every run its own seed, the run noise inside every index. A Latin hypercube's runs
    # always have their own seeds.
    seeds: str = "common"
    levels: int = 4
    second_order: bool = True
    workers: int = 0
    dir: Path | None = None
    command: str = ""  # as typed, for the report's provenance (not part of the design)
    # launcher=submitit_slurm|submitit_local: the runs as submitit jobs (sim.explore_cluster);
    # how the runs are made, not which: not part of the design, so either resumes the other.
    launcher: str = ""
    cluster: dict[str, Any] = field(default_factory=dict)  # jobs, partition, timeout_min, mem_gb

    def design(self) -> dict:
        """What decides the runs (a folder's identity when resuming)."""
        d = {"method": self.method, "samples": self.samples, "seed": self.seed,
             "seeds": self.seeds, "keys": self.keys, "overrides": self.overrides}
        if self.method == "morris":
            d["levels"] = self.levels
        if self.method == "sobol":
            d["second_order"] = self.second_order
        return d


OPTIONS = ("method", "samples", "only", "outcomes", "workers", "dir", "seed", "seeds", "levels",
           "second_order", "launcher", "jobs", "partition", "timeout_min", "mem_gb")


def parse(argv: list[str]) -> Spec:
    """A Spec from KEY=VALUE words; ExploreError (one line naming the key) on bad input."""
    given: dict[str, str] = {}
    overrides: dict[str, Any] = {}
    top = {f.name for f in dataclasses.fields(Params)}
    for word in argv:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise ExploreError(f"{word}: expected KEY=VALUE (keys: {', '.join(OPTIONS)}, or a "
                               "parameter such as horizon_months=24)")
        if key in OPTIONS:
            given[key] = value
        elif "." in key or key in top:
            overrides[key] = _value(value)
        else:
            raise ExploreError(f"{key}: unknown key (allowed: {', '.join(OPTIONS)}, or a "
                               "parameter such as demand.n_customers=500)")
    spec = Spec()
    spec.method = given.get("method", "morris")
    if spec.method not in METHODS:
        raise ExploreError(f"method={spec.method}: unknown method (allowed: {', '.join(METHODS)})")
    spec.samples = _int(given, "samples", DEFAULT_SAMPLES[spec.method])
    _check_samples(spec.method, spec.samples)
    spec.seed = _int(given, "seed", 0)
    spec.seeds = given.get("seeds", "common" if spec.method != "lhs" else "independent")
    if spec.seeds not in ("common", "independent") or (spec.method == "lhs"
                                                       and spec.seeds != "independent"):
        allowed = "independent" if spec.method == "lhs" else "common, independent"
        raise ExploreError(f"seeds={spec.seeds}: allowed {allowed} (method={spec.method})")
    spec.workers = _int(given, "workers", 0)
    if spec.workers < 0:
        raise ExploreError(f"workers={spec.workers}: allowed 0 (one per core) or more")
    spec.levels = _int(given, "levels", 4)
    if spec.levels < 2 or spec.levels % 2:
        raise ExploreError(f"levels={spec.levels}: Morris levels must be even and at least 2")
    so = given.get("second_order", "true").lower()
    if so not in ("true", "false"):
        raise ExploreError(f"second_order={so}: allowed true or false")
    spec.second_order = so == "true"
    if "dir" in given:
        spec.dir = Path(given["dir"])
    if "outcomes" in given:
        names = [o for o in given["outcomes"].split(",") if o]
        bad = [o for o in names if o not in OUTCOMES]
        if bad or not names:
            raise ExploreError(f"outcomes={bad[0] if bad else ''}: unknown outcome (allowed: "
                               f"{', '.join(OUTCOMES)})")
        spec.outcomes = names
    from .explore_cluster import parse_launcher

    spec.launcher, spec.cluster = parse_launcher(given)
    spec.overrides = overrides
    _check_overrides(overrides)
    spec.keys = select(given.get("only"), overrides)
    return spec


def _value(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:
            return float(value)  # 1e10 is a string to YAML 1.1
        except ValueError:
            return value
    return value


def _int(given: dict, key: str, default: int) -> int:
    if key not in given:
        return default
    try:
        return int(given[key])
    except ValueError:
        raise ExploreError(f"{key}={given[key]}: expected a whole number") from None


def _check_samples(method: str, n: int) -> None:
    if method == "morris" and n < 2:
        raise ExploreError(f"samples={n}: Morris needs at least 2 trajectories")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise ExploreError(f"samples={n}: Sobol needs a power of 2 (e.g. 64, 128, 256)")
    if method == "lhs" and n < 10:
        raise ExploreError(f"samples={n}: a Latin hypercube needs at least 10 runs")


def _check_overrides(overrides: dict[str, Any]) -> None:
    make_params(overrides)  # ConfigError names a bad key or value


def select(only: str | None, overrides: dict[str, Any]) -> list[str]:
    """The sampled keys: every declared one, or those `only` names - a declared key itself,
    else every key under a prefix (a per-name parameter's entries, a section such as
    `finance`, or `policy` for the policies and their fields). Keys fixed by an override are
    left out, and so are a policy's fields where no run would use them (an error if `only`
    names such a field itself)."""
    declared = list(unc.declared())
    if only is None:
        keys, named = declared, set()
    else:
        keys, named = set(), set()
        for item in [x for x in only.split(",") if x]:
            hit = [item] if item in declared else \
                [k for k in declared if k.startswith(item + ".")]
            if not hit:
                raise ExploreError(f"only={item}: not a declared uncertainty (allowed: a key "
                                   "of `aisim explore --list`, a per-name parameter, a policy "
                                   "or a section such as finance)")
            if all(_fixed(k, overrides) for k in hit):
                raise ExploreError(f"only={item}: also set to a value on the command line")
            keys.update(hit)
            named.add(item)
        keys = [k for k in declared if k in keys]
    keys = [k for k in keys if not _fixed(k, overrides)]
    for key in [*keys, *overrides]:
        group = _unused_policy_field(key, keys, overrides)
        if group is not None and (key in named or key in overrides):
            options = [o for o in unc.policy_options(group) if unc.in_effect(key, o)]
            raise ExploreError(f"{key}: used only with {group}={' or '.join(options)} (add "
                               f"{group} to only=, or set {group}={options[0]})")
    keys = [k for k in keys if _unused_policy_field(k, keys, overrides) is None]
    if not keys:
        raise ExploreError("only=: names no uncertainty")
    return keys


def _fixed(key: str, overrides: dict[str, Any]) -> bool:
    """Set on the command line: the key, or the whole per-name parameter it is an entry of."""
    t = unc.target(key)
    return key in overrides or (t.kind == "element" and t.path in overrides)


def _unused_policy_field(key: str, keys: list[str], overrides: dict[str, Any]) -> str | None:
    """The policy group of a policy's field that no run would use (its group neither sampled
    nor set to a policy that has it), else None."""
    t = unc.target(key)
    if t.kind != "policy_param" or t.path in keys:
        return None
    policy = overrides.get(t.path, unc.default_value(t.path))
    return None if unc.in_effect(key, policy) else t.path


def make_params(values: dict[str, Any]) -> Params:
    """Params from {key: value} (any keys of sim/uncertainties.py, fixed and sampled alike),
    through `sim.config.to_params`, the one way from a config to Params."""
    return to_params(unc.to_config(values))


# ---- the design ------------------------------------------------------------------------------

def problem(keys: list[str]) -> dict:
    """SALib's problem: every key on the unit interval (ranges and scales applied after)."""
    return {"num_vars": len(keys), "names": list(keys), "bounds": [[0.0, 1.0]] * len(keys)}


def block_size(spec: Spec) -> int:
    """Runs that share a seed: a Morris trajectory (D + 1 runs) or a Saltelli block
    (2D + 2, or D + 2 without second order) with seeds=common; else one."""
    d = len(spec.keys)
    if spec.seeds != "common" or spec.method == "lhs":
        return 1
    if spec.method == "morris":
        return d + 1
    return 2 * d + 2 if spec.second_order else d + 2


def draw(spec: Spec) -> np.ndarray:
    """The design on the unit cube: one row per run, one column per key."""
    from SALib.sample import latin
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    prob = problem(spec.keys)
    if spec.method == "morris":
        return morris_sample.sample(prob, spec.samples, num_levels=spec.levels, seed=spec.seed)
    if spec.method == "sobol":
        return sobol_sample.sample(prob, spec.samples, calc_second_order=spec.second_order,
                                   seed=spec.seed)
    return latin.sample(prob, spec.samples, seed=spec.seed)


def values(keys: list[str], design: np.ndarray) -> pd.DataFrame:
    """The parameter values of each row (a column per key, in the parameter's own type)."""
    declared = unc.declared()
    return pd.DataFrame({k: unc.unit_values(declared[k], design[:, j])
                         for j, k in enumerate(keys)})


def params_of(row: dict[str, Any], overrides: dict[str, Any]) -> Params:
    return make_params({**overrides, **row})


# ---- running -------------------------------------------------------------------------------

def execute(tasks: list[tuple[int, Params, int]], workers: int = 0,
            progress: Any = None) -> Iterator[tuple[int, Any]]:
    """Run every (row, params, seed) on sim.runner (summaries only; a run that raises is
    recorded with its error) and yield (row, Outcome) in task order. The one place this
    module runs the model."""
    from . import runner

    outcomes = runner.run([(params, seed) for _, params, seed in tasks], workers,
                          keep_record=False,
                          progress=progress.update if progress is not None else None)
    try:
        for (i, _, _), outcome in zip(tasks, outcomes):
            yield i, outcome
    finally:
        runner.cancel_pending()  # stopped early (Ctrl-C): the pool drops what has not started


Runner = Callable[[list[tuple[int, Params, int]], int, Any], Iterable[tuple[int, Any]]]


def explore(spec: Spec, out: Path, runner: Runner = execute, progress: Any = None,
            echo: Callable[[str], None] = print) -> pd.DataFrame:
    """Draw (or reload) the design in `out`, run what is not finished, write results.parquet,
    sensitivity.csv and summary.md, then done.json. Returns the sensitivity table."""
    started = time.monotonic()
    design = prepare(spec, out)
    n = len(design)
    finished = finished_runs(out)
    pending = [i for i in range(n) if i not in finished]
    unit = design[spec.keys].to_numpy(float)
    table = values(spec.keys, unit)
    workers = min(spec.workers or os.cpu_count() or 1, max(len(pending), 1))
    where = f"on {workers} worker{'s' if workers > 1 else ''}" if not spec.launcher \
        else f"as {spec.launcher} jobs"
    echo(f"explore: {spec.method} over {len(spec.keys)} uncertainties, {n} runs"
         + (f" ({n - len(pending)} done)" if len(pending) < n else "")
         + (f" {where}" if pending else "")
         + f" -> {out}" + (f"\n(stopped? the same command with dir={out} resumes)"
                           if pending else ""))
    if pending:
        tasks, failed = [], []
        rows = table.to_dict("records")  # Python scalars, as to_params expects
        for i in pending:
            seed = int(design.seed.iloc[i])
            try:
                tasks.append((i, params_of(rows[i], spec.overrides), seed))
            except ConfigError as err:  # an inconsistent combination: recorded, not fatal
                failed.append((i, _failed(seed, f"ConfigError: {err}")))
        if progress is not None:
            progress.start(len(pending))
        try:
            if spec.launcher:
                from .explore_cluster import run_jobs

                _write_runs(out, failed)
                run_jobs(spec, out, tasks, progress, echo)
            else:
                _write_runs(out, itertools.chain(failed, runner(tasks, spec.workers, progress)))
        finally:
            if progress is not None:
                progress.close()
    results = merge(out, spec, design, table)
    sens = analyze(spec, unit, results)
    sens.to_csv(out / "sensitivity.csv", index=False)
    seconds = time.monotonic() - started
    (out / "summary.md").write_text(summary(spec, results, sens, seconds))
    (out / "done.json").write_text(json.dumps({
        "runs": n, "failed": int(results.error.notna().sum()), "ran": len(pending),
        "seconds": round(seconds, 1), "command": spec.command,
        "launcher": spec.launcher or "local process pool"}, indent=2) + "\n")
    return sens


def _failed(seed: int, error: str) -> Any:
    from .runner import Outcome

    return Outcome(seed, error=error)


def prepare(spec: Spec, out: Path) -> pd.DataFrame:
    """Write explore.json and design.parquet (unit coordinates and seeds), or check that the
    folder holds this design and read it back."""
    meta = out / "explore.json"
    if meta.exists():
        old = json.loads(meta.read_text())
        if old.get("design") != json.loads(json.dumps(spec.design())):
            raise ExploreError(f"dir={out}: holds another design ({_describe(old['design'])}); "
                               "use another dir, or the same method, samples, seed, only and "
                               "fixed keys to resume")
        return pd.read_parquet(out / "design.parquet")
    out.mkdir(parents=True, exist_ok=True)
    unit = draw(spec)
    design = pd.DataFrame(unit, columns=spec.keys)
    design.insert(0, "seed", spec.seed + np.arange(len(design)) // block_size(spec))
    design.insert(0, "run", np.arange(len(design)))
    design.to_parquet(out / "design.parquet", index=False)
    from importlib.metadata import version

    meta.write_text(json.dumps({"design": spec.design(), "runs": len(design),
                                "salib": version("SALib")}, indent=2) + "\n")
    return design


def _describe(design: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in design.items() if k not in ("keys", "overrides")) \
        + f", {len(design.get('keys', []))} keys"


def finished_runs(out: Path) -> set[int]:
    runs = _read_runs(out)
    return set() if runs.empty else set(runs.run[runs.error.isna()])


def _read_runs(out: Path) -> pd.DataFrame:
    files = sorted((out / "runs").glob("*.parquet"))
    if not files:
        return pd.DataFrame({"run": pd.Series([], dtype="int64"),
                             "error": pd.Series([], dtype=object),
                             "summary": pd.Series([], dtype=object)})
    runs = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return runs.drop_duplicates("run", keep="last")  # a retried run's later row wins


def _write_runs(out: Path, outcomes: Iterable[tuple[int, Any]], job: int | None = None) -> None:
    """Chunk files of finished runs (run, error, summary as JSON), each written whole (a
    temporary name, then renamed), so a killed explore loses at most one chunk. Files are
    numbered after the highest there (a later file's row of a run wins); a cluster job
    (sim.explore_cluster) is given its number and writes NNNNNN-PPPP.parquet, so that jobs
    running at once never pick the same name."""
    folder = out / "runs"
    folder.mkdir(exist_ok=True)
    names = (f"{job:06d}-{part:04d}" for part in itertools.count()) if job is not None \
        else (f"{number:06d}" for number in itertools.count(next_number(folder)))
    rows: list[dict] = []
    last = time.monotonic()

    def flush() -> None:
        nonlocal last
        if rows:
            name = next(names)
            tmp = folder / f".{name}.part"
            frame = pd.DataFrame(rows, columns=["run", "error", "summary"])
            frame["run"] = frame["run"].astype("int64")
            frame.to_parquet(tmp, index=False)
            tmp.replace(folder / f"{name}.parquet")
            rows.clear()
        last = time.monotonic()

    try:
        for i, outcome in outcomes:
            rows.append({"run": int(i), "error": outcome.error,
                         "summary": None if outcome.summary is None
                         else json.dumps(outcome.summary, default=_jsonable)})
            if len(rows) >= CHUNK or time.monotonic() - last > FLUSH_SECONDS:
                flush()
    finally:
        flush()  # also on Ctrl-C: what finished is kept


def next_number(folder: Path) -> int:
    """One more than the highest chunk number in runs/ (NNNNNN or NNNNNN-PPPP)."""
    numbers = [int(f.stem.partition("-")[0]) for f in folder.glob("*.parquet")
               if f.stem.partition("-")[0].isdigit()]
    return max(numbers, default=-1) + 1


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    return str(x)


def merge(out: Path, spec: Spec, design: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """results.parquet: run, seed, the sampled values, the outcomes, the leader, error."""
    runs = _read_runs(out).set_index("run")
    results = pd.DataFrame({"run": design.run.astype("int64"),
                            "seed": design.seed.astype("int64")})
    results = pd.concat([results, table], axis=1)
    summaries = [json.loads(s) if isinstance(s, str) else None
                 for s in runs.summary.reindex(results.run)]
    outcomes = pd.DataFrame([outcome_values(s) for s in summaries], columns=list(OUTCOMES))
    results = pd.concat([results, outcomes.astype("float64")], axis=1)
    for col, key in TEXT.items():
        results[col] = pd.Series([s.get(key) if s else None for s in summaries], dtype=object)
    errors = np.array(runs.error.reindex(results.run), dtype=object)
    missing = ~results.run.isin(runs.index).to_numpy()
    errors[missing] = "not run"
    results["error"] = pd.Series([e if isinstance(e, str) else None for e in errors],
                                 dtype=object)
    results.to_parquet(out / "results.parquet", index=False)
    return results


# ---- the analysis --------------------------------------------------------------------------

def analyze(spec: Spec, unit: np.ndarray, results: pd.DataFrame) -> pd.DataFrame:
    """sensitivity.csv's rows (parameter, outcome, index, value, ci_low, ci_high) for every
    chosen outcome; intervals are value -/+ SALib's bootstrap half-width (95 %)."""
    rows: list[dict] = []
    for name in spec.outcomes:
        y = results[name].to_numpy(float)
        rows += analyze_outcome(spec.method, spec.keys, unit, y, name, levels=spec.levels,
                                second_order=spec.second_order, seed=spec.seed)
    return pd.DataFrame(rows, columns=["parameter", "outcome", "index", "value", "ci_low",
                                       "ci_high"])


def analyze_outcome(method: str, keys: list[str], unit: np.ndarray, y: np.ndarray,
                    outcome: str, *, levels: int = 4, second_order: bool = True,
                    seed: int = 0) -> list[dict]:
    """One outcome's indices. Runs that failed (NaN) drop out with their whole Morris
    trajectory or Saltelli block; an outcome that is constant gets no rows."""
    from SALib.analyze import morris, rbd_fast, sobol

    d = len(keys)
    prob = problem(keys)

    def row(param: str, index: str, value: float, conf: float | None = None) -> dict:
        value = float(value)
        lo = hi = math.nan
        if conf is not None and math.isfinite(float(conf)):
            lo, hi = value - float(conf), value + float(conf)
        return {"parameter": param, "outcome": outcome, "index": index, "value": value,
                "ci_low": lo, "ci_high": hi}

    if method == "morris":
        keep = _complete_blocks(y, d + 1)
        if not keep.any():
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = morris.analyze(prob, unit[keep], y[keep], num_resamples=RESAMPLES[method],
                                conf_level=CONF, num_levels=levels, seed=seed)
        out = []
        for j, k in enumerate(keys):
            star = row(k, "mu_star", si["mu_star"][j], si["mu_star_conf"][j])
            # SALib's interval is symmetric; a mean absolute effect cannot be below zero.
            star["ci_low"] = max(star["ci_low"], 0.0) if math.isfinite(star["ci_low"]) \
                else star["ci_low"]
            out += [star, row(k, "mu", si["mu"][j]), row(k, "sigma", si["sigma"][j])]
        return out
    if method == "sobol":
        keep = _complete_blocks(y, (2 * d + 2) if second_order else (d + 2))
        if not keep.any() or np.nanvar(y[keep]) == 0:
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = sobol.analyze(prob, y[keep], calc_second_order=second_order,
                               num_resamples=RESAMPLES[method], conf_level=CONF, seed=seed)
        out = []
        for j, k in enumerate(keys):
            out += [row(k, "S1", si["S1"][j], si["S1_conf"][j]),
                    row(k, "ST", si["ST"][j], si["ST_conf"][j])]
        if second_order:
            for a in range(d):
                for b in range(a + 1, d):
                    out.append(row(f"{keys[a]}:{keys[b]}", "S2", si["S2"][a, b],
                                   si["S2_conf"][a, b]))
        return out
    keep = np.isfinite(y)
    if keep.sum() < 10 or np.var(y[keep]) == 0:
        return []
    m = max(1, min(10, (int(keep.sum()) // 2 - 1) // 2))  # harmonics; the bootstrap uses half
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = rbd_fast.analyze(prob, unit[keep], y[keep], M=m, num_resamples=RESAMPLES[method],
                              conf_level=CONF, seed=seed)
    return [row(k, "S1_rbd", si["S1"][j], si["S1_conf"][j]) for j, k in enumerate(keys)]


def _complete_blocks(y: np.ndarray, size: int) -> np.ndarray:
    """Rows of the blocks (trajectories, Saltelli blocks) whose every run has a value."""
    ok = np.isfinite(y).reshape(-1, size).all(axis=1)
    return np.repeat(ok, size)


RANK_BY = {"morris": "mu_star", "sobol": "ST", "lhs": "S1_rbd"}
SHOW = {"morris": ("mu_star", "sigma"), "sobol": ("ST", "S1"), "lhs": ("S1_rbd",)}
WHAT = {"morris": "Morris elementary effects over each range (mu_star: mean absolute effect "
                  "of moving a parameter across its range, in the outcome's units; sigma: "
                  "spread, from interactions, non-linearity and run noise)",
        "sobol": "Sobol indices (ST: share of the outcome's variance a parameter is involved "
                 "in, interactions included; S1: its share alone)",
        "lhs": "RBD-FAST first-order indices from the Latin hypercube (S1_rbd: share of the "
               "outcome's variance a parameter explains alone)"}


def top(sens: pd.DataFrame, method: str, outcome: str, n: int = TOP) -> pd.DataFrame:
    """The n parameters that matter most for an outcome, with their indices and intervals."""
    s = sens[(sens.outcome == outcome) & ~sens.parameter.str.contains(":", regex=False)]
    rank = s[s["index"] == RANK_BY[method]].sort_values("value", ascending=False,
                                                        kind="stable")
    return rank.head(n)


def best_mean_rank(sens: pd.DataFrame, n: int) -> list[str]:
    """The n parameters with the best Morris mu_star rank, averaged over the outcomes."""
    mu = sens[sens["index"] == "mu_star"]
    rank = mu.groupby("outcome").value.rank(ascending=False)
    return list(rank.groupby(mu.parameter).mean().sort_values(kind="stable").index[:n])


def summary(spec: Spec, results: pd.DataFrame, sens: pd.DataFrame, seconds: float) -> str:
    failed = int(results.error.notna().sum())
    lines = [f"# aisim explore: {spec.method}, {len(spec.keys)} uncertainties",
             "",
             f"{len(results)} runs ({failed} failed), samples={spec.samples}, seed={spec.seed}"
             + (f", fixed: {', '.join(f'{k}={v}' for k, v in spec.overrides.items())}"
                if spec.overrides else "") + f"; this call took {seconds:.0f} s.",
             "",
             WHAT[spec.method] + f". Intervals: {CONF:.0%} bootstrap "
             f"({RESAMPLES[spec.method]} resamples). "
             + ("The runs of a trajectory or block share a seed (seeds=common): a parameter "
                "that does nothing moves no outcome, and the run noise (training."
                "outcome_sigma) enters between trajectories or blocks."
                if block_size(spec) > 1 else "Each run has its own seed, so run-to-run noise "
                "(training.outcome_sigma) is part of every index."), ""]
    cell = {(r.outcome, r.parameter, r.index): (r.value, r.ci_low, r.ci_high)
            for r in sens.itertuples(index=False)}
    for name in spec.outcomes:
        lines += [f"## {name}", "", OUTCOMES[name][0] + ".", ""]
        y = results[name].dropna()
        if y.empty:
            lines += ["No run gave a value.", ""]
            continue
        lines += [f"Over the runs: mean {_num(y.mean())}, 5-95 % {_num(y.quantile(0.05))} to "
                  f"{_num(y.quantile(0.95))}.", ""]
        best = top(sens, spec.method, name)
        if best.empty:
            lines += ["Constant over the runs: no index.", ""]
            continue
        cols = SHOW[spec.method]
        lines += ["| rank | parameter | " + " | ".join(cols) + " |",
                  "|---|---|" + "---|" * len(cols)]
        for rank, param in enumerate(best.parameter, 1):
            cells = []
            for c in cols:
                value, lo, hi = cell[(name, param, c)]
                cells.append(_num(value) + (f" [{_num(lo)}, {_num(hi)}]"
                                            if pd.notna(lo) else ""))
            lines.append(f"| {rank} | {param} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _num(v: float) -> str:
    if v is None or not math.isfinite(float(v)):
        return "nan"
    v = float(v)
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.3e}"


# ---- aisim explore ---------------------------------------------------------------------------


def print_list(echo: Callable[[str], None] = print) -> None:
    declared = list(unc.declared().values())
    rows = [(u.key, *unc.describe(u)) for u in declared]
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    echo(f"{'key':{w[0]}}  {'default':{w[1]}}  {'range':{w[2]}}  {'scale':{w[3]}}  reason")
    for r in rows:
        echo(f"{r[0]:{w[0]}}  {r[1]:{w[1]}}  {r[2]:{w[2]}}  {r[3]:{w[3]}}  {r[4]}")
    numeric = sum(u.kind == "numeric" for u in declared)
    echo(f"\n{len(declared)} uncertainties: {numeric} numeric, {len(declared) - numeric} "
         "categorical. Not explored:")
    for key, reason in unc.NOT_EXPLORED.items():
        echo(f"  {key}: {reason}")


def default_dir() -> Path:
    now = dt.datetime.now()
    return ROOT / now.strftime("%Y-%m-%d") / now.strftime("%H-%M-%S-%f")


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        print("outcomes: " + ", ".join(OUTCOMES))
        return 0
    if "--list" in argv:
        print_list()
        return 0
    try:
        spec = parse(argv)
        spec.command = " ".join(["aisim explore", *argv])
    except (ExploreError, ConfigError) as err:
        print(f"aisim explore: error: {err}", file=sys.stderr)
        return 2
    out = spec.dir or default_dir()
    from . import runner, sweep

    if spec.workers != 1:
        runner.start_loading()  # the workers' model loads while the design is drawn
    try:
        explore(spec, out, runner=execute, progress=sweep.Progress)
    except ExploreError as err:
        print(f"aisim explore: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted; finished runs are kept: resume with the same command and "
              f"dir={out}", file=sys.stderr)
        return 130
    sens = pd.read_csv(out / "sensitivity.csv")
    print(f"what matters most (by {RANK_BY[spec.method]}; details in summary.md):")
    for name in spec.outcomes:
        best = top(sens, spec.method, name, 3)
        print(f"  {name}: " + (", ".join(best.parameter) if not best.empty else "constant"))
    from .report import ReportError
    from .report.explore_page import report  # matplotlib in this process only, not in workers

    try:
        page = report(out)
    except ReportError as err:  # e.g. every run failed: the files are written all the same
        page = None
        print(f"aisim explore: no report: {err}", file=sys.stderr)
    print(f"wrote {out}: results.parquet, sensitivity.csv, summary.md"
          + (f", {page.relative_to(out)}" if page else ""))
    if spec.method == "morris" and len(spec.keys) > 10:
        print("next, a Sobol stage over the ten with the best mean rank: aisim explore "
              f"method=sobol samples=256 only={','.join(best_mean_rank(sens, 10))}")
    error = pd.read_parquet(out / "results.parquet", columns=["error"]).error
    errors = error.dropna()
    if not errors.empty:  # as a sweep: the others' results are kept, the command fails
        print(f"aisim explore: error: {len(errors)} of {len(error)} runs failed (their "
              "trajectories or blocks are left out of the indices; each error is in "
              f"results.parquet; the first: {errors.iloc[0]}); the same command resumes and "
              "runs them again", file=sys.stderr)
        return 1
    return 0
