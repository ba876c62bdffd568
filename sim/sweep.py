"""Running configs: the Hydra task, the replicates of a parameter point on a process pool,
and the merge of a sweep's jobs into one results table.

Hydra enumerates scenarios and parameter points (one job each); the replicates of a point
run inside its job on a pool of worker processes that lives as long as the sweep, so the
harness costs little next to the model. Workers never import matplotlib.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hydra
import pandas as pd
import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from .config import CONFIG_DIR, check, params_of
from .params import Params
from .simulate import simulate

log = logging.getLogger("aisim")
DONE = "done.json"
REPORT_FAILED = False  # set when a sweep's report fails; the command then exits non-zero
KEYS = ["run", "job", "seed"]


@dataclass
class Outcome:
    """One run: its summary and tables, or the error it raised."""

    seed: int
    summary: dict | None = None
    firms: pd.DataFrame | None = None
    industry: pd.DataFrame | None = None
    error: str | None = None


def run_one(params: Params, seed: int) -> Outcome:
    try:
        result = simulate(params, seed=seed)
    except Exception as err:  # a run that raises is recorded, the others go on
        log.error("seed %d failed: %s", seed, traceback.format_exc())
        return Outcome(seed, error=f"{type(err).__name__}: {err}")
    return Outcome(seed, result.summary, result.firms, result.industry)


_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def pool(workers: int) -> ProcessPoolExecutor:
    """A process pool kept for the whole sweep: workers import the model once."""
    global _pool, _pool_size
    if _pool is None or (_pool_size != workers and not Deferred.jobs):
        if _pool is not None:
            _pool.shutdown()
        # spawn, as Mesa sets it for the process anyway: no fork of a threaded parent.
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        _pool_size = workers
    return _pool


def run_replicates(params: Params, seeds: list[int], workers: int = 0,
                   progress: Any = None) -> list[Outcome]:
    """Run every seed of one parameter point; on a process pool when there are several.
    Outcomes come back in seed order; identical to running each seed alone."""
    workers = min(workers or os.cpu_count() or 1, len(seeds))
    if workers <= 1:
        outcomes = []
        for seed in seeds:
            outcomes.append(run_one(params, seed))
            if progress is not None:
                progress.update(1)
        return outcomes
    executor = pool(workers)
    futures = {executor.submit(run_one, params, seed): seed for seed in seeds}
    by_seed = {}
    for future in as_completed(futures):
        by_seed[futures[future]] = future.result()
        if progress is not None:
            progress.update(1)
    return [by_seed[seed] for seed in seeds]


def write_outputs(out: Path, outcomes: list[Outcome], *, plot: bool) -> None:
    """runs.parquet (a row per run), firms.parquet and industry.parquet (with a seed column),
    summary.json, and for a single run its overview figure."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"seed": o.seed, "error": o.error, **(o.summary or {})} for o in outcomes]
    pd.DataFrame(rows).to_parquet(out / "runs.parquet", index=False)
    ok = [o for o in outcomes if o.error is None]
    if ok:
        for name in ("firms", "industry"):
            frame = pd.concat([getattr(o, name).assign(seed=o.seed) for o in ok],
                              ignore_index=True)
            frame.to_parquet(out / f"{name}.parquet", index=False)
    summaries = [o.summary for o in ok]
    (out / "summary.json").write_text(
        json.dumps(summaries[0] if len(outcomes) == 1 and ok else summaries, indent=2) + "\n")
    if plot and ok:
        from .plots import overview

        first = ok[0]
        overview(SimpleNamespace(firms=first.firms, industry=first.industry,
                                 summary=first.summary), out / "overview.png")


class Progress:
    """A progress bar over all runs of a sweep (runs done of total, rate, time left)."""

    bar = None
    total = 0

    @classmethod
    def start(cls, total: int) -> None:
        cls.total = total

    @classmethod
    def update(cls, n: int) -> None:
        if cls.total <= 1:
            return
        if cls.bar is None:
            from tqdm import tqdm

            cls.bar = tqdm(total=cls.total, unit="run", desc="aisim", dynamic_ncols=True)
        cls.bar.update(n)

    @classmethod
    def close(cls) -> None:
        if cls.bar is not None:
            cls.bar.close()
        cls.bar, cls.total = None, 0


@dataclass
class PendingJob:
    out: Path
    overrides: list[str]
    futures: list
    plot: bool


