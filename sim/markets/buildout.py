"""What the compute sellers build (A10, A24): each cloud's capacity order, cut to the power
it can get, built partly on its own accelerators at cost and the rest bought from the chip
vendor within its supply (sim/markets/chips.py, sim/mechanisms/power.py). The compute
market (sim/markets/compute.py) sells what is built."""

from __future__ import annotations

import math

from ..mechanisms.finance import FOUNDRIES
from ..policies import checked
from . import chips


class Buildout:
    def __init__(self, model):
        self.model = model

    def unit_capex(self) -> float:
        """Capex for one FLOP/month of capacity: the hardware part of a FLOP's cost at full
        use, over the hardware's life."""
        c = self.model.p.compute
        return (self.model.compute.replacement_cost * c.hardware_share_of_cost * c.target_utilisation
                * c.hardware_life_months)

    def custom_share(self, h) -> float:
        """Share of `h`'s new capacity on its own accelerator this month (chips.custom_*; a
        cloud not named there has none)."""
        k = self.model.p.chips
        return chips.custom_share(self.model.month, k.custom_share.get(h.name, 0.0),
                                  k.custom_start_month.get(h.name, 0.0), k.custom_ramp_months)

    def own_unit_capex(self) -> float:
        """Capex per FLOP/month on a hyperscaler's own accelerator (no vendor margin)."""
        k = self.model.p.chips
        return chips.own_unit_capex(self.unit_capex(), k.gross_margin, k.custom_overhead)

    def cloud_unit_capex(self, h) -> float:
        """`h`'s capex per FLOP/month of new capacity: its own accelerators' share at their
        cost, the rest at the vendor's price (list price x scarcity)."""
        s = self.custom_share(h)
        return (s * self.own_unit_capex()
                + (1.0 - s) * self.unit_capex() * self.model.chips.price_multiple())

    def invest(self) -> None:
        """Capex (A24): each cloud orders the capacity it plans for, bought now at this
        month's price-performance; it arrives after the build lead. Its own accelerators'
        share is built at cost (paid to foundries); the rest is ordered from the chip vendor,
        which ships within its supply (sim/markets/chips.py): a cloud gets less than it
        ordered when chips are short, and its budget buys less when their price is high."""
        m = self.model
        list_capex, own_capex = self.unit_capex(), self.own_unit_capex()
        plans, orders = {}, {}
        for h in m.hyperscalers:
            target, budget = h.policy.capacity_order(h, m.view)
            checked(target, h.policy, "capacity_order (target)", h, lo=-math.inf)
            checked(budget, h.policy, "capacity_order (budget)", h)
            target = self.power_cap(h, target)
            flop = h.capacity.wanted(m.month, target, self.cloud_unit_capex(h), budget)
            own = flop * self.custom_share(h)
            plans[h.name] = own
            orders[h.name] = (flop - own) * list_capex
        # Before 2024 the clouds bought on their 2023 trend (the pipeline, compute.Capacity).
        recent = list_capex * sum((1.0 - self.custom_share(h)) * h.capacity.ordered_before(m.month)
                                  for h in m.hyperscalers)
        shipped = m.chips.sell(orders, recent)
        for h in m.hyperscalers:
            own = plans[h.name]
            paid = m.ledger.pay(h.name, FOUNDRIES, own * own_capex, "capex")
            bought = shipped[h.name] * m.chips.price_multiple()
            h.capex = h.capacity.add(m.month, own + shipped[h.name] / list_capex, paid + bought,
                                     own, paid)

    def power_cap(self, h, target: float) -> float:
        """A cloud's capacity order cut to what the power it can get will run (power.py)."""
        return self.model.power.cap(h.name, h.capacity, target)
