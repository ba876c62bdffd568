"""Compute market (A9, A10, A24): the frontier trend, cost and price of a FLOP, capacity,
rationing under scarcity."""

from __future__ import annotations

import numpy as np


def frontier_trend_flop(month: float, run_flop_2024: float, doubling_months: float) -> float:
    """Size of a frontier training run on the trend: doubles every `doubling_months` (A9)."""
    return run_flop_2024 * 2.0 ** (month / doubling_months)


def replacement_cost(month: float, price_2024: float, markup: float, pp_doubling: float):
    """Full cost of a FLOP on new hardware run at the planned utilisation (hardware and
    energy), falling with price-performance; calibrated so that cost x markup is the 2024
    market price."""
    return price_2024 / markup * 2.0 ** (-month / pp_doubling)


def average_cost(depreciation: float, capacity: float, target: float, energy: float) -> float:
    """Full cost of a FLOP on the installed fleet: this month's depreciation spread over
    its planned use, plus energy. Older, dearer vintages keep it above replacement cost."""
    return depreciation / max(capacity * target, 1e-300) + energy


def owner_first_costs(depreciation: float, capacity: float, own_depreciation: float,
                      own_capacity: float, target: float, energy: float,
                      owner_use: float) -> tuple[float, float]:
    """(cost per FLOP to the owner's labs, to every other buyer) when the owner's labs are
    served from its own accelerators first: they use up to `own_capacity` x `target` of
    `owner_use` FLOP at the own pool's cost, the rest at the merchant pool's; other buyers
    get what is left of both pools at its average cost. The two together recover the
    fleet's full cost (depreciation and energy on its planned use)."""
    fleet = average_cost(depreciation, capacity, target, energy)
    own_room = own_capacity * target
    if own_room <= 0:
        return fleet, fleet
    own_cost = average_cost(own_depreciation, own_capacity, target, energy)
    merchant_room = (capacity - own_capacity) * target
    merchant = average_cost(depreciation - own_depreciation, capacity - own_capacity, target,
                            energy) if merchant_room > 0 else own_cost
    from_own = min(max(owner_use, 0.0), own_room)
    owner = own_cost if owner_use <= own_room else (
        (from_own * own_cost + (owner_use - from_own) * merchant) / owner_use)
    left = own_room - from_own
    if left + merchant_room <= 0:
        return owner, own_cost
    return owner, (left * own_cost + merchant_room * merchant) / (left + merchant_room)


def market_price(cost: float, markup: float, pressure: float, target: float, slope: float):
    """Price a cloud asks: cost x markup, raised when demand / capacity (`pressure`, which
    exceeds 1 when orders go unserved) is above the target utilisation (scarcity)."""
    return cost * markup * (1.0 + slope * max(0.0, pressure - target))


def ration(priority: np.ndarray, rest: np.ndarray, capacity: float):
    """Serve `priority` demand first, then `rest` pro rata, within `capacity`.

    Returns the delivered amounts (same shapes); their sum never exceeds capacity, so compute
    bought equals compute sold.
    """
    total_priority = priority.sum()
    if total_priority >= capacity:
        scale = capacity / total_priority if total_priority > 0 else 0.0
        return priority * scale, np.zeros_like(rest)
    left = capacity - total_priority
    total_rest = rest.sum()
    scale = 1.0 if total_rest <= left else left / total_rest
    return priority.copy(), rest * scale


