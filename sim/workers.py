"""Where a sweep's worker processes come from. A light module (no pandas, Hydra or Mesa), so
`aisim -m` can start loading the model for its workers before anything else."""

from __future__ import annotations

import multiprocessing

MODEL = "sim.simulation"  # what every worker needs loaded


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
