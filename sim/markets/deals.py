"""Partnerships as deals whose terms change (issue #16 item 4; docs/model.md 3.3.8).

A deal between an independent lab and a partner cloud has terms: the stake the partner held
when the terms were set (the stake itself lives in `lab.stakes`), a right on the lab's
compute (exclusive, first refusal, or none: access only), the revenue share the cloud keeps
on the lab's sales to its customers, the committed cloud spend (`lab.obligations`, drawn
down in the compute market) and an end month. The forms are those of the 2023-24
partnerships (C: FTC 6(b) staff report: "equity + revenue share for the cloud; exclusivity
and consultation rights; the developer must spend large sums on the investor's cloud");
the numbers are `deals.*` parameters.

Terms are renegotiated when they bind (`DealBook.review`, once a month after the compute
market clears):
(a) an exclusive partner that leaves a share of the lab's training orders unserved over
    some months loses exclusivity: first refusal, and the compute market lets the lab
    take what the partner cannot supply from the other clouds;
(b) a round that dilutes the partner's stake below a share of the stake the terms were set
    at scales the revenue share down with the stake (a partner that tops up keeps its terms),
    and exclusivity ends below `deals.exclusive_min_stake`;
(c) a restructuring - investors other than the partners buying a large share of the lab in
    one month - loosens exclusivity to first refusal;
(d) at its end a deal renews for another term on the terms the partner's stake supports,
    or lapses (access, revenue share and compute right end; committed spend is still owed).

`lab.partners` (primary first) and `lab.exclusive_cloud` always show the deals in force:
the carriage, the partner discount, who is asked first in a round, the supplier of compute
and ownership HHI's grouping all read them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

EXCLUSIVE, ROFR, ACCESS = "exclusive", "rofr", ""


@dataclass
class Deal:
    """The terms in force between a lab and one partner cloud."""

    partner: str
    stake_set: float  # the partner's stake when the terms were last set
    compute: str  # EXCLUSIVE, ROFR or ACCESS
    revenue_share: float  # share of the lab's sales through this cloud kept by the cloud
    end_month: int  # the deal renews or lapses at the start of this month's review
    ordered_flop: float = 0.0  # this month's training order at the partner
    rationed_flop: float = 0.0  # of which not served for want of capacity
    # (ordered, rationed) of the last `deals.shortfall_months` months (rule a).
    supply: deque = field(default_factory=deque)


def sign(model, lab, partner: str, compute: str = ROFR, revenue_share: float | None = None,
         start_month: int | None = None) -> Deal:
    """A deal between `lab` and `partner` on the default terms: first refusal on compute
    (a "primary cloud", as AWS for Anthropic, C24 section 3), `finance.revenue_share`, a
    term of `deals.term_months` from `start_month` (default: this month), at the partner's
    current stake. The partner becomes one of the lab's partners. Entry (a cloud that leads
    an entrant's round) and any later deal call this."""
    m = model
    start = m.month if start_month is None else start_month
    deal = Deal(partner, lab.stakes.get(partner, 0.0), compute,
                m.p.finance.revenue_share if revenue_share is None else revenue_share,
                start + m.p.deals.term_months, supply=deque(maxlen=m.p.deals.shortfall_months))
    lab.deals[partner] = deal
    if partner not in lab.partners:
        lab.partners = (*lab.partners, partner)
    m.deals.log(lab, partner, f"signed ({compute or 'access'})")
    apply_terms(lab)
    return deal


def apply_terms(lab) -> None:
    """Partners in the order the terms rank them (a compute right first, then as listed) and
    the exclusive cloud ("" when none)."""
    if not lab.independent:
        return
    order = {n: i for i, n in enumerate(lab.partners)}
    deals = lab.deals
    lab.partners = tuple(sorted(
        (n for n in lab.partners if n in deals),
        key=lambda n: (deals[n].compute == ACCESS, order[n])))
    lab.exclusive_cloud = next((n for n in lab.partners if deals[n].compute == EXCLUSIVE), "")


def revenue_share(lab, cloud: str, default: float) -> float:
    """The share of `lab`'s sales through `cloud` that the cloud keeps: the deal's, else
    `default` (a partner without a deal object)."""
    deal = lab.deals.get(cloud)
    return deal.revenue_share if deal is not None else default


def may_buy_elsewhere(lab) -> bool:
    """A lab without an exclusive deal takes compute its clouds cannot supply from others."""
    return lab.independent and not lab.exclusive_cloud


