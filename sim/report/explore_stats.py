"""The numbers of an exploration's report (`aisim explore`'s folder): which uncertainties
matter most for each headline outcome (sensitivity.csv), PRIM boxes and a classification tree
over every sampled uncertainty (sim.discovery), and each group's chance to win over the whole
design, with Wilson intervals. No matplotlib here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import discovery, explore
from .. import uncertainties as unc
from .load import ReportError
from .stats import GROUPS, wilson

# The outcomes whose sensitivity bars the page shows (those the exploration computed), and
# the yes/no outcomes it looks for boxes of, in the words of the page.
HEADLINE = ("hyperscaler_owned_leads", "sustained_inhouse_leads", "sustained_independent_leads",
            "labs_capture_more", "value_labs_share", "cloud_share_of_ai_spend",
            "hhi_ownership")
DISCOVER = {"hyperscaler_owned_leads": "a hyperscaler-owned model leads at the horizon",
            "labs_capture_more": "labs capture more value than clouds",
            "sustained_inhouse_leads": "a hyperscaler's own lab holds the frontier over the "
                                       "last three years"}
TOP_BARS = 10
RESAMPLES = 10  # PRIM runs on random halves for the stability of each restriction
# The groups of value captured (sim/value.py), as the page names them.
VALUE_GROUPS = {"clouds": "clouds", "labs": "labs' own shareholders", "investors": "investors",
                "chip_vendors": "chip vendors"}
KINDS = {"independent_lab": "independent lab", "inhouse_lab": "in-house lab",
         "open_weights": "open-weights lab", "": "none"}

# Short names a policy reader understands, for the uncertainties most likely to matter; the
# others go by their key (`aisim explore --list` gives every key's reason and range).
LABELS = {
    "compute.doubling_months": "months for frontier compute to double",
    "compute.price_performance_doubling_months": "months for compute per dollar to double",
    "compute.frontier_run_flop_2024": "largest training run of 2024 (FLOP)",
    "compute.cloud_markup": "cloud price markup",
    "compute.scarcity_price_slope": "how steeply scarce compute raises prices",
    "compute.hardware_share_of_cost": "hardware's share of compute cost",
    "compute.hardware_life_months": "months accelerators are kept",
    "compute.max_planned_growth_per_month": "fastest planned growth of capacity a month",
    "compute.partner_discount": "cloud discount to partner labs",
    "compute.build_lead_months": "months to build a data centre",
    "compute.max_capex_cash_share": "hyperscalers' monthly capex cap (share of cash)",
    "training.algorithmic_halving_months": "months for algorithms to halve compute needs",
    "training.run_months": "months a training run takes",
    "training.release_lag_months": "months from training to release",
    "training.research_compute_multiple": "research compute per training run",
    "training.open_weights_ambition": "open-weights labs' ambition",
    "training.outcome_sigma": "luck in training runs (outcome noise)",
    "training.max_run_cash_share": "share of cash a lab puts into one run",
    "training.salary_reserve_months": "months of salaries labs keep back",
    "demand.cloud_market_growth_per_year": "cloud market growth a year",
    "demand.home_cloud_shares.Google": "Google's share of cloud customers",
    "demand.ai_spend_2024_usd_per_month": "AI spending in 2024 (USD a month)",
    "demand.spend_multiplier_per_capability": "spending growth per capability step",
    "demand.ai_spend_ceiling_usd_per_year": "ceiling on AI spending (USD a year)",
    "demand.rechoose_prob": "customers re-choosing a model each month",
    "demand.quality_weight": "customers' weight on quality",
    "demand.price_weight": "customers' weight on price",
    "demand.home_cloud_bonus": "pull of a customer's home cloud",
    "demand.switching_cost": "customers' switching cost",
    "demand.consumer_share": "consumers' share of spending",
    "demand.consumer_rechoose_prob": "consumers re-choosing an app each month",
    "demand.consumer_price_weight": "consumers' weight on price",
    "demand.direct_sales_bonus": "labs' direct sales channel",
    "demand.max_markup": "labs' highest markup",
    "demand.serving_overhead": "serving FLOP per forward-pass FLOP",
    "demand.open_weights_markup": "open-weights price over cost",
    "demand.distillation_lag_months": "open weights' distillation lag",
    "demand.tokens_per_param_2024": "training tokens a parameter, 2024",
    "demand.tokens_per_param_growth_per_year": "growth of tokens a parameter a year",
    "demand.max_tokens_per_param": "most training tokens a parameter",
    "finance.us_capital_pool_usd_per_year": "US venture capital for AI labs (USD a year)",
    "finance.sovereign_pool_usd_per_year": "sovereign capital for AI labs (USD a year)",
    "finance.sovereign_fail_prob": "chance a sovereign deal fails",
    "finance.strategic_pool_usd_per_year": "other strategic investors (USD a year)",
    "finance.failed_deal_wait_months": "months a failed funding deal costs",
    "finance.raise_runway_months": "months of cash left when labs raise",
    "finance.revenue_multiple": "labs' valuation (revenue multiple)",
    "finance.cloud_revenue_multiple": "clouds' valuation (revenue multiple)",
    "finance.inhouse_serving_headroom": "owners' funding of in-house serving growth",
    "finance.frontier_option": "investors' value of being at the frontier",
    "finance.max_fundable_gap": "how far behind investors still fund a lab (steps)",
    "finance.cloud_spend_obligation": "share of an investment spent back on the investor's cloud",
    "finance.max_strategic_share_of_raise": "hyperscalers' largest share of a round",
    "finance.max_strategic_share_of_cash_flow": "hyperscalers' investment cap (share of cash flow)",
    "finance.consolidation_stake": "stake that puts a partner in its investor's bloc",
    "finance.inhouse_budget_share": "owners' budget for their in-house labs",
    "finance.open_weights_budget_share": "Meta's budget for open weights",
    "finance.deal_figures": "partnership deal figures",
    "strategy.inhouse_push": "hyperscalers' push to build in house",
    "strategy.control_value": "value of controlling one's own model",
    "strategy.value_sensitivity": "how sharply make-or-buy follows values",
    "strategy.initial_make_weight.Microsoft": "Microsoft's initial make-vs-buy weight",
    "strategy.initial_make_weight.Amazon": "Amazon's initial make-vs-buy weight",
    "strategy.initial_make_weight.Google": "Google's initial make-vs-buy weight",
    "strategy.partnerships": "lab-cloud partnerships allowed",
    "strategy.adjust_rate": "how fast hyperscalers change strategy",
    "talent.workforce": "researchers able to train frontier models",
    "talent.pay_weight": "researchers' weight on pay",
    "talent.openness_weight": "researchers' weight on open weights",
    "talent.inhouse_full_hiring_make_weight": "make weight at which in-house labs hire fully",
    "talent.elasticity": "how strongly talent follows pay",
    "talent.skill_exponent": "how much star researchers count",
    "talent.lab_pull": "independent labs' pull on talent",
    "talent.pay_usd_per_year.independent_lab": "pay at independent labs (USD a year)",
    "talent.pay_usd_per_year.inhouse_lab": "pay at in-house labs (USD a year)",
    "entry.enabled": "new labs founded",
    "entry.rate_per_year": "new labs founded a year",
    "entry.merger_control": "hyperscalers may buy failing labs",
    "entry.talent_buy_prob": "chance of an acqui-hire",
    "entry.reputation_months": "months investors fund a new lab on its founders",
    "entry.type_round_runs.founder_capital": "a founder with capital's first round (runs)",
    "entry.acquire_max_gap": "how close to the frontier a lab must be to be bought",
    "entry.acquihire_pay_years": "price of an acqui-hire (years of pay)",
    "policy.lab": "labs' policy",
    "policy.hyperscaler": "hyperscalers' policy",
    "policy.lab.payback_months": "profit-seeking labs' payback (months)",
}


def label(key: str) -> str:
    return LABELS.get(key, key)


def value_format(key: str):
    """How a restriction's value reads: dollars as $60B, others as discovery writes them."""
    if "usd" not in key.split(".")[1]:
        return discovery._fmt

    def dollars(v) -> str:
        for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= size:
                return f"${v / size:.3g}{unit}"
        return f"${v:.3g}"
    return dollars


