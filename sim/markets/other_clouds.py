"""The AI compute sellers outside the three clouds - Oracle, CoreWeave and the rest - as one
seller (issue #17 item 2; docs/model.md 3.3.2).

It owns capacity that enters service after the build lead and needs power like the three
clouds', prices a FLOP at its fleet's cost times the markup, raised by its own scarcity, and
grows its capacity toward the demand it expects, paying capex from its cash and what outside
investors finance (CoreWeave's growth was financed). Labs buy there when they have no
partner (in proportion to capacity, as among the three), when their partner is dearer or
short of capacity and no exclusive deal binds them, and entrants that take no hyperscaler
money train and serve there. The compute market clears it like a cloud, within its capacity
(sim/markets/compute.py); its ledger account `other_clouds` takes the revenue and pays
energy and capex, so the books balance.
"""

from __future__ import annotations

import mesa

from ..mechanisms import compute
from ..mechanisms.finance import OTHER_CLOUDS, OUTSIDE_INVESTORS, REVENUE_TAGS


class OtherClouds(mesa.Agent):
    """One aggregate seller of AI compute outside the three clouds."""

    name = OTHER_CLOUDS
    owner = ""

    def __init__(self, model):
        super().__init__(model)
        model.ledger.open_account(self.name)
        self.capacity = None  # sim.mechanisms.compute.Capacity, sized in the first month
        self.cost = 0.0
        self.price = 0.0
        self.utilisation = model.p.compute.target_utilisation
        self.pressure = self.utilisation
        self.demand_history: list[float] = []
        self.capex = 0.0
        self.unserved = 0.0
        self.own_use_flop = 0.0  # open weights it hosts for customers outside the three
        self.revenue_month = 0.0

    def begin_month(self) -> None:
        self.own_use_flop = 0.0

    @property
    def cash(self) -> float:
        return self.model.ledger.cash[self.name]

    def price_for(self, lab) -> float:
        """No partners and no owners: every lab pays the list price."""
        return self.price

    def set_price(self, replacement_cost: float, energy_per_flop: float) -> None:
        """Its fleet's full cost per FLOP times the markup, raised by last month's scarcity
        (the three clouds' default rule, on its own fleet and demand)."""
        c = self.model.p.compute
        self.cost = replacement_cost if self.capacity is None else compute.average_cost(
            self.capacity.depreciation_at(self.model.month),
            self.capacity.in_service(self.model.month), c.target_utilisation, energy_per_flop)
        self.price = compute.market_price(self.cost, c.cloud_markup, self.pressure,
                                          c.target_utilisation, c.scarcity_price_slope)

    def open_capacity(self, three_clouds_capacity: float, unit_capex: float) -> None:
        """2024-01: capacity of `other_clouds.initial_share` of all AI capacity."""
        m = self.model
        c, share = m.p.compute, m.p.other_clouds.initial_share
        self.capacity = compute.Capacity(three_clouds_capacity * share / (1.0 - share),
                                         m.p.horizon_months, c.build_lead_months,
                                         c.hardware_life_months, unit_capex,
                                         growth_per_month=c.fleet_growth_per_year ** (1.0 / 12.0))

    def invest(self) -> None:
        """Capacity for the demand it expects after the build lead, within the power it can
        get; paid from its cash and, beyond it, by outside investors up to
        `other_clouds.financing_per_revenue` x the month's revenue (just cleared)."""
        m = self.model
        c = m.p.compute
        ledger = m.ledger
        self.revenue_month = ledger.inflow(self.name, REVENUE_TAGS)
        # Until it has a trend of its own it plans on A9's doubling (4x a year), faster than
        # the three clouds' 2.4x (their prior, MakeOrBuy.capacity_order): the specialists
        # grew faster (CoreWeave's revenue 8.4x in 2024, C24 5). Assumption for the rate.
        expected = compute.planned_demand(self.demand_history, c.build_lead_months,
                                          c.max_planned_growth_per_month,
                                          c.max_planned_growth_per_month)
        target = m.power.cap(self.name, self.capacity, expected / c.target_utilisation)
        financing = m.p.other_clouds.financing_per_revenue * self.revenue_month
        self.capex = self.capacity.order(m.month, target, m.buildout.unit_capex(),
                                         budget=max(self.cash, 0.0) + financing)
        short = self.capex - max(self.cash, 0.0)
        if short > 0:
            ledger.pay(OUTSIDE_INVESTORS, self.name, short, "financing")
        # From the chip vendor at list price, outside its allocation to the three (small next to
        # theirs; a simplification, as for own data centres).
        m.chips.sell_direct(self.name, self.capex, "capex")