class DealBook:
    """The deals of the run: opened from the roster's 2024 deals, reviewed each month."""

    def __init__(self, model):
        self.model = model
        model.deals = self  # `sign` logs here, the opening deals included
        self.events: list[tuple[int, str, str, str]] = []  # (month, lab, partner, what)
        self.bought_outside: dict[str, float] = {}  # lab -> equity bought this month by non-partners
        if not model.p.strategy.partnerships:
            return
        for lab in model.labs:
            if lab.independent and not lab.dormant:
                for partner in lab.partners:
                    sign(model, lab, partner, lab.spec.compute_rights.get(partner, ACCESS),
                         start_month=0)

    def log(self, lab, partner: str, what: str) -> None:
        self.events.append((self.model.month, lab.name, partner, what))

    def equity_sold(self, lab, investor: str, share: float) -> None:
        """The capital market sold `share` of `lab` to `investor` (after the dilution)."""
        if investor not in lab.deals:
            self.bought_outside[lab.name] = self.bought_outside.get(lab.name, 0.0) + share

    def review(self) -> None:
        """Month end: renew or end deals that are due, and renegotiate terms that bind."""
        m = self.model
        for lab in m.labs:
            if not (lab.alive and lab.independent and m.p.strategy.partnerships):
                if lab.deals:  # closed or acquired: its deals end with it
                    lab.deals.clear()
                    lab.exclusive_cloud = ""
                continue
            for partner in lab.partners:  # a partner added without a deal (entry) gets one
                if partner not in lab.deals:
                    sign(m, lab, partner)
            for deal in list(lab.deals.values()):
                self._review(lab, deal)
            apply_terms(lab)
        self.bought_outside = {}

    def _review(self, lab, deal: Deal) -> None:
        m = self.model
        d = m.p.deals
        stake = lab.stakes.get(deal.partner, 0.0)
        # (d) the end of the term: renew on the terms the stake supports, or lapse.
        if m.month >= deal.end_month:
            if stake < d.renew_min_stake:
                del lab.deals[deal.partner]
                self.log(lab, deal.partner, "lapsed")
                return
            deal.end_month += d.term_months
            self.log(lab, deal.partner, "renewed")
            if deal.compute == EXCLUSIVE and stake < d.exclusive_min_stake:
                self._loosen(lab, deal, "exclusivity not renewed")
        # (a) an exclusive partner that cannot supply: over the last `shortfall_months`
        # months it left at least `shortfall_share` of the lab's training order unserved.
        deal.supply.append((deal.ordered_flop, deal.rationed_flop))
        deal.ordered_flop = deal.rationed_flop = 0.0
        ordered = sum(o for o, _ in deal.supply)
        if (deal.compute == EXCLUSIVE and len(deal.supply) == deal.supply.maxlen
                and ordered > 0 and sum(r for _, r in deal.supply) >= d.shortfall_share * ordered):
            self._loosen(lab, deal, "partner short of compute")
        # (b) dilution shrinks the terms; a top-up resets them at the larger stake.
        if stake > deal.stake_set:
            deal.stake_set = stake
        elif stake < d.dilution_trigger * deal.stake_set:
            deal.revenue_share *= stake / deal.stake_set
            deal.stake_set = stake
            self.log(lab, deal.partner, f"diluted: revenue share {deal.revenue_share:.3f}")
            if deal.compute == EXCLUSIVE and stake < d.exclusive_min_stake:
                self._loosen(lab, deal, "stake below exclusivity")
        # (c) a restructuring round from new investors.
        if (deal.compute == EXCLUSIVE
                and self.bought_outside.get(lab.name, 0.0) >= d.restructure_round_share):
            self._loosen(lab, deal, "restructured")

    def _loosen(self, lab, deal: Deal, why: str) -> None:
        """Exclusivity becomes first refusal."""
        deal.compute = ROFR
        self.log(lab, deal.partner, f"exclusivity -> first refusal: {why}")


def draw_down(lab, h, paid: float) -> float:
    """Spending `paid` on an investor's cloud `h` draws down the lab's obligation to it:
    round-tripping (A17). Returns the amount drawn down."""
    owed = lab.obligations.get(h.name, 0.0)
    if owed <= 0 or paid <= 0:
        return 0.0
    back = min(owed, paid)
    lab.obligations[h.name] = owed - back
    h.roundtrip_month += back
    return back