@dataclass
class Exploration:
    dir: Path
    meta: dict                 # explore.json: the design, its number of runs, SALib's version
    done: dict                 # done.json: runs, failed, seconds, command (when recorded)
    results: pd.DataFrame      # results.parquet: every run
    ok: pd.DataFrame           # the runs without error
    sens: pd.DataFrame         # sensitivity.csv
    method: str
    keys: list[str]            # the sampled uncertainties
    outcomes: list[str]        # the outcomes with indices


def is_exploration(folder: Path | str) -> bool:
    return (Path(folder) / "explore.json").exists()


def load(folder: Path | str) -> Exploration:
    folder = Path(folder)
    for name in ("explore.json", "results.parquet", "sensitivity.csv"):
        if not (folder / name).exists():
            raise ReportError(f"{folder} has no {name} (not a finished exploration folder?)")
    meta = json.loads((folder / "explore.json").read_text())
    done = json.loads((folder / "done.json").read_text()) if (folder / "done.json").exists() \
        else {}
    results = pd.read_parquet(folder / "results.parquet")
    ok = results[results.error.isna()]
    if ok.empty:
        raise ReportError(f"{folder}: none of its {len(results)} runs succeeded")
    sens = pd.read_csv(folder / "sensitivity.csv")
    design = meta["design"]
    outcomes = [o for o in explore.OUTCOMES if o in set(sens.outcome)]
    return Exploration(folder, meta, done, results, ok, sens, design["method"],
                       list(design["keys"]), outcomes)


