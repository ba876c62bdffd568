"""Power and sites (issue #17 item 3): AI capacity needs power, and power takes longer to
add than chips.

Every FLOP/month of capacity draws power; hardware bought later draws less per FLOP (the
efficiency trend). The power available to the AI fleet grows toward what the compute
sellers want, but arrives `power.lead_months` after it is asked for and grows at most
`power.max_growth_per_year` a year. A seller's capacity order is cut to what its share of
the power free at the order's arrival can run (`PowerGrid.cap`); when orders outrun power,
capacity falls behind demand and the clouds' scarcity pricing raises the price.
"""

from __future__ import annotations

import numpy as np

from . import compute


def watts_per_flop(month: float, watts_2024: float, doubling_months: float) -> float:
    """Power drawn (W) by one FLOP/month of capacity bought in `month`: falls by half every
    `doubling_months` (FLOP per watt follows the hardware trend)."""
    return watts_2024 * 2.0 ** (-month / doubling_months)


def fleet_watts(capacity, month: int, watts_2024: float, doubling_months: float) -> float:
    """Power drawn by a capacity's vintages in service in `month` (sim.mechanisms.compute.
    Capacity), each at the efficiency of the month it was ordered (its arrival less the
    build lead)."""
    lo, hi = capacity.in_service_window(month)
    arrival = np.arange(lo, hi) - capacity.offset
    w = watts_2024 * 2.0 ** (-(arrival - capacity.lead) / doubling_months)
    return float(capacity.added[lo:hi] @ w)


