"""Running configs: the Hydra task, a run's and a job's files, and the merge of a sweep's
jobs into one results table.

Hydra enumerates scenarios and parameter points (one job each); the replicates of a point
run inside its job on sim.runner's pool of worker processes, which lives as long as the
sweep, so the harness costs little next to the model. Workers never import matplotlib.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import shutil
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hydra
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from . import runner
from .config import CONFIG_DIR, to_params, to_run
from .recorder import tables
from .runner import Outcome
from .value import words as value_words

log = logging.getLogger("aisim")
DONE = "done.json"
REPORT_FAILED = False  # set when a sweep's report fails; the command then exits non-zero
RUNS_FAILED = 0  # runs that raised (their errors are recorded); the command exits non-zero
SERIES = "timeseries.parquet"  # a job's rows of it; the sweep's is a folder of those files
CHUNK = 50  # runs per row group of a job's timeseries file
KEYS = ("run", "job", "seed", "scenario", "month", "firm")  # timeseries columns with statistics


def write_outputs(out: Path, outcomes: list[Outcome], *, plot: bool) -> None:
    """A run (not a sweep): firms.parquet and industry.parquet (with a seed column),
    runs.parquet (a row per run), summary.json, and for a single run its overview figure."""
    out.mkdir(parents=True, exist_ok=True)
    ok = [o for o in outcomes if o.error is None]
    if ok:
        firms, industry = tables([o.record for o in ok], [o.seed for o in ok])
        firms.to_parquet(out / "firms.parquet", index=False)
        industry.to_parquet(out / "industry.parquet", index=False)
    write_summaries(out, outcomes)
    if plot and ok:
        from .plots import overview

        firms, industry = tables([ok[0].record])
        overview(SimpleNamespace(firms=firms, industry=industry, summary=ok[0].summary),
                 out / "overview.png")


def write_summaries(out: Path, outcomes: list[Outcome]) -> None:
    rows = [{"seed": o.seed, "error": o.error, **(o.summary or {})} for o in outcomes]
    pd.DataFrame(rows).to_parquet(out / "runs.parquet", index=False)
    summaries = [o.summary for o in outcomes if o.error is None]
    (out / "summary.json").write_text(json.dumps(
        summaries[0] if len(outcomes) == 1 and summaries else summaries, indent=2) + "\n")


def series_table(outcomes: list[Outcome], job: int, scenario: str) -> pd.DataFrame:
    """Rows of a sweep's timeseries for some runs of a job: every firm row with its month's
    industry columns (prefixed `industry_`), keyed by `run` (`<job>-<seed>`)."""
    seeds = [o.seed for o in outcomes]
    firms, industry = tables([o.record for o in outcomes], seeds)
    # Each firm row's (run, month) row of the industry table (runs may differ in firms:
    # labs founded during a run have rows from their founding).
    months = len(industry) // len(seeds)
    run_pos = pd.Index(seeds).get_indexer(firms["seed"])
    monthly = industry.drop(columns=["seed", "month", "date"])
    monthly = monthly.take(run_pos * months + firms["month"].to_numpy())
    monthly.columns = [f"industry_{c}" for c in monthly.columns]
    monthly.index = firms.index
    frame = pd.concat([firms, monthly], axis=1)
    frame.insert(0, "job", job)
    frame.insert(0, "run", np.array([f"{job}-{s}" for s in seeds], dtype=object)[run_pos])
    frame["scenario"] = scenario
    return frame


def write_series(path: Path, outcomes: Iterable[Outcome], job: int,
                 scenario: str) -> list[Outcome]:
    """Write a job's rows of the sweep's timeseries as its runs finish: CHUNK runs per row
    group, so the parent writes while the workers compute and holds no more than CHUNK
    runs' arrays. Returns the outcomes (records dropped); the file appears when complete."""
    path.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    writer, chunk, seen = None, [], []

    def flush() -> None:
        nonlocal writer
        table = pa.Table.from_pandas(series_table(chunk, job, scenario), preserve_index=False,
                                     schema=writer.schema if writer else None)
        # Dictionary-encode only the text columns and keep statistics only for the keys a
        # reader filters on: half the writer's CPU (it competes with the workers for cores).
        writer = writer or pq.ParquetWriter(
            tmp, table.schema, write_statistics=list(KEYS),
            use_dictionary=[f.name for f in table.schema
                            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)])
        writer.write_table(table)
        for o in chunk:
            o.record = None
        chunk.clear()

    for outcome in outcomes:
        seen.append(outcome)
        if outcome.error is None:
            chunk.append(outcome)
            if len(chunk) == CHUNK:
                flush()
    if chunk:
        flush()
    if writer is not None:
        writer.close()
        tmp.replace(path)
    return seen


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
    outcomes: Iterable[Outcome]  # submitted to the pool, collected in order
    job: int
    scenario: str
    timeseries: bool


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
            _complete_job(job.out, job.overrides, job.outcomes, job.job, job.scenario,
                          job.timeseries)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_app(cfg: DictConfig) -> dict:
    run = to_run(cfg)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    overrides = list(hc.overrides.task)
    params = to_params(run)
    tasks = [(params, seed) for seed in range(run.seed, run.seed + run.replicates)]
    workers = run.workers or os.cpu_count() or 1
    if hc.mode == RunMode.RUN:
        outcomes = list(runner.run(tasks, run.workers, progress=Progress.update))
        write_outputs(out, outcomes, plot=True)
        status = _done(out, overrides, outcomes)
        _report_run(out, outcomes)
        return status
    done = out / DONE
    if done.exists() and json.loads(done.read_text()).get("overrides") == overrides:
        log.info("already done, skipped: %s", out)  # resume: a finished job is not re-run
        Progress.update(run.replicates)
        return json.loads(done.read_text())
    job = int(hc.job.num)
    if Deferred.active and workers > 1:
        # Submitted now, written when the launcher has handed out every job.
        outcomes = runner.run(tasks, workers, keep_record=run.timeseries,
                              progress=Progress.update, share=True)
        Deferred.jobs.append(PendingJob(out, overrides, outcomes, job, run.scenario,
                                        run.timeseries))
        return {"overrides": overrides, "submitted": len(tasks)}
    outcomes = runner.run(tasks, run.workers, keep_record=run.timeseries,
                          progress=Progress.update)
    return _complete_job(out, overrides, outcomes, job, run.scenario, run.timeseries)


