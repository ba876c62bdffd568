"""`simulate(cfg, seed)`: the one door every caller uses - config in, result tables out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .model import AIIndustry
from .params import Params, from_dict, validate

# Years at whose start summaries report the leader (A30: who leads in 2026, 2030, 2034).
SUMMARY_YEARS = (2026, 2030, 2034)


@dataclass
class Result:
    """A run's tables: `firms` (one row per firm per month), `industry` (one row per month)
    and `summary` (one flat dict)."""

    firms: pd.DataFrame
    industry: pd.DataFrame
    summary: dict[str, Any]
    params: Params = field(repr=False)


def to_params(cfg: Any = None) -> Params:
    """Params from None (the 2024 baseline), a Params, or a nested mapping such as a Hydra
    DictConfig; unknown keys and out-of-range values raise ConfigError naming the key."""
    if cfg is None:
        return Params()
    if isinstance(cfg, Params):
        return validate(dataclasses.replace(cfg))
    if hasattr(cfg, "_metadata"):  # an OmegaConf container
        from omegaconf import OmegaConf

        cfg = OmegaConf.to_container(cfg, resolve=True)
    from .config import RUN_KEYS  # seed, replicates, workers: the run's, not the model's

    data = {k: v for k, v in dict(cfg).items() if k not in (*RUN_KEYS, "hydra")}
    return from_dict(data)


def simulate(cfg: Any = None, *, seed: int = 0) -> Result:
    params = to_params(cfg)
    model = AIIndustry(params, seed=seed)
    model.run()
    firms, industry = model.recorder.frames()
    return Result(firms, industry, summarize(params, int(seed), firms, industry), params)


def summarize(params: Params, seed: int, firms: pd.DataFrame, industry: pd.DataFrame) -> dict:
    last = firms[firms.month == firms.month.max()]
    labs = last[(last.kind != "hyperscaler") & last.alive]
    top_cap = labs.loc[labs.capability.idxmax()]
    # Revenue earned by model sales over the last year (open-weights models earn none).
    year = firms[(firms.month > firms.month.max() - 12) & (firms.kind != "hyperscaler")]
    top_rev = year.groupby("firm", sort=False).revenue_usd.sum().idxmax()
    profit = firms.groupby("firm", sort=False).profit_usd.sum()
    kinds = firms.drop_duplicates("firm").set_index("firm").kind
    final = industry.iloc[-1]
    summary = {
        "scenario": params.scenario,
        "seed": seed,
        "horizon_months": params.horizon_months,
        "winner_capability": top_cap.firm,
        "winner_revenue": top_rev,
        "winner_value": profit.idxmax(),
        "leader_kind": top_cap.kind,
        "leader_owner": top_cap.owner or top_cap.group,
        "hhi_revenue_final": float(final.hhi_revenue),
        "hhi_ownership_final": float(final.hhi_ownership),
        "cloud_share_of_ai_spend_final": float(final.cloud_share_of_ai_spend),
        "lab_exits": int(final.lab_exits),
        "frontier_capability_final": float(final.frontier_capability),
        "frontier_flop_final": float(final.frontier_flop),
        "ai_spend_usd_final": float(final.ai_spend_usd),
        "roundtrip_cum_usd": float(final.roundtrip_cum_usd),
        "strategic_invested_cum_usd": float(final.strategic_invested_cum_usd),
        "cloud_profit_cum_usd": float(profit[kinds == "hyperscaler"].sum()),
        "lab_profit_cum_usd": float(profit[kinds != "hyperscaler"].sum()),
    }
    # "Leader in Y": at the start of Y, i.e. in the last month of Y-1 (a default run's
    # last month, 2033-12, is the start of 2034).
    for y in SUMMARY_YEARS:
        rows = industry[industry.date.dt.year == y - 1]
        if len(rows) == 12:
            summary[f"leader_{y}"] = rows.iloc[-1].leader
            summary[f"leader_kind_{y}"] = rows.iloc[-1].leader_kind
    return summary
