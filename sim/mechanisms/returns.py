"""What a training run is expected to earn and be worth (A8, A12, A19, A27): the share a
better model wins under customers' logit choice, the margin it earns over its life, and the
lab's valuation when it is out. Pure functions; the lab policies (sim/policies/lab.py) feed
them from the market view."""

from __future__ import annotations

import math
from typing import NamedTuple

from . import finance


class Market(NamedTuple):
    """What a lab expects of the market a run's model is sold into (all numbers today's)."""

    share: float  # the lab's share of customers' spending (>= a small entry share)
    released: float  # the lab's model on sale, whose standing earns that share (steps)
    current: float  # the lab's best model, released or awaiting release (steps)
    frontier: float  # the best model on sale now
    rivals_next: float  # the best rivals are expected to have on sale by the release
    spend: float  # customers' spending on models a month, USD
    spend_multiplier: float  # spending grows this much per step the frontier gains
    spend_ceiling: float  # most customers spend a month, USD
    quality_weight: float  # logit utility per capability step (customers' mean)
    reached: float  # share of customers who re-choose over a model's life
    keep: float  # share of sales the lab keeps after serving and revenue shares
    payback_months: float  # months a model sells before it is superseded
    value_weight: float  # share of the valuation a model generation is credited with
    revenue_multiple: float  # valuation per USD of yearly revenue
    frontier_option: float  # extra value at the frontier, decaying by e per step behind


def share_after(share: float, standing_change: float, quality_weight: float,
                reached: float) -> float:
    """The lab's share once `reached` of customers have re-chosen, when its standing against
    rivals moves by `standing_change` steps: under logit choice its odds are multiplied by
    exp(quality_weight x change) (sim/mechanisms/demand.py)."""
    odds = math.exp(max(min(quality_weight * standing_change, 700.0), -700.0))
    settled = share * odds / (1.0 - share + share * odds)
    return share + reached * (settled - share)


def run_value(capability: float, m: Market) -> float:
    """USD a run whose model has `capability` is expected to bring: its margin over the
    model's life plus `value_weight` of the lab's valuation when it is out. The lab's
    standing is its capability (it keeps its best model if the run lands below it) less the
    rivals' best by then, against its released model's today; falling behind loses share, and a model that
    moves the frontier grows customers' spending (demand.spend_multiplier_per_capability)."""
    own = max(capability, m.current)
    best_next = max(m.rivals_next, own)
    if math.isfinite(m.released) and math.isfinite(m.frontier):
        change = (own - best_next) - (m.released - m.frontier)
    else:  # no model yet: from the entry share, a model level with the best is par
        change = own - best_next
    share = share_after(m.share, change, m.quality_weight, m.reached)
    growth = max(best_next - m.frontier, 0.0) if math.isfinite(m.frontier) else 0.0
    spend = min(m.spend * m.spend_multiplier ** min(growth, 50.0), m.spend_ceiling)
    revenue = spend * share
    value = finance.valuation(12.0 * revenue, best_next - own, m.revenue_multiple,
                              m.frontier_option)
    return m.payback_months * m.keep * revenue + m.value_weight * value


class Choice(NamedTuple):
    """The run a lab picks: its size as a multiple of the trend-sized run, what it is
    expected to bring (USD) and what it costs (USD)."""

    scale: float
    value: float
    cost: float


# Three-point Gauss-Hermite rule for the expectation over a normal outcome: offsets in
# standard deviations and their weights.
OUTCOMES = ((-math.sqrt(3.0), 1.0 / 6.0), (0.0, 2.0 / 3.0), (math.sqrt(3.0), 1.0 / 6.0))


def expected_run_value(capability: float, sigma: float, m: Market) -> float:
    """run_value averaged over the run's outcome, normal around `capability` with standard
    deviation `sigma` (training.outcome_sigma): a run expected to land just below the lab's
    best model may still beat it."""
    if sigma <= 0:
        return run_value(capability, m)
    return sum(w * run_value(capability + z * sigma, m) for z, w in OUTCOMES)


def best_run(scales, capability_at_trend: float, cost_at_trend: float,
             per_doubling: float, market: Market, sigma: float = 0.0) -> Choice:
    """Among runs of `scales` x the trend-sized run, the one whose expected value less its
    cost is largest. `capability_at_trend`: the expected capability of the trend-sized run;
    each doubling adds `per_doubling` steps (the scaling law); cost is linear in size;
    `sigma`: the spread of a run's outcome.

    The hot loop of the default lab policy, so expected_run_value is spelt out here with
    the same arithmetic in the same order: run_value reads a capability only through
    max(capability, current), so outcomes landing below the lab's best model (over half of
    them, the small runs') share one evaluation."""
    current = market.current
    known: dict[float, float] = {}  # run_value by max(capability, current)
    best = None
    for scale in scales:
        cap = capability_at_trend + per_doubling * math.log2(scale)
        if sigma > 0:
            value = 0.0  # as sum() in expected_run_value: 0 + the first term is that term
            for z, w in OUTCOMES:
                own = max(cap + z * sigma, current)
                v = known.get(own)
                if v is None:
                    v = known[own] = run_value(own, market)
                value += w * v
        else:
            value = run_value(cap, market)
        cost = cost_at_trend * scale
        if best is None or value - cost > best.value - best.cost:
            best = Choice(scale, value, cost)
    return best
