"""sim.runner: the one runner of many runs - outcomes in task order, identical to running each
alone, here or on the pool, and a failing run recorded while the others go on."""

import dataclasses
import operator
import sys
import time

import pandas as pd
import pytest

import sim
from sim import runner
from sim.recorder import tables

SMALL = {"horizon_months": 6, "demand": {"n_customers": 500}}


@pytest.fixture(scope="module")
def params():
    return sim.to_params(SMALL)


@pytest.mark.parametrize("workers", [1, 2])
def test_outcomes_come_in_task_order_and_equal_runs_alone(params, workers):
    other = sim.to_params({**SMALL, "compute": {"doubling_months": 12}})
    tasks = [(params, 3), (other, 3), (params, 1)]
    seen = []
    industry = operator.attrgetter("industry")  # a measure: a function of a run's Result
    outcomes = list(runner.run(tasks, workers, measure=industry, progress=seen.append))
    assert [o.seed for o in outcomes] == [3, 3, 1]
    for _ in range(100):  # a pool calls progress from its own thread, just after a result
        if len(seen) == 3:
            break
        time.sleep(0.01)
    assert seen == [1, 1, 1]
    for (p, seed), outcome in zip(tasks, outcomes):
        alone = sim.simulate(p, seed=seed)
        assert outcome.error is None and outcome.summary == alone.summary
        pd.testing.assert_frame_equal(tables([outcome.record])[0], alone.firms)
        pd.testing.assert_frame_equal(outcome.value, alone.industry)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_run_is_recorded_and_the_others_go_on(params, workers):
    broken = dataclasses.replace(params, compute=None)  # the model cannot start from this
    outcomes = list(runner.run([(params, 0), (broken, 1), (params, 2)], workers,
                               keep_record=False))
    assert [o.seed for o in outcomes] == [0, 1, 2]
    assert outcomes[1].error.startswith("AttributeError") and outcomes[1].summary is None
    for outcome in (outcomes[0], outcomes[2]):
        assert outcome.error is None and outcome.record is None
        assert outcome.summary == sim.simulate(params, seed=outcome.seed).summary


def test_one_worker_or_one_task_runs_here_lazily(params):
    before = runner._pool
    lazy = runner.run([(params, 0)], workers=0)  # one task: no pool
    assert runner._pool is before and next(lazy).error is None


def test_the_runner_loads_no_pandas_hydra_or_mesa():
    import subprocess

    code = ("import sys, sim.runner, sim.config\n"
            "print(sorted(m for m in ('pandas', 'hydra', 'omegaconf', 'mesa') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_cancel_pending_drops_the_runs_not_started(params):
    seen = []
    outcomes = runner.run([(params, s) for s in range(40)], 2, keep_record=False,
                          progress=seen.append)
    assert next(outcomes).error is None  # the caller stops reading here
    cancelled = runner.cancel_pending()
    assert 0 < cancelled < 40 and runner.cancel_pending() == 0  # the runs under way finish
    rest = list(outcomes)
    assert sum((o.error or "").startswith("CancelledError") for o in rest) == cancelled
    for _ in range(100):  # progress counts the runs that ran, not the cancelled ones
        if len(seen) == 40 - cancelled:
            break
        time.sleep(0.01)
    assert len(seen) == 40 - cancelled