def bars(x: Exploration, outcome: str, n: int = TOP_BARS) -> pd.DataFrame:
    """The n uncertainties that matter most for `outcome` by the method's ranking index, with
    the indices the page draws (Morris mu_star; Sobol ST and S1; RBD-FAST S1_rbd) and their
    intervals: rows parameter, label, index, value, ci_low, ci_high, rank."""
    best = explore.top(x.sens, x.method, outcome, n)
    shown = explore.SHOW[x.method] if x.method != "morris" else ("mu_star",)
    rows = x.sens[(x.sens.outcome == outcome) & x.sens.parameter.isin(best.parameter)
                  & x.sens["index"].isin(shown)].copy()
    rank = {p: i for i, p in enumerate(best.parameter)}
    rows["rank"] = rows.parameter.map(rank)
    rows["label"] = rows.parameter.map(label)
    return rows.sort_values(["rank", "index"], kind="stable")[
        ["outcome", "rank", "parameter", "label", "index", "value", "ci_low", "ci_high"]]


def chances(x: Exploration) -> pd.DataFrame:
    """Each group's chance to win over the whole design: the sustained leader's group (over
    the last three years; none when the lead is contested), the snapshot leader's kind at the
    horizon, and a hyperscaler-owned leader at the horizon. Rows: measure, group, k, n, p,
    lo, hi (95 % Wilson) over the runs without error."""
    ok, parts = x.ok, []

    def add(measure: str, groups: dict[str, str], values: pd.Series) -> None:
        values = values.fillna("")
        for g, name in groups.items():
            k = int((values == g).sum())
            if k or g:  # "none" only where it happens
                parts.append({"measure": measure, "group": name, "k": k, "n": len(ok)})

    add("sustained leader's group (last three years)", GROUPS, ok.sustained_leader_group)
    seen = {k: KINDS.get(k, k) for k in [*KINDS, *sorted(set(ok.leader_kind.dropna()))]
            if k in KINDS or k}
    add("leader's kind at the horizon (one month)", seen, ok.leader_kind)
    owned = ok.hyperscaler_owned_leads == 1
    parts.append({"measure": "leader at the horizon is hyperscaler-owned (in-house or in a "
                             "hyperscaler's bloc)", "group": "hyperscaler-owned",
                  "k": int(owned.sum()), "n": len(ok)})
    cols = [f"value_{g}_usd" for g in VALUE_GROUPS]
    if set(cols) <= set(ok.columns):  # an exploration from before value was accounted in full
        totals = ok[cols].set_axis(list(VALUE_GROUPS), axis=1)
        top = totals.idxmax(axis=1).where(totals.notna().all(axis=1), "")
        add("group capturing the most value to the horizon (the groups' totals)",
            {g: name for g, name in VALUE_GROUPS.items()
             if g in ("clouds", "labs") or (top == g).any()}, top)
        more = ok.labs_capture_more == 1
        parts.append({"measure": "labs' own shareholders capture more value than the clouds",
                      "group": "labs capture more", "k": int(more.sum()), "n": len(ok)})
    t = pd.DataFrame(parts)
    t["p"] = t.k / t.n
    t["lo"], t["hi"] = wilson(t.k, t.n)
    return t


