"""The report's numbers from a loaded Sweep: outcome rates with Wilson intervals, leader,
scenario and concentration tables, percentile bands across seeds, and scenario discovery
(PRIM boxes over the swept parameters, sim.discovery). No matplotlib here."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..roster import SUMMARY_YEARS
from .. import discovery
from .load import Sweep

YEARS = SUMMARY_YEARS
OUTCOMES = {"hyperscaler_owned_leads": "a hyperscaler-owned model leads",
            "inhouse_leads": "an in-house lab (leader_kind) leads"}
ENTRANT = "a lab founded in the run"


def wilson(k, n, confidence: float = 0.95):
    """The Wilson score interval for k successes in n trials (scipy's; arrays work too)."""
    k, n = np.broadcast_arrays(np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64))
    lo, hi = np.empty(k.shape), np.empty(k.shape)
    for i in np.ndindex(k.shape):
        ci = stats.binomtest(int(k[i]), int(n[i])).proportion_ci(confidence, method="wilson")
        lo[i], hi[i] = ci.low, ci.high
    p = k / n
    # Rounding can put a bound a hair on the wrong side of p (k = n gives 0.9999999999999999
    # < 1): clip, so error bars are never negative.
    return np.clip(lo, 0.0, p), np.clip(hi, p, 1.0)


def rates(runs: pd.DataFrame, by, outcome) -> pd.DataFrame:
    """n, k, p and the Wilson interval of a boolean outcome (a column or a Series) by group."""
    g = pd.Series(runs[outcome] if isinstance(outcome, str) else outcome).groupby(
        [runs[b] for b in ([by] if isinstance(by, str) else by)])
    t = pd.DataFrame({"n": g.size(), "k": g.sum().astype(int)})
    t["p"] = t.k / t.n
    t["lo"], t["hi"] = wilson(t.k, t.n)
    return t.reset_index()


def leader_table(s: Sweep) -> pd.DataFrame:
    """P(firm leads at the start of year Y) by scenario, for every firm that ever leads."""
    years = [y for y in YEARS if f"leader_{y}" in s.ok and s.ok[f"leader_{y}"].notna().any()]
    # Labs founded during runs count as one: "Entrant 3" is a different lab in every run.
    leader = {y: s.ok[f"leader_{y}"].where(~s.ok[f"leader_{y}"].fillna("").str.startswith(
        "Entrant "), ENTRANT) for y in years}
    firms = sorted({f for y in years for f in leader[y].dropna()} - {""})
    parts = [rates(s.ok[leader[y].notna()], "scenario", leader[y][leader[y].notna()] == firm)
             .assign(year=y, firm=firm) for y in years for firm in firms]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["scenario", "n", "k", "p", "lo", "hi", "year", "firm"])


# Groups of the sustained leader (sim.simulation.group_of), in the order the report shows.
GROUPS = {"independent": "independent lab", "inhouse": "hyperscaler-owned (in-house) lab",
          "open_weights": "open-weights lab", "founded_in_run": "lab founded in the run",
          "": "none (the lead is contested)"}


def sustained_table(s: Sweep) -> pd.DataFrame:
    """Share of seeds whose sustained leader (over the last three years) is of each group,
    by scenario, with Wilson intervals: one row per scenario, a column per group seen."""
    if "sustained_leader_group" not in s.ok:  # a sweep from before the field existed
        return pd.DataFrame()
    group = s.ok.sustained_leader_group.fillna("")
    seen = [g for g in GROUPS if (group == g).any()]
    t = pd.concat([rates(s.ok, "scenario", group == g).assign(group=g) for g in seen])
    t["rate"] = [f"{r.p:.0%} ({r.lo:.0%}-{r.hi:.0%})" for r in t.itertuples()]
    return (t.pivot(index="scenario", columns="group", values="rate").loc[s.scenarios, seen]
            .rename(columns=GROUPS).rename_axis(columns=None).reset_index())


def bands(frame: pd.DataFrame, col: str, by=("scenario", "month")) -> pd.DataFrame:
    """10th percentile, median and 90th percentile of `col` across runs."""
    g = frame.groupby(list(by), observed=True)[col]
    return pd.DataFrame({"p10": g.quantile(0.1), "median": g.median(), "p90": g.quantile(0.9)})


def fmt(v: float) -> str:
    if isinstance(v, bool | np.bool_):  # a switch such as entry.merger_control
        return str(bool(v)).lower()
    return f"{v:.3g}".replace("e+0", "e").replace("e+", "e")  # 2e10, 0.3, 6


def drivers(s: Sweep) -> dict:
    """Scenario discovery for the OUTCOMES: the rate per scenario, and PRIM over the swept
    numeric parameters (sim.discovery: its peeling trajectory, and the chosen box with the
    stability of its restrictions over 10 resamples)."""
    d = {"rates": pd.concat([rates(s.ok, "scenario", o).assign(outcome=o) for o in OUTCOMES],
                            ignore_index=True), "prim": {}, "boxes": {}}
    if s.swept:
        X = s.ok[s.swept]
        for o in OUTCOMES:
            steps, box = discovery.prim(X, s.ok[o], resamples=10)
            if box is not None:
                d["prim"][o], d["boxes"][o] = steps, box
    return d


