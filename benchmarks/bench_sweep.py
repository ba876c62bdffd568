"""Benchmark of the sweep harness: how much the `aisim -m` machinery costs on top of the model,
how well it uses two cores, and how it compares with mesa.batch_run (not a test: nothing here
fails on timing).

Run:  python benchmarks/bench_sweep.py [--runs N] [--pairs K] [--quick]
      (default N=1000, K=1; --quick: N=100)

The same N default runs (baseline, seeds 0..N-1) are done five ways, one after the other
((c), (d) and (e) K times, in rounds that each start with the next of them, so that a slow
spell of this shared VM, or what one case leaves behind, does not always hit the same one):
  (a) in-process   `for s in seeds: sim.simulate(seed=s)` here (the floor for any harness)
  (b) aisim w=1    `aisim -m replicates=N workers=1 hydra.sweep.dir=<tmp>` as a subprocess
  (c) aisim w=2    the same with workers=2 (a process pool forked from a forkserver)
  (d) batch_run    `mesa.batch_run(BatchModel, {"seed": seeds}, number_processes=2, ...)` in a
                   subprocess (benchmarks/_batch_model.py: AIIndustry + a small DataCollector)
  (e) aisim lean   (c) with timeseries=false: summaries only, as batch_run keeps
(b)-(d) include interpreter start-up, imports, the pool, output files and (b, c) the merge.

Columns: wall = time.perf_counter() seconds (the median over the K rounds for (c), (d) and (e));
cpu = CPU seconds the whole machine used during the case (from /proc/stat: forkserver
workers are nobody's waited-for children, so getrusage cannot see them; run on an otherwise
idle machine - the load average is printed - or the figures include other work); ms/run =
wall / N; cpu/wall near 1 = one busy core, near 2 = two. Then:
  overhead  (b) over (a), wall: the harness's cost with one core    (target <= 10%)
  speed-up  (b) / (c), wall: what the second worker buys            (target >= 1.6x)
  vs mesa   (c) vs (d), wall: aisim's pool against batch_run's      (target: faster), with
            each round's ratio (this VM's speed drifts by +-15% over minutes); and (e) vs (d):
            the same output on both sides (a row of results per run)
and checks that results.parquet of (b) and (c) has N rows without errors and that every
seed's winner_capability and hhi_revenue_final equal those of sim.simulate(seed=s) in (a).
Last, what each harness costs per run besides the model, timed in this process over 50 runs
before the cases (robust to the VM's drift, unlike the cases' walls): aisim's summary,
pickling and timeseries rows, batch_run's DataCollector and result row; and the ratios these
costs alone would give. Both harnesses run the same model code, so this is the only extra
work each does; when the cases' walls differ by more, the model itself ran slower in one
case's workers (this VM's drift, or something not yet found: see README, Sweeps).
What each side produces: (b, c) everything a real `aisim -m` writes - per job runs.parquet,
summary.json, done.json and the job's timeseries rows (every firm-month of every run with the
month's industry columns), then results.parquet (a row per run) and timeseries.parquet (a
folder of the jobs' files, hard-linked); (d) the same model and seeds, at batch_run's
defaults (data_collection_period=-1): one dict per run with two numbers from its last step
(frontier capability and leader), kept in memory, nothing written. How (b, c) stay cheap:
workers send each run's raw arrays (no tables), the parent builds a job's tables for 50 runs
at a time and appends them to the job's Parquet file while the workers compute, and the
merge links files instead of rewriting them; the workers start when the sweep starts.
It measures the `sim` Python imports (printed). To time a fixed commit while sim/ is being
edited: `git archive HEAD | tar -x -C /tmp/snap; PYTHONPATH=/tmp/snap python benchmarks/...`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import sim

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CHECKED = ("winner_capability", "hhi_revenue_final")


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all processes), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:8]]
    except OSError:
        return float("nan")
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def run_subprocess(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds of a command, the machine's CPU seconds meanwhile, and the command's last
    stdout line."""
    m0, t0 = machine_busy(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, machine_busy() - m0
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    lines = proc.stdout.strip().splitlines()
    return wall, cpu, lines[-1] if lines else ""


def in_process(seeds: list[int]) -> tuple[float, float, dict[int, dict]]:
    m0, t0 = machine_busy(), time.perf_counter()
    summaries = {s: sim.simulate(seed=s).summary for s in seeds}
    return time.perf_counter() - t0, machine_busy() - m0, summaries


def check_results(path: Path, summaries: dict[int, dict]) -> str:
    """Rows in results.parquet, failed runs, and seeds whose checked values differ."""
    df = pd.read_parquet(path)
    bad = [s for s, row in zip(df.seed, df[list(CHECKED)].itertuples(index=False))
           if tuple(row) != tuple(summaries[int(s)][k] for k in CHECKED)]
    missing = sorted(set(summaries) - set(int(s) for s in df.seed))
    series_path = path.parent / "timeseries.parquet"
    series = (pd.read_parquet(series_path, columns=["run"]) if series_path.exists()
              else pd.DataFrame({"run": []}))
    return (f"{len(df)} rows, {series.run.nunique()} runs in timeseries.parquet ("
            f"{len(series)} rows), {int(df.error.notna().sum())} failed, "
            f"{len(missing)} seeds missing, {len(bad)} of {len(df)} seeds differ from "
            f"sim.simulate in {'/'.join(CHECKED)}" + (f" (e.g. seed {bad[0]})" if bad else ""))


def harness_costs(k: int) -> dict[str, float]:
    """CPU ms per run of what each harness does besides the model, timed in this process
    over k default runs: seconds, not minutes apart, so the VM's drift does not enter. Both
    harnesses run the same model code; this is the extra work each does."""
    import pickle
    from multiprocessing.reduction import ForkingPickler

    from _batch_model import BatchModel
    from sim.model import AIIndustry
    from sim.simulation import summarize
    from sim.runner import Outcome, run_one
    from sim.sweep import write_series

    params = sim.Params()
    ms = {key: 0.0 for key in ("model", "summary_record", "to_pipe", "from_pipe", "series",
                               "lean_pipe", "batch_collect", "batch_result")}

    def timed(key: str, f, *args):
        t = time.process_time()
        out = f(*args)
        ms[key] += 1000 * (time.process_time() - t) / k
        return out

    outcomes = []
    for seed in range(k):
        model = timed("model", lambda s: AIIndustry(params, seed=s), seed)
        timed("model", model.run)
        # aisim's worker: the summary, the record, the outcome pickled for the pipe.
        summary = timed("summary_record", summarize, model, seed)
        record = timed("summary_record", model.recorder.snapshot)
        model.release()
        blob = timed("to_pipe", ForkingPickler.dumps, Outcome(seed, summary, record))
        outcomes.append(timed("from_pipe", pickle.loads, blob))
        lean = timed("lean_pipe", ForkingPickler.dumps, Outcome(seed, summary))
        timed("lean_pipe", pickle.loads, lean)
    # aisim's parent: the runs' timeseries rows to the job's Parquet file.
    with tempfile.TemporaryDirectory() as tmp:
        # The first call into pyarrow's writer costs ~0.1 s once per sweep, not per run.
        write_series(Path(tmp) / "warm.parquet", [run_one(params, k)], 0, "baseline")
        timed("series", write_series, Path(tmp) / "t.parquet", outcomes, 0, "baseline")
    # batch_run's side: its DataCollector's collect at the start and each month, and the
    # row it sends back per run.
    model = BatchModel(seed=0)
    months = params.horizon_months
    for _ in range(k):
        for _ in range(months + 1):
            timed("batch_collect", model.datacollector.collect, model)
        row = {"RunId": 0, "iteration": 0, "Step": months, "seed": 0,
               **{key: values[-1] for key, values in model.datacollector.model_vars.items()}}
        timed("batch_result", lambda r: pickle.loads(ForkingPickler.dumps([r])), row)
        model.datacollector = type(model.datacollector)(model.datacollector.model_reporters)
    return ms


def main() -> None:
    ap = argparse.ArgumentParser(description="Time aisim sweeps against an in-process loop and "
                                 "mesa.batch_run (see the module docstring).")
    ap.add_argument("--runs", type=int, default=1000, help="runs per case (default 1000)")
    ap.add_argument("--pairs", type=int, default=1, help="rounds of (c), (d) and (e) (default 1)")
    ap.add_argument("--quick", action="store_true", help="100 runs")
    args = ap.parse_args()
    n = 100 if args.quick else args.runs
    seeds = list(range(n))
    print(f"bench_sweep: {n} default runs (seeds 0..{n - 1}) per case; python "
          f"{sys.version.split()[0]}; sim from {Path(sim.__file__).parent}; {os.cpu_count()} "
          f"cpus, load average {os.getloadavg()[0]:.2f}")

    costs = harness_costs(min(n, 50))
    samples = {k: [] for k in "abcde"}  # (wall, cpu) per repetition
    notes, checks = {}, {}
    sim.simulate(seed=n)  # warm-up: imports and first-call costs out of (a)
    wall, cpu, summaries = in_process(seeds)
    samples["a"].append((wall, cpu))
    notes["a"] = "in-process loop"
    print(f"  (a) done in {wall:.1f} s", flush=True)

    def aisim(case: str, workers: int, tmp: Path, *extra: str) -> None:
        out = tmp / f"sweep_{case}_{len(samples[case])}"
        cmd = [str(BIN / "aisim"), "-m", f"replicates={n}", "seed=0", f"workers={workers}",
               *extra, f"hydra.sweep.dir={out}"]
        wall, cpu, last = run_subprocess(cmd, tmp)
        samples[case].append((wall, cpu))
        notes[case] = " ".join(["aisim -m", f"workers={workers}", *extra])
        checks[case] = check_results(out / "results.parquet", summaries)
        shutil.rmtree(out)
        print(f"  ({case}) done in {wall:.1f} s: {last}", flush=True)

    def batch_run(tmp: Path) -> None:
        cmd = [sys.executable, str(HERE / "_batch_model.py"), str(n), "2"]
        wall, cpu, last = run_subprocess(cmd, tmp)
        samples["d"].append((wall, cpu))
        notes["d"] = f"mesa.batch_run x2 ({last})"
        print(f"  (d) done in {wall:.1f} s", flush=True)

    cases = [lambda tmp: aisim("c", 2, tmp), batch_run,
              lambda tmp: aisim("e", 2, tmp, "timeseries=false")]
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        tmp = Path(tmp)
        aisim("b", 1, tmp)
        for k in range(max(args.pairs, 1)):
            # Each round starts with the next case (c d e, d e c, e c d, ...): what a case
            # leaves behind (memory to reclaim, a slow spell) does not always hit the same one.
            for case in cases[k % 3:] + cases[:k % 3]:
                case(tmp)

    times = {k: tuple(statistics.median(x) for x in zip(*v)) for k, v in samples.items()}
    print(f"\n{'case':6s}{'wall s':>9s}{'cpu s':>9s}{'cpu/wall':>10s}{'ms/run':>9s}  what")
    for case, (wall, cpu) in times.items():
        print(f"({case})  {wall:9.1f}{cpu:9.1f}{cpu / wall:10.2f}{1000 * wall / n:9.1f}  "
              f"{notes[case]}" + (f" (median of {len(samples[case])})"
                                  if len(samples[case]) > 1 else ""))
    a, b, c, d, e = (times[k][0] for k in "abcde")
    overhead = 100 * (b - a) / a
    cpu_overhead = 100 * (times["b"][1] - times["a"][1]) / times["a"][1]
    pairs = [dd / cc for (cc, _), (dd, _) in zip(samples["c"], samples["d"])]
    lean_pairs = [dd / ee for (ee, _), (dd, _) in zip(samples["e"], samples["d"])]
    speedup = b / c
    print(f"\noverhead (b) over (a): {overhead:+.1f}% wall ({cpu_overhead:+.1f}% cpu), "
          f"{b - a:.1f} s  -> target <= 10%: {'met' if overhead <= 10 else 'MISSED'}")
    print(f"speed-up (c) over (b): {speedup:.2f}x wall  -> target >= 1.6x: "
          f"{'met' if speedup >= 1.6 else 'MISSED'}")
    print(f"(c) vs (d): {c:.1f} s vs {d:.1f} s, (c) is {d / c:.2f}x as fast  -> target "
          f"faster: {'met' if c < d else 'MISSED'}; per round (d)/(c): "
          + ", ".join(f"{r:.3f}" for r in pairs))
    print(f"(e) vs (d), summaries only on both sides: {e:.1f} s vs {d:.1f} s, (e) is "
          f"{d / e:.2f}x as fast; per round (d)/(e): " + ", ".join(f"{r:.3f}" for r in lean_pairs))
    for case in ("b", "c", "e"):
        print(f"results.parquet of ({case}): {checks[case]}")
    aisim = costs["summary_record"] + costs["to_pipe"] + costs["from_pipe"] + costs["series"]
    lean = costs["summary_record"] + costs["lean_pipe"]
    batch = costs["batch_collect"] + costs["batch_result"]
    print(f"\nCPU ms per run besides the model (the model: {costs['model']:.0f} ms), timed in "
          f"one process over {min(n, 50)} runs before the cases:\n"
          f"  (c) aisim       {aisim:5.1f} = worker: summary and record {costs['summary_record']:.1f}, "
          f"to the pipe {costs['to_pipe']:.1f}; parent: from the pipe {costs['from_pipe']:.1f}, "
          f"timeseries rows to Parquet {costs['series']:.1f}\n"
          f"  (e) aisim lean  {lean:5.1f} = summary and record {costs['summary_record']:.1f}, "
          f"summary through the pipe {costs['lean_pipe']:.1f}\n"
          f"  (d) batch_run   {batch:5.1f} = DataCollector ({sim.Params().horizon_months + 1} collects) "
          f"{costs['batch_collect']:.1f}, its row through the pipe {costs['batch_result']:.1f}\n"
          f"  the same model under both, so these alone would make (d)/(c) "
          f"{(costs['model'] + batch) / (costs['model'] + aisim):.3f} and (d)/(e) "
          f"{(costs['model'] + batch) / (costs['model'] + lean):.3f} (start-up aside)")


if __name__ == "__main__":
    main()