class PowerGrid:
    """Power available to the AI fleet (W) by month; the sellers' wants set what is built."""

    def __init__(self, model):
        self.model = model
        # Power asked for arrives after its lead, and never sooner than capacity ordered now
        # (a shorter power lead does not bind).
        self.lead = max(model.p.power.lead_months, model.p.compute.build_lead_months)
        self.available = np.zeros(model.p.horizon_months + self.lead + 2)
        self.wanted = 0.0  # this month: W the sellers' uncapped orders would draw at arrival
        self.wanted_history: list[float] = []
        self._vintage_watts = None  # W per FLOP/month of each vintage index (`fleet`)
        self._month = -1  # the month `free` and `weights` are for
        self.free = 0.0
        self.weights: dict[str, float] = {}
        # Own data centres (Meta's, a founder's cluster): W drawn this month, and the power
        # they could draw (the month `own_month`'s).
        self.own_month = -1
        self.own_watts = 0.0
        self._spare_now = 0.0

    def watts(self, month: float) -> float:
        pw = self.model.p.power
        return watts_per_flop(month, pw.watts_per_flop_2024, pw.flop_per_watt_doubling_months)

    def fleet(self, capacity, month: int) -> float:
        """`fleet_watts`, with each vintage's W per FLOP computed once (every seller's
        capacity has the same vintages): this runs a dozen times a month."""
        if self._vintage_watts is None:
            pw = self.model.p.power
            arrival = np.arange(len(capacity.added)) - capacity.offset
            self._vintage_watts = pw.watts_per_flop_2024 * 2.0 ** (
                -(arrival - capacity.lead) / pw.flop_per_watt_doubling_months)
        lo, hi = capacity.in_service_window(month)
        return float(capacity.added[lo:hi] @ self._vintage_watts[lo:hi])

    def fleets(self, month: int) -> float:
        """W drawn by all sellers' capacity in service in `month`."""
        return sum(self.fleet(c, month) for _, c, _ in self.model.compute.sellers())

    def used(self, month: int) -> float:
        """W drawn in `month`: the sellers' fleets and, this month, own data centres."""
        return self.fleets(month) + (self.own_watts if month == self.own_month else 0.0)

    def run_own(self, flop: float) -> float:
        """FLOP an own data centre may run this month, of `flop`, within the power the
        sellers' fleets leave (in 2024-01 all: the power in use then is what they draw), and
        within last month's own draw grown at the grid's fastest rate: own sites are built
        too, so they cannot take up slack the sellers' planning leaves faster than power is
        added (else, with scarce power, the open-weights lab's own sites outgrow every
        cloud)."""
        m = self.model
        if self.own_month != m.month:
            last = self.own_watts if self.own_month == m.month - 1 else 0.0
            self.own_month, self.own_watts = m.month, 0.0
            self._spare_now = max(self.available[m.month] - self.fleets(m.month), 0.0) \
                if m.month > 0 else float("inf")
            if m.month > 0 and last > 0:
                growth = (1.0 + m.p.power.max_growth_per_year) ** (1.0 / 12.0)
                self._spare_now = min(self._spare_now, last * growth)
        w = self.watts(m.month) / m.p.compute.target_utilisation  # a FLOP run at planned use
        flop = min(flop, max(self._spare_now - self.own_watts, 0.0) / w)
        self.own_watts += flop * w
        return flop

    def _open(self) -> None:
        """2024-01: the power in use plus a reserve, and the sites already under way (the
        months before the first order can arrive), growing at the most the grid adds, or
        as the capacity ordered before 2024 that arrives then draws (the pipeline,
        compute.Capacity: its sites were built with it), plus the reserve."""
        pw = self.model.p.power
        base = self.used(0) * (1.0 + pw.reserve)
        months = np.arange(self.lead + 1)
        pipeline = np.array([self.fleets(t) for t in months]) * (1.0 + pw.reserve)
        self.available[:self.lead + 1] = np.maximum(
            base * (1.0 + pw.max_growth_per_year) ** (months / 12.0), pipeline)

    def _plan(self) -> None:
        """Once a month, before the first order: the power free at the orders' arrival (less
        what own data centres draw now), and each seller's share of it - its share of last month's demand (sites go to sellers
        in proportion to the business they have; an order-free rule)."""
        m = self.model
        if m.month == 0:
            self._open()
        self._month = m.month
        self.wanted = 0.0
        arrival = m.month + m.p.compute.build_lead_months
        sellers = m.compute.sellers()
        own = self.own_watts if self.own_month == m.month else 0.0  # kept for own sites
        self.free = max(self.available[min(arrival, len(self.available) - 1)]
                        - sum(self.fleet(c, arrival) for _, c, _ in sellers) - own, 0.0)
        demand = {name: d for name, _, d in sellers}
        total = sum(demand.values())
        self.weights = {n: d / total if total > 0 else 1.0 / len(demand)
                        for n, d in demand.items()}

    def cap(self, name: str, capacity, target: float) -> float:
        """The capacity `name` may have in service after the build lead: its `target`, cut to
        what its share of the free power can run with hardware bought now."""
        m = self.model
        if self._month != m.month:
            self._plan()
        arrival = m.month + m.p.compute.build_lead_months
        existing = capacity.in_service(arrival)
        new = max(target - existing, 0.0)
        w = self.watts(m.month)
        self.wanted += self.fleet(capacity, arrival) + new * w
        return existing + min(new, self.weights[name] * self.free / w)

    def build(self) -> None:
        """Month end: power asked for now arrives after the lead: what the sellers want,
        extrapolated from the orders' arrival to the power's as the capacity plans are
        (compute.planned_demand), plus the reserve; at most `max_growth_per_year` above
        the month before, and never less."""
        m = self.model
        pw = m.p.power
        if self._month != m.month:  # no orders this month
            return
        own = self.own_watts if self.own_month == m.month else 0.0
        self.wanted_history.append(self.wanted + own)
        a = m.month + self.lead + 1
        if a >= len(self.available):
            return
        growth = (1.0 + pw.max_growth_per_year) ** (1.0 / 12.0)
        ahead = max(a - m.month - m.p.compute.build_lead_months, 0)
        want = compute.planned_demand(
            self.wanted_history, ahead, growth,
            m.p.compute.fleet_growth_per_year ** (1.0 / 12.0)) * (1.0 + pw.reserve)
        # The most the grid can have built by then: what was under way at 2024-01 grown at
        # the fastest rate sites are built, whatever was asked for before (builders' capacity
        # does not shrink when a year's asks are small).
        most = self.available[self.lead] * growth ** (a - self.lead)
        self.available[a] = max(self.available[a - 1], min(want, most))
