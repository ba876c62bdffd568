"""Benchmark of the simulation core's CPU cost (not a test: nothing here fails on timing).

Run:  python benchmarks/bench_core.py [--quick]
      python benchmarks/bench_core.py --against REV [--rounds K]   # this tree against REV

`--against REV` checks REV out in a temporary git worktree and times the default run in
this tree and in REV's, alternately, one fresh process per tree and round (each does a
warm-up run, then times several seeds), so that the machine's drift hits both alike. It
prints each tree's median CPU seconds per run, and the ratio this / REV with its range over
the rounds (a ratio at or below 1: no slower).

All times are CPU seconds from time.process_time(), the median over several seeds/repeats,
after one warm-up run, so that other load on a shared machine matters less than wall time.

What it prints and how to read it:
1. DEFAULT RUN: median CPU seconds of `sim.simulate(seed=s)` (10,000 customers, 120 months)
   and whether it is under the 0.3 s target.
2. SCALING: median CPU seconds for n_customers N in {1k, 10k, 100k} x horizon_months T in
   {30, 60, 120}, and a least-squares fit of the cell medians to t = a + b*T + c*T*N:
   a = fixed set-up cost, b = fixed cost per month (firms, ledger, recorder, ...),
   c = cost per customer-month. R^2 near 1 means the model explains the grid. Linearity:
   the per-customer part of the time, (t - a - b*T) / (T*N), at 100k divided by that at 10k
   (about 1 = linear in N; well above 1 = worse than linear). At 10k the customers are a
   small share of the run, so this ratio is noisy; the same ratio is therefore also given
   for the CPU time measured inside CustomerPopulation.choose + spend_by_model_and_home
   during those runs (wrapped with a timer), which is the robust linearity check.
3. CHOICE ARITHMETIC: `reference_month` below is a self-contained numpy copy of one month of
   CustomerPopulation.choose + spend_by_model_and_home (6 models). Its cost per
   customer-month (and the slope of a fit t = a + c*N per month) is the yardstick; the
   printed ratio "model c / reference c" is the target quantity (goal: within 2x).
   CustomerPopulation.choose (+ spend_by_model_and_home) from sim is timed the same way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_MODELS = 6


def cpu(fn, *args, **kwargs) -> float:
    t0 = time.process_time()
    fn(*args, **kwargs)
    return time.process_time() - t0


# ---------------------------------------------------------------- numpy reference
def make_population(n: int, rng: np.random.Generator) -> dict:
    """Arrays like CustomerPopulation's: 3 hyperscaler home clouds + 'elsewhere'."""
    probs = np.array([0.24, 0.31, 0.11, 0.34])
    budget = rng.lognormal(0.0, 1.5, size=n)
    return dict(home=rng.choice(4, size=n, p=probs), weight=budget / budget.sum(),
                bq=4.0 * rng.lognormal(-0.125, 0.5, size=n),
                bp=1.0 * rng.lognormal(-0.125, 0.5, size=n),
                choice=rng.integers(0, N_MODELS, size=n))


def reference_month(pop, rng, cap, logp, offered, reach, switching=0.5, p_rechoose=0.1):
    """One month: ~10% re-choosers (plus stranded) take argmax of logit utility with Gumbel
    noise; then budget-weighted spend per (model, home) over all customers."""
    choice, home = pop["choice"], pop["home"]
    stranded = (choice < 0) | ~offered[np.maximum(choice, 0)]
    movers = np.flatnonzero(stranded | (rng.random(choice.size) < p_rechoose))
    util = (pop["bq"][movers, None] * cap[None, :] - pop["bp"][movers, None] * logp[None, :]
            + reach[:, home[movers]].T)
    cur = choice[movers]
    has = cur >= 0
    util[np.flatnonzero(has), cur[has]] += switching
    util += rng.gumbel(size=util.shape)
    util[:, ~offered] = -np.inf
    choice[movers] = np.argmax(util, axis=1)
    chosen = choice >= 0
    flat = choice[chosen] * 4 + home[chosen]
    return np.bincount(flat, weights=pop["weight"][chosen], minlength=N_MODELS * 4)


