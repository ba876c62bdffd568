"""The capital market (A3, A12, A17, A22, A23): investors' yearly pools, the cash big tech
brings from its other businesses, strategic investments with their cloud-spend
obligations, and the rounds of labs short of runway."""

from __future__ import annotations

import math
from typing import NamedTuple

from .. import roster
from ..mechanisms import finance
from ..mechanisms.finance import OTHER_BUSINESS
from ..policies import checked

# Capability steps behind the frontier at which a lab without a model is valued: its
# frontier option, exp(-10), is nothing.
NO_MODEL_GAP = 10.0


class Tranche(NamedTuple):
    """Money an investor puts into a lab at a pre-money valuation."""

    investor: str
    lab: object
    amount: float
    pre_money: float


class CapitalMarket:
    def __init__(self, model):
        self.model = model
        self.strategic_cum = 0.0  # hyperscalers' strategic investments since 2024-01

    def valuation(self, lab) -> float:
        """A lab's pre-money value: a revenue multiple with an option on the frontier."""
        m = self.model
        f = m.p.finance
        frontier_cap, _ = m.frontier()
        gap = frontier_cap - lab.capability if lab.sells else NO_MODEL_GAP
        return finance.valuation(12.0 * lab.last_sales, gap, f.revenue_multiple,
                                 f.frontier_option)

    def refill(self) -> None:
        """January: each investor's pool is topped up to a year's size."""
        for investor in self.model.investors:
            investor.refill()

    def receive_other_cash_flows(self) -> None:
        """Big tech funds AI from its other businesses; Meta's lab gets a budget share (A15)."""
        m = self.model
        for h in m.hyperscalers:
            m.ledger.pay(OTHER_BUSINESS, h.name, h.other_cash_flow_per_month, "other_business")
        for lab in m.labs:
            if lab.is_open:
                budget = roster.META_CASH_FLOW_USD_PER_YEAR / 12.0 * \
                    m.p.finance.open_weights_budget_share
                m.ledger.pay(OTHER_BUSINESS, lab.name, budget, "other_business")

    def close_scheduled_deals(self) -> None:
        """Strategic investments of 2024 on the public record (A2; C)."""
        m = self.model
        if not m.p.strategy.partnerships or m.p.finance.deal_figures == "article":
            return
        for investor, lab_name, month, amount in roster.SCHEDULED_DEALS:
            lab = m.lab(lab_name)
            if month == m.month and lab.alive:
                self.invest_strategic(Tranche(investor, lab, amount, self.valuation(lab)))

    def invest_strategic(self, t: Tranche) -> None:
        """Equity and access for cash, most of which must come back as cloud spend (A17)."""
        m = self.model
        h, lab = m.by_name[t.investor], t.lab
        m.ledger.pay(h.name, lab.name, t.amount, "investment")
        lab.stakes = finance.dilute(lab.stakes, finance.equity_for(t.amount, t.pre_money),
                                    h.name)
        m.deals.equity_sold(lab, h.name, finance.equity_for(t.amount, t.pre_money))
        lab.obligations[h.name] = lab.obligations.get(h.name, 0.0) + \
            m.p.finance.cloud_spend_obligation * t.amount
        lab.raised += t.amount
        lab.invested_total += t.amount
        h.invested_month += t.amount
        self.strategic_cum += t.amount

    def sell_equity(self, t: Tranche) -> None:
        """A financial investor's tranche: cash for equity at its pre-money value."""
        lab = t.lab
        self.model.ledger.pay(t.investor, lab.name, t.amount, "investment")
        lab.stakes = finance.dilute(lab.stakes, finance.equity_for(t.amount, t.pre_money),
                                    t.investor)
        self.model.deals.equity_sold(lab, t.investor, finance.equity_for(t.amount, t.pre_money))
        lab.raised += t.amount
        lab.invested_total += t.amount

    def raise_rounds(self) -> None:
        """Labs that decide to raise go to their partner clouds, then to investors in roster
        order (US private capital, a strategic co-investor, sovereign funds, A22, A23);
        nobody funds a lab too far behind the frontier."""
        m = self.model
        f = m.p.finance
        labs = [lab for lab in m.labs if lab.alive and lab.independent]
        m.random.shuffle(labs)  # who reaches the year's finite pool first
        frontier_cap, _ = m.frontier()
        for lab in labs:
            if not lab.policy.wants_to_raise(lab, m.view):
                continue
            # A lab founded in the run raises on its founders' reputation for a while
            # (entry.reputation_months; sim/markets/entry.py Roster.reputation_value).
            reputation = m.roster.reputation_value(lab)
            young = reputation > 0
            pre_money = max(self.valuation(lab), reputation)
            need = min(checked(lab.policy.round_target(lab, m.view), lab.policy,
                               "round_target", lab, lo=-math.inf),
                       pre_money * f.max_round_share / (1.0 - f.max_round_share))
            # A lab without a model is beyond any gap unless it is young.
            gap = frontier_cap - lab.capability if lab.sells else math.inf
            if gap > f.max_fundable_gap and not young:  # nobody funds a lab this far behind
                continue
            self.fill_round(lab, need, pre_money)

    def fill_round(self, lab, need: float, pre_money: float) -> None:
        """Partner clouds first (each decides its share), then investors in roster order."""
        m = self.model
        if m.p.strategy.partnerships:
            partners = [m.by_name[n] for n in lab.partners]
            for h in partners:
                share = checked(h.policy.partner_share(h, len(partners), m.view), h.policy,
                                "partner_share", h, hi=1.0)
                budget = checked(h.policy.partner_budget(h, m.view), h.policy,
                                 "partner_budget", h, lo=-math.inf)
                amount = min(need * share, budget, max(h.cash, 0.0))
                if amount > 0:
                    self.invest_strategic(Tranche(h.name, lab, amount, pre_money))
                    need -= amount
        for investor in m.investors:
            if need <= 0:
                break
            amount, pre = investor.offer(lab, need, pre_money)
            if amount > 0:
                self.sell_equity(Tranche(investor.name, lab, amount, pre))
                need -= amount