@dataclass
class Found:
    """Scenario discovery for one yes/no outcome."""

    outcome: str
    words: str                     # what the outcome is, in the page's words
    base: float                    # its rate over the runs
    n: int
    steps: list[discovery.Box]     # PRIM's peeling trajectory
    box: discovery.Box | None      # the chosen box
    tree: str                      # the classification tree's rules
    score: float                   # its cross-validated balanced accuracy

    def sentence(self) -> str:
        if self.box is None:
            return (f"{self.words[0].upper() + self.words[1:]} in {self.base:.0%} of the "
                    f"{self.n} runs: it {'never' if self.base == 0 else 'always'} happens, "
                    "so there is no region to find.")
        text = self.box.words(self.words, self.base, {k: label(k) for k in self.box.limits},
                              {k: value_format(k) for k in self.box.limits})
        return text[0].upper() + text[1:] + "."


def inputs(x: Exploration) -> pd.DataFrame:
    """The sampled values of the runs without error (a policy by its option's name)."""
    return x.ok[x.keys].reset_index(drop=True)


def discover(x: Exploration, outcome: str, resamples: int = RESAMPLES, seed: int = 0) -> Found:
    y = x.ok[outcome].to_numpy() == 1
    X = inputs(x)
    steps, box = discovery.prim(X, y, resamples=resamples, seed=seed)
    text, score = discovery.tree(X, y, seed=seed) if 0 < y.sum() < len(y) else ("", 0.5)
    return Found(outcome, DISCOVER.get(outcome, outcome), float(y.mean()), len(y), steps, box,
                 text, score)


def restrictions(f: Found) -> pd.DataFrame:
    """The chosen box's restrictions: key, name, range or values, stability (%)."""
    rows = []
    for k, lim in (f.box.limits.items() if f.box else []):
        where = discovery._condition(label(k), lim, value_format(k))
        stable = f.box.stability.get(k)
        rows.append({"uncertainty": k, "restriction": where,
                     "found again in resamples (%)": np.nan if stable is None else round(stable)})
    return pd.DataFrame(rows, columns=["uncertainty", "restriction",
                                       "found again in resamples (%)"])


def trajectory(found: list[Found]) -> pd.DataFrame:
    """Every PRIM step of every outcome: coverage, density, mass, runs, restrictions (the
    chosen box keeps only the significant restrictions of its step, so it may lie off it)."""
    return pd.DataFrame(
        [{"outcome": f.outcome, "step": i, "coverage": b.coverage, "density": b.density,
          "mass": b.mass, "n": b.n, "restricted": len(b.limits)}
         for f in found for i, b in enumerate(f.steps)],
        columns=["outcome", "step", "coverage", "density", "mass", "n", "restricted"])


def described(key: str) -> str:
    """A key's range or choices, for the page's tables."""
    u = unc.declared().get(key)
    return unc.describe(u)[1] if u is not None else ""