def month_inputs(rng):
    cap = rng.uniform(0.5, 1.5, N_MODELS)
    logp = np.where(np.arange(N_MODELS) == N_MODELS - 1, np.log(0.3), 0.0)
    reach = rng.choice([0.0, 0.5, 1.0], size=(N_MODELS, 4))
    return cap, logp, np.ones(N_MODELS, bool), reach


def time_reference(n, months, seed):
    rng = np.random.default_rng(seed)
    pop, (cap, logp, offered, reach) = make_population(n, rng), month_inputs(rng)
    t0 = time.process_time()
    for _ in range(months):
        reference_month(pop, rng, cap, logp, offered, reach)
    return time.process_time() - t0


def time_choose(n, months, seed):
    from sim.mechanisms.demand import CustomerPopulation

    rng = np.random.default_rng(seed)
    pop = CustomerPopulation(n, rng, [0.24, 0.31, 0.11], 1.5, 4.0, 1.0)
    pop.start_with(rng, np.ones(N_MODELS))
    cap, logp, offered, reach = month_inputs(rng)
    t0 = time.process_time()
    for _ in range(months):
        pop.choose(rng, cap, logp, offered, reach, 0.5, 0.1)
        pop.spend_by_model_and_home(N_MODELS)
    return time.process_time() - t0


def slope(ns, ts):
    """Least-squares slope of t against n."""
    return float(np.polyfit(np.asarray(ns, float), np.asarray(ts, float), 1)[0])


# ---------------------------------------------------------------- this tree against another
TIME_RUNS = """
import json, sys, time
sys.path.insert(0, {tree!r})
import sim
assert sim.__file__.startswith({tree!r}), sim.__file__
sim.simulate(seed=0)  # warm-up
times = []
for seed in {seeds!r}:
    t0 = time.process_time()
    sim.simulate(seed=seed)
    times.append(time.process_time() - t0)
print(json.dumps(times))
"""


def time_tree(tree: Path, seeds: list[int]) -> list[float]:
    out = subprocess.run([sys.executable, "-c", TIME_RUNS.format(tree=str(tree), seeds=seeds)],
                         cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def against(rev: str, rounds: int) -> None:
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(here), "worktree", "add", "--detach", "--quiet",
                        str(other), rev], check=True)
        try:
            times = {"this": [], rev: []}
            ratios = []
            for k in range(rounds):
                seeds = list(range(1 + 4 * k, 5 + 4 * k))
                order = [("this", here), (rev, other)][:: 1 if k % 2 == 0 else -1]
                got = {name: statistics.median(time_tree(tree, seeds)) for name, tree in order}
                for name in got:
                    times[name].append(got[name])
                ratios.append(got["this"] / got[rev])
                print(f"round {k + 1}: this {got['this']:.3f} s, {rev} {got[rev]:.3f} s, "
                      f"ratio {ratios[-1]:.3f}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(here), "worktree", "remove", "--force",
                            str(other)], check=True)
    print(f"== DEFAULT RUN, this tree against {rev}: {rounds} rounds of 4 seeds")
    print(f"median CPU per run: this {statistics.median(times['this']):.3f} s, {rev} "
          f"{statistics.median(times[rev]):.3f} s;  ratio this / {rev} "
          f"{statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")


