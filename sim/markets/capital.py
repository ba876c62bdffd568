"""The capital market (A3, A12, A17, A22, A23): investors' yearly pools and their appetite for
the sector, the growing cash big tech brings from its other businesses, strategic
investments with their cloud-spend obligations, the rounds of labs short of runway (led by
whoever offers most), and compute for equity from partner clouds' idle capacity. What a
round leaves short may come as vendor credit (sim/markets/credit.py)."""

from __future__ import annotations

import math
from collections import deque
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
        # Investors' appetite (set each January): pools as a multiple of their 2024 size, the
        # valuation multiple in force, and what moved them.
        self.appetite = 1.0
        self.revenue_multiple = model.p.finance.revenue_multiple
        self.sector_growth = 0.0  # last year's growth of customers' spending on models
        self.investor_losses = 0.0  # last year's equity and credit written off, USD
        # Hyperscalers' other cash flow in 2024 (it grows from there).
        self.other_cash_flow_2024 = {h.name: h.other_cash_flow_per_month
                                     for h in model.hyperscalers}
        self.compute_for_equity_cum = 0.0  # compute clouds supplied for equity since 2024-01
        self.in_kind: dict[str, deque] = {}  # cloud -> (month, compute for equity), 12 months
        # lab -> (investor that led its last round, month of the round)
        self.round_leader: dict[str, tuple[str, int]] = {}
        self.outside_invested: dict[str, float] = {}  # lab -> financial investors' money in it

    def valuation(self, lab) -> float:
        """A lab's pre-money value: a revenue multiple (this year's) with an option on the
        frontier."""
        m = self.model
        frontier_cap, _ = m.frontier()
        gap = frontier_cap - lab.capability if lab.sells else NO_MODEL_GAP
        return finance.valuation(12.0 * lab.last_sales, gap, self.revenue_multiple,
                                 m.p.finance.frontier_option)

    def refill(self) -> None:
        """January: investors review their appetite for the sector (from the second simulated January on), then each
        investor's pool is set to a year's size at that appetite."""
        if self.model.month > 0:
            self.review_appetite()
        for investor in self.model.investors:
            investor.refill(self.appetite)

    def review_appetite(self) -> None:
        """Investors' appetite follows the sector's returns: pools grow with customers'
        spending on models since 2024 and shrink for a year after losses; the valuation
        multiple follows last year's growth of that spending against the growth 2024's
        multiple was paid for."""
        m = self.model
        mo = m.p.money
        self.sector_growth = self.last_year_growth()
        self.investor_losses = self.last_year_losses()
        pools = sum(investor.pool_per_year for investor in m.investors)
        loss_share = self.investor_losses / pools if pools > 0 else 0.0
        self.appetite = finance.appetite(self.sector_revenue_ratio(), loss_share,
                                         mo.appetite_elasticity, mo.loss_weight,
                                         mo.min_appetite, mo.max_appetite)
        self.revenue_multiple = m.p.finance.revenue_multiple * finance.multiple_factor(
            self.sector_growth, mo.reference_growth_per_year, loss_share,
            mo.multiple_elasticity, mo.loss_weight, mo.min_appetite, mo.max_appetite)

    def sector_revenue_ratio(self) -> float:
        """Customers' spending on models last month as a multiple of 2024-01's."""
        spend = self.model.recorder.industry["ai_spend_usd"]
        return float(spend[self.model.month - 1] / spend[0]) if spend[0] > 0 else 1.0

    def last_year_growth(self) -> float:
        """Growth over the last 12 months of customers' monthly spending on models (the
        sector's revenue), annualised; in the first year, from the first month."""
        m = self.model
        spend = m.recorder.industry["ai_spend_usd"]
        last, first = m.month - 1, max(m.month - 13, 0)
        if last <= first or spend[first] <= 0:
            return 0.0
        return float(spend[last] / spend[first]) ** (12.0 / (last - first)) - 1.0

    def last_year_losses(self) -> float:
        """What investors lost in the last 12 months: the money financial investors put into
        labs that closed or were acqui-hired (what an acqui-hire pays back is not netted),
        and vendor credit in default."""
        m = self.model
        lost = sum(self.outside_invested.get(lab.name, 0.0) for lab in m.labs
                   if lab.exit_month is not None and m.month - 12 <= lab.exit_month < m.month
                   and lab.exit_kind in ("closed", "acqui-hired"))
        return lost + self.model.credit.take_defaults_this_year()

    def cash_flow_growth(self) -> float:
        """Big tech's other cash flow this month as a multiple of 2024-01's."""
        m = self.model
        return (1.0 + m.p.money.other_cash_flow_growth_per_year) ** (m.month / 12.0)

    def receive_other_cash_flows(self) -> None:
        """Big tech funds AI from its other businesses, growing at a yearly rate; Meta's lab
        gets a budget share of Meta's, growing alike (A15)."""
        m = self.model
        growth = self.cash_flow_growth()
        for h in m.hyperscalers:
            h.other_cash_flow_per_month = self.other_cash_flow_2024[h.name] * growth
            m.ledger.pay(OTHER_BUSINESS, h.name, h.other_cash_flow_per_month, "other_business")
        for lab in m.labs:
            if lab.is_open:
                budget = roster.META_CASH_FLOW_USD_PER_YEAR / 12.0 * growth * \
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
        self.outside_invested[lab.name] = self.outside_invested.get(lab.name, 0.0) + t.amount
        lab.stakes = finance.dilute(lab.stakes, finance.equity_for(t.amount, t.pre_money),
                                    t.investor)
        self.model.deals.equity_sold(lab, t.investor, finance.equity_for(t.amount, t.pre_money))
        lab.raised += t.amount
        lab.invested_total += t.amount

    def raise_rounds(self) -> None:
        """Labs that decide to raise go to their partner clouds, then to investors, the one
        offering most first (A22, A23); what they leave short, partner clouds may supply as
        idle compute for equity and the primary cloud lend as vendor credit; nobody funds a
        lab too far behind the frontier."""
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
            short = self.fill_round(lab, need, pre_money)
            if short > 0 and not young:  # what equity left short: idle compute, then credit
                short -= self.compute_for_equity(lab, short, pre_money)
                m.credit.lend(lab, short)

    def fill_round(self, lab, need: float, pre_money: float) -> float:
        """Partner clouds first (each decides its share), then investors, the one offering
        most first (it leads the round); returns what is left unraised."""
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
        for investor in self.by_offer(lab, need):
            if need <= 0:
                break
            amount, pre = investor.offer(lab, need, pre_money)
            if amount > 0:
                if self.round_leader.get(lab.name, ("", -1))[1] != m.month:
                    self.round_leader[lab.name] = (investor.name, m.month)
                    investor.rounds_led += 1
                self.sell_equity(Tranche(investor.name, lab, amount, pre))
                need -= amount
        return max(need, 0.0)

    def by_offer(self, lab, need: float) -> list:
        """Investors in the order a raising lab takes their money: the largest offer (at
        its price: a discount counts against it) first; on a tie, roster order."""
        return sorted(self.model.investors,
                      key=lambda i: -i.capacity(lab, need) * (1.0 - i.discount))

    # ---------------------------------------------------------------- compute for equity
    def compute_for_equity(self, lab, need: float, pre_money: float) -> float:
        """A partner cloud with idle capacity supplies compute for equity: beyond its share
        of the round, it takes shares worth up to `money.compute_for_equity_months` of its
        idle capacity at its price, less what it supplied so in the last 12 months, and the
        lab owes all of it back as spend on that cloud (a strategic investment paid in kind:
        `compute_for_equity`, then `compute`). Returns what it supplied."""
        m = self.model
        months = m.p.money.compute_for_equity_months
        if not m.p.strategy.partnerships or months <= 0:
            return 0.0
        target = m.p.compute.target_utilisation
        supplied = 0.0
        for name in lab.partners:
            h = m.by_name.get(name)
            if h is None or h.capacity is None or need - supplied <= 0:
                continue
            idle = h.capacity.in_service(m.month) * max(target - h.utilisation, 0.0)
            recent = self.in_kind.setdefault(h.name, deque())
            while recent and recent[0][0] <= m.month - 12:  # older than 12 months
                recent.popleft()
            given = sum(amount for _, amount in recent)
            amount = min(need - supplied, idle * h.price * months - given)
            if amount <= 0:
                continue
            recent.append((m.month, amount))
            m.ledger.pay(h.name, lab.name, amount, "compute_for_equity")
            share = finance.equity_for(amount, pre_money)
            lab.stakes = finance.dilute(lab.stakes, share, h.name)
            m.deals.equity_sold(lab, h.name, share)
            lab.obligations[h.name] = lab.obligations.get(h.name, 0.0) + amount
            lab.raised += amount
            lab.invested_total += amount
            h.invested_month += amount
            self.strategic_cum += amount
            self.compute_for_equity_cum += amount
            supplied += amount
        return supplied
