"""Value captured, accounted in full (issue 16 item 6; docs/model.md 3.5): who ends up with
the value the industry creates - the clouds, the labs' own shareholders, the investors and
the chip vendors.

Every inside holder has a net worth: its cash; for a hyperscaler also the book value of its
capacity (capex not yet depreciated); and the equity it holds in labs, marked at the lab's
value each month. A lab's equity is worth its valuation (`CapitalMarket.valuation`, 0 once
closed) plus its cash, less any credit it owes (the lender's asset); it belongs to its
holders in proportion to `lab.stakes`, the rest to its owner (an in-house lab) or to its own
shareholders, the founders and staff (every other lab; for Meta's open-weights lab, Meta).

The value a holder captures to month t is its net worth at the end of month t less its net
worth at the opening, less the money put in from outside (`CAPITAL_TAGS`: non-AI cash
flows, investors' commitments, opening balances), plus what it was paid out from the labs it
holds (`PAYOUT_TAGS`: liquidation proceeds; and the price a hyperscaler paid for a lab,
`lab.sold_for`). Summed over holders, money moving between them (investment for equity,
cloud spend, revenue share, internal transfers, acquisitions) cancels: the total is the
industry's accrual profit plus the change in labs' marked values
(`test_value_groups_add_up_to_the_industrys_profit_and_revaluation`).

The opening marks a lab at its valuation at the end of the first month (before any sales the
formula gives 0), so 2024's value of OpenAI is not counted as created in the run.
"""

from __future__ import annotations

from collections import defaultdict

from .mechanisms.finance import flow_total

# Flows from outside accounts that are money put in by owners, not value made: big tech's
# non-AI cash flow (and Meta's lab budget), capital committed to investors' pools, opening
# balances of accounts opened during a run; capital withdrawn from a pool goes back out. A
# new outside source of capital (debt from outside lenders) belongs here, or it counts as
# value created.
CAPITAL_TAGS = ("other_business", "commitment", "opening", "withdrawal")
# Flows out of a lab's account that go to its shareholders (outside the ledger's inside
# accounts, but theirs): what is left of a closed or bought lab's cash.
PAYOUT_TAGS = ("liquidation",)
# Exits in which a hyperscaler pays the lab's shareholders a price (`lab.sold_for`).
SOLD = ("acquired", "acqui-hired")

CLOUDS, LABS, INVESTORS, CHIP_VENDORS = "clouds", "labs", "investors", "chip_vendors"
# Investors that are chip vendors (a pool of that name; or `value_group` on the investor).
CHIP_VENDOR_INVESTORS = ("Chip vendors",)
GROUPS = (CLOUDS, LABS, INVESTORS, CHIP_VENDORS)
INDUSTRY_FIELDS = tuple(f"value_{g}_usd" for g in GROUPS) + ("value_total_usd",)
FIRM_FIELDS = ("value_usd",)


def holdings(lab) -> dict[str, float]:
    """Who holds a lab's equity: its stakes, the rest to its owner (an in-house lab) or to
    its own shareholders (founders and staff; Meta for its open-weights lab), named by the
    lab."""
    out = dict(lab.stakes)
    holder = lab.owner if lab.inhouse and lab.owner else lab.name
    out[holder] = out.get(holder, 0.0) + 1.0 - sum(lab.stakes.values())
    return out


def group_of(model, holder: str) -> str:
    """A holder's group: a hyperscaler is a cloud; an investor an investor unless it (or its
    spec) says `value_group` (a chip vendor that invests: `chip_vendors`); a lab's own
    shareholders are labs; anyone else holding a stake counts as an investor."""
    if holder in model.by_name:
        return CLOUDS
    if holder == CHIP_VENDORS:  # the vendor's own account: its gross profit (chips.py)
        return CHIP_VENDORS
    for investor in model.investors:
        if investor.name == holder:
            return (getattr(investor, "value_group", None)
                    or getattr(investor.spec, "value_group", None)
                    or (CHIP_VENDORS if holder in CHIP_VENDOR_INVESTORS else INVESTORS))
    if any(lab.name == holder for lab in model.labs):
        return LABS
    return INVESTORS


