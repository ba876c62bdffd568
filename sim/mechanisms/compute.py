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

    def __init__(self, initial: float, horizon: int, lead: int, life: int, unit_capex: float):
        self.lead, self.life = lead, life
        self._offset = life  # vintage index of month m is m + offset
        self.added = np.zeros(horizon + lead + 2 * life + 1)
        self.depreciation = np.zeros(horizon + lead + 2 * life + 1)
        # Initial capacity was bought evenly over the past life (months 1-life .. 0), carried
        # at today's `unit_capex`: it retires, and depreciates, 1/life of it a month.
        self.added[1:life + 1] = initial / life
        for i in range(1, life + 1):
            self.depreciation[i:i + life] += initial / life * unit_capex / life

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

    def add(self, month: int, flop: float, capex: float) -> float:
        """`flop` FLOP/month bought now for `capex` (USD), in service at month + lead; the
        capex depreciates over its life. Returns the capex."""
        if flop <= 0:
            return 0.0
        i = month + self.lead + self._offset
        self.added[i] += flop
        self.depreciation[i:i + self.life] += capex / self.life
        return capex

    def depreciation_at(self, month: int) -> float:
        return float(self.depreciation[month + self._offset])

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


def planned_demand(history: list[float], lead: int, max_growth: float) -> float:
    """Demand expected `lead` months ahead: the last three months' mean, grown at the
    monthly rate seen against the three months half a year earlier (between 1 and
    max_growth). Averaging smooths the lumps of training runs."""
    recent = sum(history[-3:]) / len(history[-3:])
    if len(history) < 9:
        return recent * max_growth**lead if len(history) < 2 else recent
    earlier = sum(history[-9:-6]) / 3.0
    growth = (recent / earlier) ** (1.0 / 6.0) if earlier > 0 else max_growth
    return recent * min(max(growth, 1.0), max_growth) ** lead
