"""The roster of labs (A12, A13, A22, A31): labs are founded when investors can pay a
first round, failing labs are bought whole or acqui-hired by hyperscalers (or close), and
hyperscalers building their own models hire teams away."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..mechanisms import training
from ..mechanisms.finance import OUTSIDE_INVESTORS
from ..policies import checked
from ..roster import Kind
from .capital import Tranche


class Sale(NamedTuple):
    """A lab sold to a hyperscaler: whole (it becomes an in-house lab) or its team only."""

    lab: object
    buyer: object
    price: float
    whole: bool


class Roster:
    def __init__(self, model):
        self.model = model
        self.entrants = 0  # labs founded so far

    def acquihire_price(self, lab) -> float:
        """Years of in-house pay for each of the lab's researchers (Inflection, 2024)."""
        m = self.model
        tp = m.p.talent
        return (m.talent.heads[lab.slot] * tp.workforce / tp.n_researchers
                * tp.pay_usd_per_year[Kind.INHOUSE] * m.p.entry.acquihire_pay_years)

    def found_labs(self) -> None:
        """With `entry.rate_per_year` x `rate_scale` attempts a year, a team of star
        researchers founds a lab if this year's investors can pay its first round - the
        team's pay for a while plus a first run at a share of the frontier."""
        m = self.model
        e, tr = m.p.entry, m.p.training
        free = [lab for lab in m.labs if lab.dormant]
        if not e.enabled or not free or m.rng.random() >= e.rate_per_year * e.rate_scale / 12:
            return
        tp = m.p.talent
        team = max(1, round(e.team_share * tp.n_researchers))
        pay = (tp.pay_usd_per_year[Kind.INDEPENDENT] * tp.workforce / tp.n_researchers
               * (1 + tp.overhead_ratio))
        first_round = (team * pay / 12.0 * e.first_round_salary_months
                       + training.run_cost(e.first_run_share * m.trend_flop(),
                                           m.compute.market_price(),
                                           tr.research_compute_multiple))
        # A lab that trains outside the three clouds takes no hyperscaler money (xAI); else
        # one hyperscaler leads, drawn in proportion to what it can still invest.
        other_cloud = m.rng.random() < e.other_cloud_prob
        backers = [(h, min(first_round * checked(h.policy.partner_share(h, 1, m.view),
                                                 h.policy, "partner_share", h, hi=1.0),
                           checked(h.policy.partner_budget(h, m.view), h.policy,
                                   "partner_budget", h, lo=-math.inf), max(h.cash, 0.0)))
                   for h in m.hyperscalers] if m.p.strategy.partnerships else []
        backers = [] if other_cloud else [b for b in backers if b[1] > 0]
        lead = (None, 0.0)
        if backers:
            room = np.array([b[1] for b in backers])
            lead = backers[m.rng.choice(len(backers), p=room / room.sum())]
        funders = [i for i in m.investors if i.spec.funds_startups]
        available = lead[1]
        for investor in funders:
            available += investor.cash
        if available < first_round:
            return  # this year's capital is spent: nobody founds a frontier lab
        lab = free[0]
        lab.dormant, lab.alive, lab.founded_month = False, True, m.month
        lab.open_weights = m.rng.random() < e.open_prob
        lab.other_cloud = other_cloud
        self.entrants += 1
        m.talent.researchers.found(m.rng, lab.slot, team, tp.skill_exponent)
        m.talent.count_heads()
        heads = m.talent.heads
        # A funded start-up hires toward the size of a mid-sized lab.
        independents = [heads[x.slot] for x in m.labs
                        if x.alive and x.independent and x is not lab]
        lab.target_headcount = max(team, e.startup_target_size_share * float(
            np.mean(independents)) if independents else team)
        need = first_round
        pre = first_round * e.founders_pre_money_multiple
        if lead[0] is not None and lead[1] > 0:
            lab.partners = (lead[0].name,)
            m.capital.invest_strategic(Tranche(lead[0].name, lab, lead[1], pre))
            need -= lead[1]
        for investor in funders:
            amount, their_pre = investor.offer(lab, need, pre)  # sovereign: at a discount
            if amount > 0:
                m.capital.sell_equity(Tranche(investor.name, lab, amount, their_pre))
                need -= amount
        m.talent.update_multipliers()

    def fail(self, lab) -> None:
        """An independent lab that cannot pay its staff: with the roster changing and no
        merger control, a hyperscaler buys it - whole if its model is near the frontier (it
        becomes an in-house lab), else its researchers only (acqui-hire: the models stop
        being sold); otherwise it closes (A22, A31). The buyer's payment goes to the lab's
        outside shareholders."""
        m = self.model
        e = m.p.entry
        buyer, price, whole = None, 0.0, False
        if e.enabled and not e.merger_control:
            frontier_cap, _ = m.frontier()
            whole = lab.sells and frontier_cap - lab.capability <= e.acquire_max_gap
            price = max(m.capital.valuation(lab), 0.0) if whole else self.acquihire_price(lab)
            able = [h for h in m.hyperscalers if h.cash >= price and m.inhouse_labs(h)]
            # The largest shareholder first, then whoever wants to make most (A18).
            buyer = max(able, key=lambda h: (lab.stakes.get(h.name, 0.0), h.make_weight),
                        default=None)
        if buyer is None:
            lab.close(m.month)
            m.talent.count_heads()
            m.update_frontier()
        else:
            self.sell(Sale(lab, buyer, price, whole))

    def buy_talent(self) -> None:
        """At a review, a hyperscaler building its own models may hire away a lab's
        researchers (acqui-hire, A31) - Microsoft and Inflection, 2024 - when the price beats
        what the lab is worth to its shareholders: its valuation plus cash, and at least the
        money they put in during the run (Inflection's investors got theirs back, ~1.1-1.5x;
        second-hand). A frontier lab with revenue is never sold this way; a young lab whose
        runs cost less than its people are worth to a buyer may be."""
        m = self.model
        e = m.p.entry
        if not e.enabled or e.merger_control:
            return
        for h in m.hyperscalers:
            if (not h.policy.wants_team(h, m.view) or not m.inhouse_labs(h)
                    or m.rng.random() >= e.talent_buy_prob):
                continue
            offers = [(lab, self.acquihire_price(lab)) for lab in m.labs
                      if lab.alive and lab.independent]
            offers = [(lab, price) for lab, price in offers
                      if max(m.capital.valuation(lab) + max(lab.cash, 0.0), lab.invested_total)
                      < price <= h.cash]
            if offers:  # the largest team
                lab, price = max(offers, key=lambda o: m.talent.heads[o[0].slot])
                self.sell(Sale(lab, h, price, whole=False))

    def sell(self, sale: Sale) -> None:
        """The buyer pays the lab's outside shareholders and takes the lab whole or, in an
        acqui-hire, its researchers (to its best in-house lab); the models stop being sold."""
        m = self.model
        lab, buyer = sale.lab, sale.buyer
        m.ledger.pay(buyer.name, OUTSIDE_INVESTORS, sale.price, "acquisition")
        lab.sold_for = sale.price  # its shareholders' payout (sim.value)
        if sale.whole:
            self._acquire(lab, buyer)
        else:
            own = max(m.inhouse_labs(buyer), key=lambda x: x.capability)
            lab.close(m.month, "acqui-hired", researchers_to=own.slot)
            own.target_headcount = max(own.target_headcount, float(m.talent.heads[own.slot]))
        m.talent.count_heads()
        m.update_frontier()

    def _acquire(self, lab, buyer) -> None:
        """The lab becomes one of the buyer's in-house labs, with its models and staff."""
        m = self.model
        if lab.cash > 0:
            m.ledger.pay(lab.name, OUTSIDE_INVESTORS, lab.cash, "liquidation")
        lab.kind, lab.owner, lab.partners = Kind.INHOUSE, buyer.name, (buyer.name,)
        lab.exclusive_cloud, lab.open_weights, lab.other_cloud = False, False, False
        lab.stakes, lab.obligations = {}, {}
        lab.pay_per_year = m.p.talent.pay_usd_per_year[Kind.INHOUSE]
        lab.exit_month, lab.exit_kind = m.month, "acquired"
        lab.run_target_flop = lab.run_delivered_flop = 0.0  # the owner plans its next run
