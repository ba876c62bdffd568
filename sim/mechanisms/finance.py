"""Finance (A12, A17, A22, A23): a ledger in which every dollar moves from one account to
another, investors' capital pools, valuations, and the strategic-investment obligation that
makes money round-trip to the investor's cloud."""

from __future__ import annotations

import math
from collections import defaultdict

# Named outside sources and sinks: every dollar that enters or leaves the industry passes
# through one of these.
CUSTOMERS = "customers"  # customers' budgets (source)
CHIP_VENDORS = "chip_vendors"  # the accelerator vendor's account (sim/markets/chips.py)
ENERGY = "energy"  # running costs of compute (sink)
SALARIES = "salaries"  # researchers and staff (sink)
OUTSIDE_INVESTORS = "outside_investors"  # capital committed to investors' pools (source),
#                                        and liquidation proceeds (sink)
OTHER_BUSINESS = "other_business"  # big tech's non-AI operating cash flow (source)
FOUNDRIES = "foundries"  # chips' cost of goods: the vendor's and own accelerators' (sink)
OUTSIDE = frozenset({CUSTOMERS, FOUNDRIES, ENERGY, SALARIES, OUTSIDE_INVESTORS,
                     OTHER_BUSINESS})
# The account of the AI compute sellers outside the three clouds (sim/markets/other_clouds.py):
# an inside account since issue #17, with its revenue, energy, capex and financing.
OTHER_CLOUDS = "other_clouds"

# Flow tags that count as revenue for the receiver / cost for the payer in reports. Tuples,
# not sets: sums over them must run in one order in every process (string hashing differs).
# `rent`: a hyperscaler pays the other clouds for capacity it rents there (compute.py _rent).
REVENUE_TAGS = ("sales", "compute", "inference", "revenue_share", "hosting", "interest",
                "rent")
COST_TAGS = ("compute", "inference", "revenue_share", "salaries", "capex", "energy",
             "self_compute", "self_inference", "interest", "rent")


class Ledger:
    """Cash of every agent; each payment debits one account and credits another.

    Per month it keeps, for each account, inflows and outflows by tag, and the net flow to
    and from the outside; `close_month` hands them over and starts a new month.
    """

    def __init__(self):
        self.cash: dict[str, float] = {}
        self.flows = defaultdict(float)  # (account, tag, +1 in / -1 out) -> USD this month
        self.outside_in = 0.0
        self.outside_out = 0.0

    def open_account(self, name: str, cash: float = 0.0) -> None:
        if name in OUTSIDE or name in self.cash:
            raise ValueError(f"account {name!r} exists")
        self.cash[name] = 0.0
        if cash:
            self.pay(OUTSIDE_INVESTORS, name, cash, "opening")

    def pay(self, payer: str, payee: str, amount: float, tag: str) -> float:
        if not 0.0 < amount < math.inf:  # the hot path: tens of thousands of calls a run
            if amount == 0.0:
                return 0.0
            raise ValueError(f"payment {payer}->{payee} [{tag}] of {amount!r}")
        if payer in OUTSIDE:
            self.outside_in += amount
        else:
            self.cash[payer] -= amount
            self.flows[payer, tag, -1] += amount
        if payee in OUTSIDE:
            self.outside_out += amount
        else:
            self.cash[payee] += amount
            self.flows[payee, tag, 1] += amount
        return amount

    def inflow(self, account: str, tags) -> float:
        return flow_total(self.flows, account, tags, 1)

    def outflow(self, account: str, tags) -> float:
        return flow_total(self.flows, account, tags, -1)

    def close_month(self):
        flows, net_outside = self.flows, self.outside_in - self.outside_out
        self.flows = defaultdict(float)
        self.outside_in = self.outside_out = 0.0
        return flows, net_outside


def flow_total(flows: dict, account: str, tags, sign: int) -> float:
    """An account's flows with these tags, in (sign 1) or out (-1), added in tag order (a
    loop, not sum() over a generator: this runs tens of thousands of times a run)."""
    total = 0.0
    for tag in tags:
        total += flows.get((account, tag, sign), 0.0)
    return total


def valuation(annual_revenue: float, gap: float, revenue_multiple: float,
              frontier_option: float) -> float:
    """Pre-money value of a lab: revenue multiple, raised by an option on the frontier that
    decays by e per capability step behind it (valuations follow revenue and rank)."""
    return revenue_multiple * annual_revenue * (1.0 + frontier_option * math.exp(-max(gap, 0.0)))


def appetite(revenue_ratio: float, loss_share: float, elasticity: float, loss_weight: float,
             lo: float, hi: float) -> float:
    """Investors' appetite (their pools as a multiple of 2024's) when the sector's revenue is
    `revenue_ratio` times 2024-01's and investors lost `loss_share` of their pools last year:
    it follows revenue, `revenue_ratio ** elasticity`, and falls after losses,
    `exp(-loss_weight * loss_share)` (for a year: a bust passes unless losses recur); within
    [lo, hi]."""
    level = max(revenue_ratio, 0.0) ** elasticity * math.exp(-loss_weight * loss_share)
    return min(max(level, lo), hi)


def multiple_factor(growth: float, reference_growth: float, loss_share: float,
                    elasticity: float, loss_weight: float, lo: float, hi: float) -> float:
    """The valuation multiple relative to 2024's: investors pay for growth, so it moves with
    `((1 + growth) / (1 + reference_growth)) ** elasticity` (no memory: a multiple is a price
    of last year's growth), and falls after losses as appetite does; within [lo, hi]."""
    ratio = (1.0 + max(growth, -1.0)) / (1.0 + reference_growth)
    factor = ratio**elasticity * math.exp(-loss_weight * loss_share)
    return min(max(factor, lo), hi)


def equity_for(amount: float, pre_money: float) -> float:
    """Share of the company an investment of `amount` buys at `pre_money`."""
    return amount / (pre_money + amount) if pre_money + amount > 0 else 1.0


def dilute(stakes: dict, new_share: float, investor: str) -> dict:
    """Stakes after `investor` buys `new_share` of the company (others diluted)."""
    out = {k: v * (1.0 - new_share) for k, v in stakes.items()}
    out[investor] = out.get(investor, 0.0) + new_share
    return out


def runway_months(cash: float, monthly_burn: float) -> float:
    return math.inf if monthly_burn <= 0 else cash / monthly_burn
