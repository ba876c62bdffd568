"""`python -m sim` / `aisim`: run one scenario and write its tables, summary and overview.

A plain argparse front for now; the Hydra application replaces it (issue: scenarios and
sweeps).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from . import simulate
from .params import ConfigError, from_dict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aisim", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--months", type=int, default=None, help="horizon in months (120)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default outputs/<date>/<time>)")
    args = parser.parse_args(argv)
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        params = from_dict({} if args.months is None else {"horizon_months": args.months})
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = args.out or Path("outputs") / time.strftime("%Y-%m-%d/%H-%M-%S")
    out.mkdir(parents=True, exist_ok=True)
    result = simulate(params, seed=args.seed)
    result.firms.to_parquet(out / "firms.parquet", index=False)
    result.industry.to_parquet(out / "industry.parquet", index=False)
    (out / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n")
    from .plots import overview

    overview(result, out / "overview.png")
    s = result.summary
    print(f"scenario {s['scenario']}, seed {s['seed']}, {s['horizon_months']} months")
    print(f"  frontier leader at the horizon: {s['winner_capability']} ({s['leader_kind']})")
    print(f"  largest revenue share: {s['winner_revenue']}; most profit: {s['winner_value']}")
    print(f"  HHI by revenue {s['hhi_revenue_final']:.0f}, by ownership "
          f"{s['hhi_ownership_final']:.0f}; lab exits {s['lab_exits']}")
    print(f"wrote {out}/ (firms.parquet, industry.parquet, summary.json, overview.png)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
