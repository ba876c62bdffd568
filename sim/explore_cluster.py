"""An exploration's runs as submitit jobs: `aisim explore ... launcher=submitit_slurm
[jobs=N] [partition=NAME] [timeout_min=N] [mem_gb=X] [workers=N]` (or
launcher=submitit_local, the same on this machine: how the tests try it).

The runs not yet finished are split into `jobs` chunks (default: one per core with
submitit_local; about 100 runs a job on Slurm), submitted as one job array through
`submitit.AutoExecutor`. Each job runs its chunk with sim.runner on `workers` processes
(default 1: its cpus_per_task) and writes its finished runs to the folder itself
(runs/NNNNNN-PPPP.parquet, NNNNNN the job's own number), as they finish: what a job made is
kept even if it dies or times out, or the submitting process goes. A job that fails is
isolated: its chunk's runs without a row are recorded with the job's error, and the same
command runs them again (on any launcher: the launcher is not part of the design). The
submitting process waits, showing the progress bar as jobs finish; Ctrl-C cancels the jobs.
submitit's logs go to FOLDER/submitit/.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RUNS_PER_SLURM_JOB = 100
POLL_SECONDS = 1.0
CLUSTERS = {"submitit_slurm": "slurm", "submitit_local": "local"}


def parse_launcher(given: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """launcher= and its options from the command line's KEY=VALUE words: (launcher or "",
    {jobs, partition, timeout_min, mem_gb} as given); ExploreError names a bad one."""
    from .explore import ExploreError

    launcher, options = given.get("launcher", ""), {}
    if launcher and launcher not in CLUSTERS:
        raise ExploreError(f"launcher={launcher}: unknown launcher (allowed: "
                           f"{', '.join(CLUSTERS)})")
    for key in ("jobs", "partition", "timeout_min", "mem_gb"):
        if key in given and not launcher:
            raise ExploreError(f"{key}={given[key]}: only with launcher=submitit_slurm (or "
                               "submitit_local)")
    if "partition" in given:
        if launcher != "submitit_slurm":
            raise ExploreError(f"partition={given['partition']}: only with "
                               "launcher=submitit_slurm")
        options["partition"] = given["partition"]
    for key, kind in (("jobs", int), ("timeout_min", int), ("mem_gb", float)):
        if key in given:
            try:
                options[key] = kind(given[key])
            except ValueError:
                raise ExploreError(f"{key}={given[key]}: expected "
                                   f"{'a whole number' if kind is int else 'a number'}") from None
            if options[key] <= 0:
                raise ExploreError(f"{key}={given[key]}: allowed more than 0")
    return launcher, options


def chunks(tasks: list, jobs: int) -> list[list]:
    """`tasks` in `jobs` contiguous chunks of nearly equal size (no empty one)."""
    jobs = max(1, min(jobs, len(tasks)))
    size, extra = divmod(len(tasks), jobs)
    out, start = [], 0
    for j in range(jobs):
        end = start + size + (j < extra)
        out.append(tasks[start:end])
        start = end
    return out


def run_chunk(out: str, number: int, chunk: list, workers: int) -> int:
    """In a job: run (row, params, seed) tasks on sim.runner and write them as they finish
    to runs/ under the job's number. Returns how many runs raised."""
    from . import explore, runner

    errors = 0

    def outcomes():
        nonlocal errors
        for i, outcome in zip([i for i, _, _ in chunk], runner.run(
                [(p, seed) for _, p, seed in chunk], workers, keep_record=False)):
            errors += outcome.error is not None
            yield i, outcome

    explore._write_runs(Path(out), outcomes(), job=number)
    return errors


def run_jobs(spec: Any, out: Path, tasks: list, progress: Any = None,
             echo: Callable[[str], None] = print) -> None:
    """Run `tasks` as one submitit job array and wait for it; see the module's text."""
    import submitit

    from . import explore
    from .runner import Outcome

    cluster = CLUSTERS[spec.launcher]
    options = spec.cluster
    default = (os.cpu_count() or 1) if cluster == "local" \
        else math.ceil(len(tasks) / RUNS_PER_SLURM_JOB)
    parts = chunks(tasks, options.get("jobs", default))
    workers = spec.workers or 1
    executor = submitit.AutoExecutor(folder=out / "submitit", cluster=cluster)
    parameters: dict[str, Any] = {"name": "aisim-explore", "cpus_per_task": workers,
                                  "timeout_min": options.get("timeout_min", 60)}
    if "mem_gb" in options:
        parameters["mem_gb"] = options["mem_gb"]
    if cluster == "slurm" and "partition" in options:
        parameters["slurm_partition"] = options["partition"]
    executor.update_parameters(**parameters)
    (out / "runs").mkdir(exist_ok=True)
    first = explore.next_number(out / "runs")
    numbers = [first + j for j in range(len(parts))]
    jobs = executor.map_array(run_chunk, [str(out)] * len(parts), numbers, parts,
                              [workers] * len(parts))
    echo(f"submitted {len(jobs)} {spec.launcher} jobs of {len(parts[0])} runs or fewer "
         f"(first job {jobs[0].job_id}); logs in {out / 'submitit'}")
    waiting = set(range(len(jobs)))
    lost: list[tuple[int, Any]] = []
    try:
        while waiting:
            for j in sorted(waiting):
                if not jobs[j].done():
                    continue
                waiting.discard(j)
                try:
                    jobs[j].result()
                except Exception as err:  # the job, not a run, failed: its missing runs
                    error = f"job {jobs[j].job_id} failed: {type(err).__name__}: " \
                        + (str(err).strip().splitlines() or [""])[-1]
                    have = _written(out, numbers[j])
                    lost += [(i, Outcome(seed, error=error)) for i, _, seed in parts[j]
                             if i not in have]
                if progress is not None:
                    progress.update(len(parts[j]))
            if waiting:
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        for j in waiting:
            jobs[j].cancel(check=False)
        raise
    finally:
        explore._write_runs(out, lost)


def _written(out: Path, number: int) -> set[int]:
    """The runs a job wrote before it failed."""
    import pandas as pd

    files = sorted((out / "runs").glob(f"{number:06d}-*.parquet"))
    return set().union(*(set(pd.read_parquet(f, columns=["run"]).run) for f in files))
