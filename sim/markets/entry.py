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
from ..roster import ENTRANT_TRAITS, ENTRANT_TYPES, EntrantType, Kind
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
        self.reputation: dict[str, float] = {}  # lab -> its first round's pre-money

    def acquihire_price(self, lab) -> float:
        """Years of in-house pay for each of the lab's researchers (Inflection, 2024)."""
        m = self.model
        tp = m.p.talent
        return (m.talent.heads[lab.slot] * tp.workforce / tp.n_researchers
                * tp.pay_usd_per_year[Kind.INHOUSE] * m.p.entry.acquihire_pay_years)

    def draw_type(self) -> EntrantType:
        """A founder type, drawn with `entry.type_probs` (normalised)."""
        m = self.model
        probs = np.array([m.p.entry.type_probs[t] for t in ENTRANT_TYPES])
        return EntrantType(ENTRANT_TYPES[m.rng.choice(len(probs), p=probs / probs.sum())])

    def found_labs(self) -> None:
        """With `entry.rate_per_year` x `rate_scale` attempts a year, founders of a drawn type
        (sim/roster.py EntrantType) found a lab if investors commit its first round: the
        type's `type_round_runs` trend-sized runs' cost, at its reputation's pre-money. How
        the lab then spends it - its runs, its later rounds - is its lab policy's decision."""
        m = self.model
        e = m.p.entry
        free = [lab for lab in m.labs if lab.dormant]
        if not e.enabled or not free or m.rng.random() >= e.rate_per_year * e.rate_scale / 12:
            return
        kind = self.draw_type()
        traits = ENTRANT_TRAITS[kind]
        lab = free[0]
        first_round = e.type_round_runs[kind] * training.run_cost(
            m.trend_flop(), m.compute.market_price(), m.p.training.research_compute_multiple)
        pre = first_round * e.type_pre_money_multiple[kind]
        # Own cluster: no hyperscaler money (xAI); a cloud spin-out: a hyperscaler leads;
        # the others train outside the three with other_cloud_prob, else may take a lead.
        other_cloud = traits.own_cluster or (
            not traits.cloud_partner and m.rng.random() < e.other_cloud_prob)
        lead = self._lead(lab, first_round, pre) if not other_cloud else None
        if traits.cloud_partner and lead is None:
            return  # no cloud has room to back a spin-out this month
        # Commitments first: the lab is founded only if the round is covered (a sovereign
        # deal that falls through leaves the founders without a lab, not a lab without money).
        tranches = [] if lead is None else [lead]
        need = first_round - (lead.amount if lead else 0.0)
        for investor in m.investors:
            if investor.spec.funds_startups and need > 0:
                amount, their_pre = investor.offer(lab, need, pre)  # sovereign: a discount
                if amount > 0:
                    tranches.append(Tranche(investor.name, lab, amount, their_pre))
                    need -= amount
        if need > 1e-9 * first_round:
            return  # this year's capital is spent: nobody founds a frontier lab
        self._found(lab, kind, other_cloud, pre)
        for t in tranches:
            if t.investor in m.by_name:  # the lead cloud becomes the lab's partner (A17)
                lab.partners = (t.investor,)
                m.capital.invest_strategic(t)
            else:
                m.capital.sell_equity(t)
        m.talent.update_multipliers()

    def _lead(self, lab, first_round: float, pre_money: float) -> Tranche | None:
        """A hyperscaler's lead tranche, drawn in proportion to what each can still invest
        (None: partnerships off, or no cloud has room)."""
        m = self.model
        if not m.p.strategy.partnerships:
            return None
        backers = [(h, min(first_round * checked(h.policy.partner_share(h, 1, m.view),
                                                 h.policy, "partner_share", h, hi=1.0),
                           checked(h.policy.partner_budget(h, m.view), h.policy,
                                   "partner_budget", h, lo=-math.inf), max(h.cash, 0.0)))
                   for h in m.hyperscalers]
        backers = [b for b in backers if b[1] > 0]
        if not backers:
            return None
        room = np.array([b[1] for b in backers])
        h, amount = backers[m.rng.choice(len(backers), p=room / room.sum())]
        return Tranche(h.name, lab, amount, pre_money)

    def _found(self, lab, kind: EntrantType, other_cloud: bool, pre_money: float) -> None:
        """The lab comes alive with its type's team, ambition, compute and reputation."""
        m = self.model
        e, tp = m.p.entry, m.p.talent
        traits = ENTRANT_TRAITS[kind]
        lab.dormant, lab.alive, lab.founded_month = False, True, m.month
        lab.entrant_type = kind.value
        lab.open_weights = traits.open_weights
        lab.other_cloud, lab.own_cluster = other_cloud, traits.own_cluster
        lab.ambition = e.type_ambition[kind]
        self.reputation[lab.name] = pre_money
        self.entrants += 1
        team = max(1, round(e.team_share * e.type_team_multiple[kind] * tp.n_researchers))
        m.talent.researchers.found(m.rng, lab.slot, team,
                                   tp.skill_exponent * e.type_skill_multiple[kind])
        m.talent.count_heads()
        heads = m.talent.heads
        # A funded start-up hires toward the size of a mid-sized lab.
        independents = [heads[x.slot] for x in m.labs
                        if x.alive and x.independent and x is not lab]
        lab.target_headcount = max(team, e.startup_target_size_share * float(
            np.mean(independents)) if independents else team)

    def reputation_value(self, lab) -> float:
        """What investors price a young lab at beside its revenue (0: not young): for
        `entry.reputation_months` after founding, its first round's pre-money plus the equity
        money put in since - the founders' reputation, not marked down while its first
        models trail (xAI raised $6B at $24B in May 2024 on little revenue, C24 section 2;
        how long: assumption)."""
        m = self.model
        if lab.founded_month < 0 or m.month - lab.founded_month >= m.p.entry.reputation_months:
            return 0.0
        return self.reputation.get(lab.name, 0.0) + lab.invested_total

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
        lab.exclusive_cloud, lab.open_weights, lab.other_cloud = "", False, False
        lab.own_cluster = False  # its cluster becomes the owner's
        lab.ambition = lab.spec.ambition  # its owner scales its runs (RacingLab.plan_run)
        lab.stakes, lab.obligations = {}, {}
        lab.pay_per_year = m.p.talent.pay_usd_per_year[Kind.INHOUSE]
        lab.exit_month, lab.exit_kind = m.month, "acquired"
        lab.run_target_flop = lab.run_delivered_flop = 0.0  # the owner plans its next run
