"""The golden baseline: summary statistics of a fixed set of baseline runs, stored in
`tests/golden/baseline.json` and compared on every test run (tests/test_validation.py), so
that any change to what the baseline produces is seen and explained, never slipped in. The
same for the fixed-roster model (`entry.enabled=false`) in `tests/golden/fixed_roster.json`:
it was the baseline before entry was on, and entry must not change it; and for labs that
sell two tiers (`demand.cheap_tier=true`, scenario cheap_tiers) in
`tests/golden/cheap_tiers.json`.

    python -m sim.golden            # compare, print what changed; exit 1 if anything did
    python -m sim.golden --write    # regenerate on purpose, after a deliberate model change

See docs/validation.md ("The golden baseline") for when regenerating is right.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"
CASES = {"baseline": {}, "fixed_roster": {"entry": {"enabled": False}},  # name -> overrides
         "cheap_tiers": {"demand": {"cheap_tier": True}}}
SEEDS = range(6)  # small enough to compare on every test run, fast or not
RTOL = 1e-9  # same platform, same numbers: anything looser would hide real changes


def path(case: str) -> Path:
    return GOLDEN / f"{case}.json"


def compute(seeds=SEEDS, case: str = "baseline", workers: int = 1) -> dict:
    """Statistics over a case's runs: per numeric measure mean, min and max; per text field
    the count of each value. Runs on `workers` processes (sim.runner; 1: here)."""
    from .config import to_params
    from .runner import run

    params = to_params(CASES[case])
    rows, texts = [], []
    for outcome in run([(params, seed) for seed in seeds], workers, measure=_measures,
                       keep_record=False):
        if outcome.error is not None:
            raise RuntimeError(f"{case}, seed {outcome.seed}: {outcome.error}")
        rows.append(outcome.value)
        texts.append({k: v for k, v in outcome.summary.items() if isinstance(v, str)})
    stats = {}
    for key in sorted(rows[0]):
        values = np.array([r[key] for r in rows], dtype=float)
        stats[key] = {"mean": float(values.mean()), "min": float(values.min()),
                      "max": float(values.max())}
    counts = {key: dict(sorted(Counter(t[key] for t in texts).items()))
              for key in sorted(texts[0])}
    return {"seeds": [min(seeds), max(seeds)], "numbers": stats, "counts": counts}


def _measures(result) -> dict:
    """A run's numbers: its summary's (but the seed) and validation's measures."""
    from .validate import measure

    numbers = {k: v for k, v in result.summary.items()
               if isinstance(v, int | float) and k != "seed"}
    return {**numbers, **measure(result)}


def differences(stored: dict, now: dict, rtol: float = RTOL) -> list[str]:
    """Human-readable list of everything that differs."""
    out = []
    if stored.get("seeds") != now["seeds"]:
        out.append(f"seeds: stored {stored.get('seeds')}, now {now['seeds']}")
    old, new = stored.get("numbers", {}), now["numbers"]
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new:
            out.append(f"{key}: {'added' if key in new else 'removed'}")
            continue
        for stat in ("mean", "min", "max"):
            a, b = old[key][stat], new[key][stat]
            same = (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rtol,
                                                                      abs_tol=1e-12)
            if not same:
                out.append(f"{key}.{stat}: stored {a:.6g}, now {b:.6g}")
    if stored.get("counts") != now["counts"]:
        out.append(f"counts: stored {stored.get('counts')}, now {now['counts']}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.golden", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="regenerate the stored file")
    ap.add_argument("--case", choices=CASES, action="append",
                    help="only this case (repeatable; default: all)")
    ap.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    args = ap.parse_args(argv)
    if args.workers < 1:
        ap.error(f"--workers={args.workers}: must be at least 1")
    changed = False
    for case in args.case or CASES:
        now = compute(case=case, workers=args.workers)
        if args.write:
            GOLDEN.mkdir(parents=True, exist_ok=True)
            path(case).write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
            print(f"wrote {path(case)}")
            continue
        diff = differences(json.loads(path(case).read_text()), now)
        print(f"{case}: " + ("\n  ".join(["changed:", *diff]) if diff else "unchanged"))
        changed = changed or bool(diff)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