class Deferred:
    """While the `aisim_pool` launcher (hydra_plugins/aisim_launcher) runs a sweep, each
    job hands its runs to the shared pool and returns at once; the launcher then writes
    every job's files as its runs finish. So all runs of all jobs share the cores, even in
    a sweep of single runs (`seed=0,1,2`)."""

    active = False
    jobs: list[PendingJob] = []

    @classmethod
    def finish(cls) -> None:
        jobs, cls.jobs = cls.jobs, []
        for job in jobs:
            outcomes = [future.result() for future in job.futures]
            _complete(job.out, job.overrides, outcomes, plot=job.plot)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_app(cfg: DictConfig) -> dict:
    run = check(cfg)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    overrides = list(hc.overrides.task)
    done = out / DONE
    if done.exists() and json.loads(done.read_text()).get("overrides") == overrides:
        log.info("already done, skipped: %s", out)  # resume: a finished job is not re-run
        Progress.update(run.replicates)
        return json.loads(done.read_text())
    seeds = list(range(run.seed, run.seed + run.replicates))
    plot = hc.mode == RunMode.RUN
    workers = run.workers or os.cpu_count() or 1
    if Deferred.active and workers > 1:
        executor = pool(workers)
        futures = [executor.submit(run_one, params_of(run), seed) for seed in seeds]
        for future in futures:
            future.add_done_callback(lambda _: Progress.update(1))
        Deferred.jobs.append(PendingJob(out, overrides, futures, plot))
        return {"overrides": overrides, "submitted": len(futures)}
    outcomes = run_replicates(params_of(run), seeds, run.workers, Progress)
    return _complete(out, overrides, outcomes, plot=plot)


def _complete(out: Path, overrides: list[str], outcomes: list[Outcome], *, plot: bool) -> dict:
    write_outputs(out, outcomes, plot=plot)
    status = {"overrides": overrides, "runs": len(outcomes),
              "failed": sum(o.error is not None for o in outcomes)}
    (out / DONE).write_text(json.dumps(status, indent=2) + "\n")  # last: the job is complete
    if plot:
        _report_run(out, outcomes)
    return status


def _report_run(out: Path, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        if o.error:
            print(f"seed {o.seed} failed: {o.error}")
            continue
        s = o.summary
        print(f"scenario {s['scenario']}, seed {o.seed}: frontier leader at the horizon "
              f"{s['winner_capability']} ({s['leader_kind']}); largest revenue share "
              f"{s['winner_revenue']}; most profit {s['winner_value']}; HHI "
              f"{s['hhi_revenue_final']:.0f}; lab exits {s['lab_exits']}")
    print(f"wrote {out}")


class MergeResults(Callback):
    """At the end of a sweep, merge its jobs into results.parquet (a row per run: the job's
    overrides, the seed, the summary) and timeseries.parquet (every run's firm rows with the
    month's industry columns, prefixed `industry_`); with `report: true` (the experiments
    set it) also write the sweep's report (sim/report.py)."""

    def __init__(self, report: bool = False):
        self.report = report

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        Progress.close()
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.exists():  # the sweep may have run elsewhere
            return
        results, series = merge(sweep_dir)
        log.info("merged %d runs into %s", len(results), sweep_dir)
        print(f"{len(results)} runs ({int(results.error.notna().sum())} failed); wrote "
              f"{sweep_dir / 'results.parquet'} and {sweep_dir / 'timeseries.parquet'}")
        if self.report:
            from .report import report

            try:
                print(f"report: {report(sweep_dir)}")
            except Exception as err:  # the runs are safe; say so, and fail the command
                global REPORT_FAILED
                REPORT_FAILED = True
                log.error("report failed: %s", traceback.format_exc())
                print(f"aisim: error: the report failed ({type(err).__name__}: {err}); the "
                      f"results are in {sweep_dir}; retry with: aisim report {sweep_dir}",
                      file=sys.stderr)


def merge(sweep_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    results, series = [], []
    for done in sorted(sweep_dir.glob(f"*/{DONE}"), key=lambda p: int(p.parent.name)):
        job_dir = done.parent
        job = int(job_dir.name)
        overrides = yaml.safe_load((job_dir / ".hydra" / "overrides.yaml").read_text()) or []
        swept = {}
        for line in overrides:
            key, _, value = line.lstrip("+~").partition("=")
            swept[key] = yaml.safe_load(value) if value else None
        runs = pd.read_parquet(job_dir / "runs.parquet")
        for key, value in swept.items():
            if key not in runs.columns:
                runs[key] = [value] * len(runs)
        runs.insert(0, "job", job)
        runs.insert(0, "run", [f"{job}-{s}" for s in runs.seed])
        results.append(runs)
        if (job_dir / "firms.parquet").exists():
            firms = pd.read_parquet(job_dir / "firms.parquet")
            industry = pd.read_parquet(job_dir / "industry.parquet")
            industry = industry.rename(columns={c: f"industry_{c}" for c in industry.columns
                                                if c not in ("seed", "month", "date")})
            frame = firms.merge(industry.drop(columns="date"), on=["seed", "month"])
            frame.insert(0, "job", job)
            frame.insert(0, "run", [f"{job}-{s}" for s in frame.seed])
            frame["scenario"] = runs.scenario.dropna().iloc[0] if "scenario" in runs else ""
            series.append(frame)
    results = pd.concat(results, ignore_index=True) if results else pd.DataFrame()
    series = pd.concat(series, ignore_index=True) if series else pd.DataFrame()
    results.to_parquet(sweep_dir / "results.parquet", index=False)
    series.to_parquet(sweep_dir / "timeseries.parquet", index=False)
    return results, series
