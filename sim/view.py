"""What a firm's decision may read of the world: a read-only view of the market (the
frontier, the trend, prices, pay, valuations, who owns and carries what). Policies
(sim/policies/) get this, never the model, so a decision cannot move money or change
another firm's state."""

from __future__ import annotations

import math


class MarketView:
    """The market as a policy sees it (`view` in every policy method): the month, the
    parameters, the frontier and the compute trend, prices, pay, valuations, what capital is
    left, and who owns and carries which lab. Read-only by construction for its own
    attributes (nothing can be set on it); the firms and parameters it hands out are shared
    objects, to be read and not changed (a policy that changes them breaks the books and
    reproducibility)."""

    __slots__ = ("_m", "params")

    def __init__(self, model):
        object.__setattr__(self, "_m", model)
        # The run's parameters: an attribute, not a property, as every decision reads it.
        object.__setattr__(self, "params", model.p)

    def __setattr__(self, name, value):
        raise AttributeError(f"the market view is read-only: cannot set {name!r}")

    @property
    def month(self) -> int:
        """Months since 2024-01 (month 0)."""
        return self._m.month

    @property
    def frontier_capability(self) -> float:
        """Capability of the best released model on sale (-inf before any)."""
        return self._m.frontier()[0]

    def trend_flop(self, month: float | None = None) -> float:
        """The trend-sized frontier run (A9) this month, or at `month`."""
        return self._m.trend_flop(month)

    @property
    def ai_spend(self) -> float:
        """Customers' spending on models this month (USD)."""
        return self._m.products.ai_spend

    def market_share(self, lab) -> float:
        """The lab's share of customers' spending this month."""
        spend = self._m.products.ai_spend
        return float(self._m.products.model_spend[lab.slot]) / spend if spend > 0 else 0.0

    def business_share(self, lab) -> float:
        """The lab's share of businesses' spending this month (consumers left out: they pay
        flat subscriptions, not the token price)."""
        spend = self._m.products.business_spend
        total = float(spend.sum())
        return float(spend[lab.slot]) / total if total > 0 else 0.0

    @property
    def capital_left(self) -> float:
        """What outside investors can still put in this year (their unspent pools, USD)."""
        return sum(investor.cash for investor in self._m.investors)

    def market_price(self) -> float:
        """The three clouds' average list price per FLOP this month, USD."""
        return self._m.compute.market_price()

    def run_price(self, lab) -> float:
        """What a FLOP of training costs this lab at its suppliers this month, USD."""
        return self._m.compute.run_price(lab)

    def monthly_salaries(self, lab) -> float:
        """The lab's pay bill a month, overhead included, USD."""
        return self._m.talent.monthly_salaries(lab)

    def talent_multiplier(self, lab) -> float:
        """The lab's algorithmic efficiency from its researchers' talent (1: the mean lab)."""
        return float(self._m.talent.multiplier[lab.slot])

    def headcount(self, lab) -> int:
        """The lab's simulated researchers (each stands for talent.workforce /
        talent.n_researchers real ones)."""
        return int(self._m.talent.heads[lab.slot])

    def valuation(self, lab) -> float:
        """The lab's pre-money value, USD (a revenue multiple with a frontier option)."""
        return self._m.capital.valuation(lab)

    def capability_of(self, lab, flop: float) -> float:
        """Expected capability of a run of `flop` by this lab if it started now (the
        scaling law at the run's end, with today's talent; no outcome noise)."""
        m = self._m
        if flop <= 0:
            return -math.inf
        return m.capability(flop, m.month + m.p.training.run_months, lab)

    def rivals_next_capability(self, lab) -> float:
        """The best capability the lab's rivals are expected to have on sale when a run it
        starts now is released: the frontier now, their trained models awaiting release and
        their runs in progress at the scaling law (no outcome noise); -inf if none. Runs are
        public knowledge in the model (clusters are announced)."""
        m = self._m
        best = m.frontier()[0]
        run_months = m.p.training.run_months
        for other in m.labs:
            if other is lab or not other.alive:
                continue
            for model in other.pending:
                best = max(best, model.capability)
            if other.run_target_flop > 0:
                best = max(best, m.capability(other.run_target_flop,
                                              other.run_start + run_months, other))
        return best

    def stake_value(self, holder: str, lab) -> float:
        """What `holder`'s stake in `lab` is worth, marked to the lab's valuation (0 if it
        holds none or the lab is gone), USD."""
        share = lab.stakes.get(holder, 0.0)
        return share * self._m.capital.valuation(lab) if share > 0 and lab.alive else 0.0

    def stakes_value(self, holder: str) -> float:
        """What all of `holder`'s stakes in independent labs are worth (stake_value), USD."""
        return sum(self.stake_value(holder, lab) for lab in self._m.labs
                   if lab.independent)

    def owner(self, lab):
        """The hyperscaler that owns an in-house lab."""
        return self._m.by_name[lab.owner]

    def inhouse_labs(self, h) -> list:
        """The hyperscaler's own labs that are alive."""
        return self._m.inhouse_labs(h)

    def partner_labs(self, h) -> list:
        """Independent labs with a model on sale that this cloud carries (its partners)."""
        m = self._m
        return [lab for lab in m.labs
                if lab.sells and lab.independent and m.products.carries(h, lab)]