class ValueBooks:
    """Each holder's value captured so far, kept month by month by the recorder."""

    def __init__(self, model):
        self.model = model
        # The opening: cash after the opening balances and who held what, marked at the end
        # of month 0 (`opening` is set then).
        self.cash_open = dict(model.ledger.cash)
        self.holdings_open = {lab.name: holdings(lab) for lab in model.labs if not lab.dormant}
        self.opening: dict[str, float] | None = None
        self.put_in = defaultdict(float)  # holder -> money put in from outside so far
        self.paid_out = defaultdict(float)  # holder -> payouts received so far
        self.held: dict[str, dict[str, float]] = {}  # last month's holdings, by lab
        self.captured: dict[str, float] = {}  # holder -> value captured to the last month
        self.groups: dict[str, str] = {}

    def group(self, holder: str) -> str:
        g = self.groups.get(holder)
        if g is None:
            g = self.groups[holder] = group_of(self.model, holder)
        return g

    def record(self, t: int, flows: dict, firm: dict, industry: dict) -> None:
        """Month t's value captured per holder, by group (industry columns) and per firm
        (`value_usd`: a hyperscaler's, or a lab's own shareholders'). `flows`: the month's
        ledger flows; `firm`, `industry`: the recorder's arrays, valuations already in."""
        m = self.model
        labs = [lab for lab in m.labs if not lab.dormant]
        held = {lab.name: holdings(lab) for lab in labs}
        cash = m.ledger.cash

        for account in cash:  # money put in from outside, to whoever owns the account
            k = (flow_total(flows, account, CAPITAL_TAGS, 1)
                 - flow_total(flows, account, CAPITAL_TAGS, -1))
            if k:
                for holder, share in held.get(account, {account: 1.0}).items():
                    self.put_in[holder] += share * k
        for lab in labs:  # payouts to the shareholders before the sale
            paid = flow_total(flows, lab.name, PAYOUT_TAGS, -1)
            if lab.exit_month == t and lab.exit_kind in SOLD:
                paid += getattr(lab, "sold_for", 0.0)
            if paid:
                before = (self.held.get(lab.name, held[lab.name])
                          if lab.exit_kind == "acquired" and lab.exit_month == t
                          else held[lab.name])
                for holder, share in before.items():
                    self.paid_out[holder] += share * paid

        worth, debt = defaultdict(float), defaultdict(float)
        for h in m.hyperscalers:
            worth[h.name] += cash[h.name] + h.capacity.book_value(t)
        for investor in m.investors:
            worth[investor.name] += cash[investor.name]
        worth[CHIP_VENDORS] += cash[CHIP_VENDORS]  # the vendor's gross profit kept
        # Credit a lab owes (vendor credit, sim/markets/credit.py: lab -> loan with
        # `lender` and `balance`) is its lender's asset and comes off the lab's equity.
        for name, loan in m.credit.loans.items():
            worth[loan.lender] += loan.balance
            debt[name] += loan.balance
        for lab in labs:
            equity = firm["valuation_usd"][t, lab.index] + cash[lab.name] - debt[lab.name]
            for holder, share in held[lab.name].items():
                worth[holder] += share * equity
        if self.opening is None:
            self.opening = self._opening(t, flows, firm)
        self.held = held

        totals = dict.fromkeys(GROUPS, 0.0)
        # In a fixed order (dicts keep insertion order; a set's would vary with string
        # hashing between processes, and so would the sums' last bits).
        for holder in dict.fromkeys([*worth, *self.opening, *self.put_in, *self.paid_out]):
            v = (worth.get(holder, 0.0) - self.opening.get(holder, 0.0)
                 - self.put_in.get(holder, 0.0) + self.paid_out.get(holder, 0.0))
            self.captured[holder] = v
            totals[self.group(holder)] += v
        for g in GROUPS:
            industry[f"value_{g}_usd"][t] = totals[g]
        industry["value_total_usd"][t] = sum(totals.values())
        for f in m.firms:
            firm["value_usd"][t, f.index] = self.captured.get(f.name, 0.0)

    def _opening(self, t: int, flows: dict, firm: dict) -> dict[str, float]:
        """Net worth at the opening: opening cash and holdings, capacity at its book value
        before month 0 (the fleet is sized in month 0: this month's book value plus its
        depreciation less its capex), labs marked at month 0's valuations."""
        m = self.model
        worth = defaultdict(float)
        for h in m.hyperscalers:
            worth[h.name] += (self.cash_open[h.name] + h.capacity.book_value(t)
                              + h.capacity.depreciation_at(t)
                              - flow_total(flows, h.name, ("capex",), -1))
        for investor in m.investors:
            worth[investor.name] += self.cash_open[investor.name]
        for lab in m.labs:
            if lab.name in self.holdings_open:
                equity = firm["valuation_usd"][t, lab.index] + self.cash_open[lab.name]
                for holder, share in self.holdings_open[lab.name].items():
                    worth[holder] += share * equity
        return dict(worth)

    def winner(self) -> tuple[str, str]:
        """The holder with the most value captured, and its group."""
        holder = max(self.captured, key=lambda h: (self.captured[h], h))
        return holder, self.group(holder)



def words(summary: dict) -> str:
    """The value line a run prints: the single holder with most value captured (one firm or
    pool: the chip vendor is one, each cloud another) and the groups' totals, so that a
    single holder is not read as the group that captures most."""
    groups = ", ".join(f"{g.replace('_', ' ')} {summary[f'value_{g}_usd'] / 1e9:,.0f}"
                       for g in GROUPS)
    top = max(GROUPS, key=lambda g: summary[f"value_{g}_usd"])
    return (f"largest single holder of value captured {summary['winner_value']} "
            f"({summary['winner_value_group'].replace('_', ' ')}); value captured by group "
            f"(USD billion): {groups} (most: {top.replace('_', ' ')})")