# Value captured to the horizon, accounted in full (sim/value.py): the groups, as the page
# names them, in the summary's fields.
VALUE_GROUPS = {"value_clouds_usd": "clouds (hyperscalers, their own labs, their stakes)",
                "value_labs_usd": "labs' own shareholders (founders, staff; Meta's lab)",
                "value_investors_usd": "investors",
                "value_chip_vendors_usd": "chip vendors (gross profit, stakes)"}


def value_table(s: Sweep) -> pd.DataFrame:
    """Value captured by each group to the horizon, per scenario: median and 10-90% band
    across seeds (USD), and the runs. Empty for a sweep from before the fields existed."""
    cols = [c for c in VALUE_GROUPS if c in s.ok]
    if not cols:
        return pd.DataFrame(columns=["scenario", "group", "label", "runs", "p10", "median",
                                     "p90"])
    rows = []
    for scen in s.scenarios:
        runs = s.ok[s.ok.scenario == scen]
        for c in cols:
            v = runs[c].dropna()
            rows.append({"scenario": scen, "group": c, "label": VALUE_GROUPS[c],
                         "runs": len(v), "p10": v.quantile(0.1), "median": v.median(),
                         "p90": v.quantile(0.9)})
    return pd.DataFrame(rows)


def by_lab(labs: pd.DataFrame, col: str, how: str) -> pd.DataFrame:
    """`col` per run, month and lab, with the labs founded during a run as one lab, ENTRANT
    ("Entrant 3" is a different lab in every run): their `how` ("max": the best of them,
    "sum": all of them together). Columns: scenario, run, month, firm, col."""
    names = labs.firm.astype(str)
    labs = labs[["scenario", "run", "month", col]].assign(
        firm=names.where(~names.str.startswith("Entrant "), ENTRANT))
    keys = ["scenario", "run", "month", "firm"]
    return labs.groupby(keys, observed=True, sort=False)[col].agg(how).reset_index()


def points(s: Sweep) -> pd.Series:
    """Each run's scenario and swept point as a label ("open_entry, entry.rate_scale=3.0"),
    by run; only the scenario when the sweep has more than 12 points."""
    n = len(s.ok[["scenario", *s.swept]].drop_duplicates())
    keys = ["scenario", *s.swept] if n <= 12 else ["scenario"]
    return s.ok.set_index("run")[keys].astype(str).apply(
        lambda row: ", ".join(v if k == "scenario" else f"{k}={v}" for k, v in row.items()),
        axis=1)


def concentration_table(s: Sweep) -> pd.DataFrame:
    """At the horizon, per scenario and swept point: HHI means with 95% intervals (Student's
    t over seeds, scipy) and the roster's counts, so differences can be judged."""
    g = s.ok.groupby(s.ok.run.map(points(s)))
    out = {"runs": g.size()}
    for col, name in (("hhi_ownership_final", "HHI ownership"),
                      ("hhi_revenue_final", "HHI revenue")):
        mean = g[col].mean()
        n = g.size()
        half = (stats.t.ppf(0.975, np.maximum(n - 1, 1)) * g[col].sem()).fillna(0.0)
        out[f"{name} mean"], out[f"{name} 95% lo"] = mean, mean - half
        out[f"{name} 95% hi"] = mean + half
    for col in ("entrants", "exits_acquihired", "exits_acquired", "exits_closed"):
        if col in s.ok:
            out[f"mean {col}"] = g[col].mean()
    t = pd.DataFrame(out).rename_axis("scenario and swept point").reset_index()
    return t.sort_values("scenario and swept point",
                         key=lambda c: c.map(lambda g: (not g.startswith("baseline"), g)))


def scenario_table(s: Sweep) -> pd.DataFrame:
    g = s.ok.groupby("scenario")

    def most_likely(names: pd.Series) -> str:
        share = names.value_counts(normalize=True)
        return f"{share.index[0]} ({share.iloc[0]:.0%})"

    return pd.DataFrame({
        "runs": g.size(),
        "most likely leader": g.winner_capability.agg(most_likely),
        **({"most likely sustained leader": g.sustained_leader.agg(
            lambda names: most_likely(names.replace("", "none")))}
           if "sustained_leader" in s.ok else {}),
        "P(independent lab leads) %": g.lab_leads.mean() * 100,
        "P(hyperscaler-owned model leads) %": g.hyperscaler_owned_leads.mean() * 100,
        "median HHI revenue": g.hhi_revenue_final.median(),
        "median HHI ownership": g.hhi_ownership_final.median(),
        "median cloud share of AI value added %":
            g.cloud_share_of_ai_spend_final.median() * 100,
        "mean lab exits": g.lab_exits.mean(),
        "median cumulative cloud profit (USD bn)": g.cloud_profit_cum_usd.median() / 1e9,
        "median cumulative lab profit (USD bn)": g.lab_profit_cum_usd.median() / 1e9,
        **({"median value captured, clouds (USD bn)": g.value_clouds_usd.median() / 1e9,
            "median value captured, labs (USD bn)": g.value_labs_usd.median() / 1e9,
            "median value captured, investors (USD bn)": g.value_investors_usd.median() / 1e9,
            **({"median value captured, chip vendors (USD bn)":
                g.value_chip_vendors_usd.median() / 1e9}
               if "value_chip_vendors_usd" in s.ok else {}),
            "P(labs capture more value than clouds) %":
                (s.ok.value_labs_usd > s.ok.value_clouds_usd).groupby(s.ok.scenario).mean()
                * 100} if "value_labs_usd" in s.ok else {}),
    }).loc[s.scenarios]
