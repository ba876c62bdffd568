"""Running many runs: the one process-pool runner of sweeps, `aisim validate`, the golden files
and the benchmarks.

`run(tasks, workers)` runs (Params, seed) tasks on a pool of worker processes kept for the
whole process (or here, one at a time, for one worker) and yields their outcomes in task
order. A run that raises is recorded with its error; the others go on. Every outcome equals
running `sim.simulate(params, seed=s)` alone, in any process, sequential or parallel.

A light module (no pandas, Hydra or Mesa at import), so `aisim -m` can start loading the
model for its workers before anything else.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .params import Params
    from .recorder import Record
    from .simulation import Result

MODEL = "sim.simulation"  # what every worker needs loaded
log = logging.getLogger("aisim")


@dataclass
class Outcome:
    """One run: its summary and record (arrays; sim.recorder.tables makes tables of them),
    what `measure` made of it, or the error it raised."""

    seed: int
    summary: dict | None = None
    record: Record | None = None
    error: str | None = None
    value: Any = None  # measure(result), when run() was given a measure


def record_run(params: Params, *, seed: int) -> tuple[Record, dict]:
    from . import simulation  # here, not at the top: a sweep's parent never loads Mesa

    return simulation.record_run(params, seed=seed)


def run_one(params: Params, seed: int, keep_record: bool = True,
            measure: Callable[[Result], Any] | None = None) -> Outcome:
    """One run, in this process: its summary, its record unless not kept, and measure(its
    Result) when a measure is given; or the error it raised."""
    try:
        record, summary = record_run(params, seed=seed)
        value = None
        if measure is not None:
            from .simulation import result

            value = measure(result(record, summary, params))
    except Exception as err:  # a run that raises is recorded, the others go on
        log.error("seed %d failed: %s", seed, traceback.format_exc())
        notes = "".join(f" ({note})" for note in getattr(err, "__notes__", ()))
        return Outcome(seed, error=f"{type(err).__name__}: {err}{notes}")
    return Outcome(seed, summary, record if keep_record else None, value=value)


def run(tasks: Iterable[tuple[Params, int]], workers: int = 0, *,
        measure: Callable[[Result], Any] | None = None, keep_record: bool = True,
        progress: Callable[[int], Any] | None = None, share: bool = False) -> Iterator[Outcome]:
    """The outcomes of (params, seed) tasks, in task order.

    workers: processes (0: one per core). With one, or with fewer tasks than that, as many
    as there are tasks; with one, the runs are made in this process as the iterator is
    read. Otherwise every task is submitted to the shared pool at once and outcomes are
    yielded in order as they come. share=True submits to a pool of `workers` however few the
    tasks, so that the runs of several calls share its cores (a sweep's jobs). measure: a
    picklable function of a run's `Result` (sim.simulation), its value in `Outcome.value`;
    keep_record=False drops the record (less to send back). progress(1) is called as each
    run finishes."""
    tasks = list(tasks)
    workers = workers or os.cpu_count() or 1
    if not share:
        workers = min(workers, len(tasks))
    if workers <= 1:
        return _here(tasks, keep_record, measure, progress)
    executor = pool(workers)
    futures = []
    for params, seed in tasks:
        future = executor.submit(run_one, params, seed, keep_record, measure)
        _pending.add(future)
        future.add_done_callback(_pending.discard)
        if progress is not None:
            future.add_done_callback(lambda f: f.cancelled() or progress(1))
        futures.append((seed, future))
    return _collect(futures)


def _here(tasks: list, keep_record: bool, measure, progress) -> Iterator[Outcome]:
    for params, seed in tasks:
        outcome = run_one(params, seed, keep_record, measure)
        if progress is not None:
            progress(1)
        yield outcome


def _collect(futures: list[tuple[int, Future]]) -> Iterator[Outcome]:
    for seed, future in futures:
        try:
            yield future.result()
        except Exception as err:  # the pool, not the run, failed (a worker died): recorded too
            yield Outcome(seed, error=f"{type(err).__name__}: {err}")


_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pending: set[Future] = set()  # submitted runs not yet finished


def pool(workers: int) -> ProcessPoolExecutor:
    """The shared process pool, kept for the whole process: workers import the model once.
    A pool of another size replaces it only when no run is pending on it."""
    global _pool, _pool_size
    broken = _pool is not None and getattr(_pool, "_broken", False)
    if _pool is None or broken or (_pool_size != workers and not _pending):
        if _pool is not None:
            _pool.shutdown(wait=not broken)
        _pool = ProcessPoolExecutor(workers, mp_context=context())
        _pool_size = workers
    return _pool


def cancel_pending() -> int:
    """Cancel the runs submitted to the pool that have not started (a caller stopped reading
    its outcomes, e.g. on Ctrl-C): without it the process waits at exit for every one of
    them. Runs under way finish. Returns how many were cancelled."""
    return sum(future.cancel() for future in list(_pending))


def context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one: a clean single-threaded process imports the model once
    and forks each worker from it (no fork of the threaded parent, and no worker pays the
    1.5 s import); spawn elsewhere."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([MODEL])
    return ctx


def start_loading() -> None:
    """Start the forkserver, which imports the model on the other core while this process
    composes configs; workers are forked from it at the first run. Idempotent."""
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