class Capacity:
    """One cloud's AI capacity (FLOP/month) as vintages that enter service after a build lead
    and retire after their life; capex is paid when ordered."""

    def __init__(self, initial: float, horizon: int, lead: int, life: int, unit_capex: float,
                 own_share: float = 0.0, own_unit_capex: float = 0.0,
                 growth_per_month: float = 1.0):
        self.lead, self.life = lead, life
        self._offset = life  # vintage index of month m is m + offset
        size = horizon + lead + 2 * life + 1
        self.added = np.zeros(size)
        self.depreciation = np.zeros(size)
        # The part on the owner's own accelerators (in `added` and `depreciation` too).
        self.own_added = np.zeros(size)
        self.own_depreciation = np.zeros(size)
        # Initial capacity was bought over the past life (months 1-life .. 0), each month's
        # purchase `growth_per_month` times the month before's, so that `initial` is in
        # service at month 0; what was ordered in the lead months before month 0 continues
        # that trend and enters service in months 1 .. lead-1 (the pipeline). All of it is
        # carried at today's `unit_capex`, `own_share` of it on own accelerators at
        # `own_unit_capex`, and depreciates over its life from entering service.
        g = growth_per_month
        past = g ** np.arange(1 - life, 1, dtype=float)  # months 1-life .. 0
        vintages = np.concatenate([past, g ** np.arange(1, lead, dtype=float)])
        vintages *= initial / past.sum()
        for i, flop in enumerate(vintages, start=1):
            self.add_vintage(i, flop, flop * unit_capex, own_share * flop,
                             own_share * flop * own_unit_capex)

    def add_vintage(self, i: int, flop: float, capex: float, own_flop: float = 0.0,
                    own_capex: float = 0.0) -> None:
        """`flop` FLOP/month entering service at vintage index `i`, depreciating `capex`
        over its life; `own_flop` of them, for `own_capex`, on own accelerators."""
        self.added[i] += flop
        self.depreciation[i:i + self.life] += capex / self.life
        if own_flop > 0:
            self.own_added[i] += own_flop
            self.own_depreciation[i:i + self.life] += own_capex / self.life

    def ordered_before(self, month: int) -> float:
        """FLOP/month ordered in the month before `month` (arriving a lead later)."""
        return float(self.added[month - 1 + self.lead + self._offset])

    def in_service(self, month: int) -> float:
        hi = month + self._offset + 1
        return float(self.added[max(0, hi - self.life):hi].sum())

    def order(self, month: int, target: float, capex_per_unit: float,
              budget: float = np.inf) -> float:
        """Order capacity so that `target` FLOP/month is in service at month + lead, spending
        at most `budget`. Returns capex (USD) paid now; depreciation is spread over the
        vintage's life.
        """
        missing = self.wanted(month, target, capex_per_unit, budget)
        return self.add(month, missing, missing * capex_per_unit)

    def wanted(self, month: int, target: float, capex_per_unit: float,
               budget: float = np.inf) -> float:
        """FLOP/month to order now for `target` in service at month + lead, within `budget`."""
        return max(min(target - self.in_service(month + self.lead), budget / capex_per_unit),
                   0.0)

    def add(self, month: int, flop: float, capex: float, own_flop: float = 0.0,
            own_capex: float = 0.0) -> float:
        """`flop` FLOP/month bought now for `capex` (USD), in service at month + lead; the
        capex depreciates over its life. `own_flop` of them, for `own_capex` of it, are on
        the owner's own accelerators. Returns the capex."""
        if flop <= 0:
            return 0.0
        self.add_vintage(month + self.lead + self._offset, flop, capex, own_flop, own_capex)
        return capex

    def depreciation_at(self, month: int) -> float:
        return float(self.depreciation[month + self._offset])

    def own_in_service(self, month: int) -> float:
        """The part of `in_service` on the owner's own accelerators."""
        hi = month + self._offset + 1
        return float(self.own_added[max(0, hi - self.life):hi].sum())

    def own_depreciation_at(self, month: int) -> float:
        """The part of `depreciation_at` from own accelerators."""
        return float(self.own_depreciation[month + self._offset])

    @property
    def offset(self) -> int:
        """Vintage index of month 0 (arrays `added`, `depreciation`)."""
        return self._offset

    def in_service_window(self, month: int) -> tuple[int, int]:
        """Indices [lo, hi) of `added` for the vintages in service in `month` (power.py)."""
        hi = month + self._offset + 1
        return max(0, hi - self.life), hi

    def book_value(self, month: int) -> float:
        """Capex not yet depreciated at the end of `month` (what the fleet is carried at)."""
        return float(self.depreciation[month + self._offset + 1:].sum())


def planned_demand(history: list[float], lead: int, max_growth: float,
                   prior_growth: float = 1.0) -> float:
    """Demand expected `lead` months ahead: the last three months' mean, grown at the
    monthly rate seen against the three months half a year earlier (between 1 and
    max_growth). Averaging smooths the lumps of training runs. With under nine months of
    history the seller grows it at `prior_growth` a month (the trend it bought on before
    the first month; at most max_growth)."""
    recent = sum(history[-3:]) / len(history[-3:])
    if len(history) < 9:
        return recent * min(max(prior_growth, 1.0), max_growth) ** lead
    earlier = sum(history[-9:-6]) / 3.0
    growth = (recent / earlier) ** (1.0 / 6.0) if earlier > 0 else max_growth
    return recent * min(max(growth, 1.0), max_growth) ** lead