# ---------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--against", metavar="REV", help="time the default run against REV")
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds (--against)")
    args = ap.parse_args()
    if args.against:
        return against(args.against, args.rounds)
    reps = 2 if args.quick else 9
    import sim

    ns, ts = (1_000, 10_000, 100_000), (30, 60, 120)
    cpu(sim.simulate, seed=0)  # warm-up: imports, caches
    default = [cpu(sim.simulate, seed=s) for s in range(1, 2 * reps + 2)]
    med = statistics.median(default)
    print(f"== DEFAULT RUN (10k customers, 120 months), {len(default)} seeds")
    print(f"median CPU {med:.3f} s  (min {min(default):.3f}, max {max(default):.3f})  "
          f"target 0.3 s: {'UNDER' if med < 0.3 else 'OVER'} ({med / 0.3:.2f}x target)")

    # Time spent inside CustomerPopulation during the grid runs (wrapper costs ~1 us/call).
    from sim.mechanisms.demand import CustomerPopulation as CP
    inside = {"t": 0.0}

    def timed(fn):
        def wrapper(*args, **kwargs):
            t0 = time.process_time()
            out = fn(*args, **kwargs)
            inside["t"] += time.process_time() - t0
            return out
        return wrapper

    originals = CP.choose, CP.spend_by_model_and_home
    CP.choose, CP.spend_by_model_and_home = map(timed, originals)
    print(f"\n== SCALING (median CPU s over {reps} seeds, repeats interleaved)")
    samples, inner = {}, {}
    for s in range(reps):  # seeds outermost, so a burst of load hits every cell alike
        for n in ns:
            for t in ts:
                inside["t"] = 0.0
                cfg = {"demand": {"n_customers": n}, "horizon_months": t}
                samples.setdefault((n, t), []).append(cpu(sim.simulate, cfg, seed=s))
                inner.setdefault((n, t), []).append(inside["t"] / (n * t))
    CP.choose, CP.spend_by_model_and_home = originals
    cells = {k: statistics.median(v) for k, v in samples.items()}
    print("N \\ T".ljust(10) + "".join(f"{t:>10d}" for t in ts))
    for n in ns:
        print(f"{n:<10d}" + "".join(f"{cells[n, t]:10.3f}" for t in ts))
    X = np.array([[1.0, t, t * n] for n, t in cells])
    y = np.array(list(cells.values()))
    (a, b, c), *_ = np.linalg.lstsq(X, y, rcond=None)
    r2 = 1.0 - np.sum((y - X @ [a, b, c]) ** 2) / np.sum((y - y.mean()) ** 2)
    print(f"fit t = a + b*T + c*T*N:  a = {a * 1e3:.1f} ms   b = {b * 1e9:,.0f} ns/month"
          f"   c = {c * 1e9:.1f} ns/customer-month   R^2 = {r2:.4f}")
    T = ts[-1]
    per = {n: (cells[n, T] - a - b * T) / (T * n) for n in ns}
    print(f"per-customer part (t - a - b*T)/(T*N) at T={T}: "
          + ", ".join(f"{n // 1000}k {per[n] * 1e9:.1f} ns" for n in ns))
    print(f"linearity (from fit): per-customer-month time 100k / 10k = "
          f"{per[100_000] / per[10_000]:.2f}")
    ins = {n: statistics.median(inner[n, T]) for n in ns}
    print(f"measured inside choose+spend during the runs at T={T}: "
          + ", ".join(f"{n // 1000}k {ins[n] * 1e9:.1f} ns" for n in ns)
          + f";  100k / 10k = {ins[100_000] / ins[10_000]:.2f}")

    months = 120
    print(f"\n== CHOICE ARITHMETIC ({N_MODELS} models, {months} months, median over {reps})")
    print(f"{'N':<10}{'reference ns/cust-mo':>22}{'choose ns/cust-mo':>20}{'choose/ref':>12}")
    ref, cho = {}, {}
    for n in ns:
        time_reference(n, 5, 99), time_choose(n, 5, 99)  # warm-up
        pairs = [(time_reference(n, months, s), time_choose(n, months, s)) for s in range(reps)]
        ref[n] = statistics.median(r for r, _ in pairs)  # interleaved, so load hits both
        cho[n] = statistics.median(ch for _, ch in pairs)
        print(f"{n:<10d}{ref[n] / (n * months) * 1e9:22.1f}{cho[n] / (n * months) * 1e9:20.1f}"
              f"{cho[n] / ref[n]:12.2f}")
    c_ref = slope(ns, [ref[n] / months for n in ns])
    c_cho = slope(ns, [cho[n] / months for n in ns])
    print(f"slope per customer-month: reference {c_ref * 1e9:.1f} ns, choose {c_cho * 1e9:.1f} ns")
    print(f"model c / reference c = {c / c_ref:.2f}  (target <= 2: "
          f"{'MET' if c / c_ref <= 2 else 'NOT MET'});  choose / reference = {c_cho / c_ref:.2f}")
    ref100 = ref[100_000] / (100_000 * months)
    print(f"model c / reference at 100k = {c / ref100:.2f};  in-model choose+spend at 100k /"
          f" reference at 100k = {ins[100_000] / ref100:.2f}")


if __name__ == "__main__":
    main()