def _complete_job(out: Path, overrides: list[str], outcomes: Iterable[Outcome], job: int,
                  scenario: str, timeseries: bool = True) -> dict:
    """A sweep's job: its rows of the timeseries (written as runs finish; with timeseries
    false, none), runs.parquet, summary.json, and done.json last."""
    out.mkdir(parents=True, exist_ok=True)
    if timeseries:
        outcomes = write_series(out / SERIES, outcomes, job, scenario)
    else:
        (out / SERIES).unlink(missing_ok=True)  # from an earlier sweep into this folder
        outcomes = list(outcomes)
    write_summaries(out, outcomes)
    return _done(out, overrides, outcomes)


def _done(out: Path, overrides: list[str], outcomes: list[Outcome]) -> dict:
    status = {"overrides": overrides, "runs": len(outcomes),
              "failed": sum(o.error is not None for o in outcomes)}
    (out / DONE).write_text(json.dumps(status, indent=2) + "\n")  # last: the job is complete
    return status


def _report_run(out: Path, outcomes: list[Outcome]) -> None:
    global RUNS_FAILED
    for o in outcomes:
        if o.error:
            RUNS_FAILED += 1
            print(f"aisim: error: seed {o.seed} failed: {o.error}", file=sys.stderr)
            continue
        s = o.summary
        print(f"scenario {s['scenario']} (policies: labs {s['policy_lab']}, hyperscalers "
              f"{s['policy_hyperscaler']}), seed {o.seed}: frontier leader at the horizon "
              f"{s['winner_capability']} ({s['leader_kind']}); largest revenue share "
              f"{s['winner_revenue']}; {value_words(s)}; HHI "
              f"{s['hhi_revenue_final']:.0f}; lab exits {s['lab_exits']}")
    print(f"wrote {out}")


class MergeResults(Callback):
    """At the end of a sweep, merge its jobs into results.parquet (a row per run: the job's
    overrides, the seed, the summary) and timeseries.parquet (every run's firm rows with the
    month's industry columns, prefixed `industry_`; a folder of the jobs' files); with
    `report: true` (the experiments set it) also write the sweep's report (sim/report/)."""

    def __init__(self, report: bool = False):
        self.report = report

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        Progress.close()
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.exists():  # the sweep may have run elsewhere
            return
        results = merge(sweep_dir)
        log.info("merged %d runs into %s", len(results), sweep_dir)
        series = sweep_dir / SERIES
        failed = int(results.error.notna().sum())
        print(f"{len(results)} runs ({failed} failed); wrote {sweep_dir / 'results.parquet'}"
              + (f" and {series}" if series.exists() else
                 " (no monthly rows: timeseries=false, or no run succeeded)"))
        if failed:
            global RUNS_FAILED
            RUNS_FAILED += failed
            first = results.error.dropna().iloc[0]
            print(f"aisim: error: {failed} of {len(results)} runs failed (the others' results "
                  f"are kept; each error is in results.parquet's error column; the first: "
                  f"{first})", file=sys.stderr)
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


def merge(sweep_dir: Path) -> pd.DataFrame:
    """results.parquet from the finished jobs' runs.parquet, and timeseries.parquet as a
    folder of their timeseries files (hard links: nothing is copied or rewritten; Parquet
    readers read the folder as one table, in job order). Returns the results."""
    results = []
    series = sweep_dir / f".{SERIES}.merging"
    shutil.rmtree(series, ignore_errors=True)
    series.mkdir()
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
        if (job_dir / SERIES).exists():
            _link(job_dir / SERIES, series / f"{job:06d}.parquet")
    results = pd.concat(results, ignore_index=True) if results else pd.DataFrame()
    results.to_parquet(sweep_dir / "results.parquet", index=False)
    old = sweep_dir / SERIES
    if old.is_dir():
        shutil.rmtree(old)
    elif old.exists():  # a single file, from an older aisim
        old.unlink()
    if any(series.iterdir()):
        series.rename(old)
    else:  # timeseries=false: summaries only
        series.rmdir()
    return results


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # no hard links here (another file system): copy
        shutil.copyfile(src, dst)
