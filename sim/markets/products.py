"""The product market (A15, A19, A27): customers choose models, sales are paid to the
model's seller with a revenue share to the partner cloud that carries it, and the serving
compute is ordered from the cloud that serves it."""

from __future__ import annotations

import math

import numpy as np

from ..mechanisms import demand
from ..mechanisms.finance import CUSTOMERS
from . import deals
from .compute import ComputeOrder


class ProductMarket:
    def __init__(self, model):
        self.model = model
        self.ai_spend = 0.0  # customers' spending on models this month (USD)
        self.model_spend = np.zeros(len(model.labs))  # by lab slot, this month
        # Serving compute each cloud is asked for this month (cleared in the compute market).
        self.inference_orders: dict[str, list[ComputeOrder]] = {}

    def carries(self, cloud, lab) -> bool:
        """A cloud offers a model: its own lab's, its partners' (access deals, A1, A2), and
        any open-weights model."""
        if lab.publishes_weights or lab.owner == cloud.name:
            return True
        return lab.independent and self.model.p.strategy.partnerships and \
            cloud.name in lab.partners

    def sell(self) -> None:
        """Customers re-choose (A19, A27); money goes to the model's seller, a revenue share
        to the partner cloud that sold it, and inference is ordered from the cloud that
        serves it."""
        m = self.model
        d = m.p.demand
        frontier_cap, _ = m.frontier()
        gain = frontier_cap - m.frontier_capability_2024
        self.ai_spend = demand.ai_spend(gain, d.ai_spend_2024_usd_per_month,
                                        d.spend_multiplier_per_capability,
                                        d.ai_spend_ceiling_usd_per_year,
                                        demand.adoption(m.month, d.adoption_growth_2024_per_year,
                                                        d.adoption_slowdown_years))
        hyperscalers, labs = m.hyperscalers, m.labs
        n_homes = len(hyperscalers) + 1
        offered = np.array([lab.sells for lab in labs])
        caps = np.array([lab.capability if lab.sells else 0.0 for lab in labs])
        log_price = np.array([math.log(d.open_weights_price) if lab.publishes_weights else 0.0
                              for lab in labs])
        reach = np.zeros((len(labs), n_homes))
        # Which cloud carries which lab this month (nothing here changes it before the sales).
        carried = [[False] * len(hyperscalers) for _ in labs]
        for j, lab in enumerate(labs):
            if not lab.sells:  # not on offer (its utility is -inf): nothing to reach
                continue
            for h in hyperscalers:
                if self.carries(h, lab):
                    carried[j][h.cloud] = True
                    reach[j, h.cloud] = d.home_cloud_bonus
                elif lab.independent:
                    reach[j, h.cloud] = d.direct_sales_bonus
            reach[j, -1] = d.home_cloud_bonus if lab.publishes_weights else 0.0
        m.customers.choose(m.rng, caps, log_price, offered, reach, d.switching_cost,
                           d.rechoose_prob)
        spend = m.customers.spend_by_model_and_home(len(labs)) * self.ai_spend
        self.model_spend = spend.sum(axis=1)

        self.inference_orders = {h.name: [] for h in (*hyperscalers, m.other_clouds)}
        for j, lab in enumerate(labs):
            lab.last_sales = 0.0
            for home in range(n_homes):
                x = float(spend[j, home])
                if x > 0.0:
                    cloud = hyperscalers[home] if home < len(hyperscalers) else None
                    self._sell_one(lab, cloud, x, cloud is not None and (
                        carried[j][home] if lab.sells else self.carries(cloud, lab)))

    def _sell_one(self, lab, cloud, x: float, carried: bool) -> None:
        """A month's sales `x` of a lab's model to customers whose home is `cloud` (None:
        elsewhere), which carries the model or not."""
        m = self.model
        d, f = m.p.demand, m.p.finance
        ledger, orders = m.ledger, self.inference_orders
        if lab.is_open:  # free weights: the hosting cloud earns, the lab does not
            if cloud is None:  # served by other clouds, outside the model
                return
            ledger.pay(CUSTOMERS, cloud.name, x, "hosting")
            flop = d.inference_cost_share * x / cloud.price
            orders[cloud.name].append(ComputeOrder(cloud, flop, 0.0, "own_use"))
            return
        if lab.open_weights:  # an entrant's open model: chosen for its price, sold at it
            x *= d.open_weights_price
        ledger.pay(CUSTOMERS, lab.name, x, "sales")
        lab.last_sales += x
        if lab.independent and carried:
            share = deals.revenue_share(lab, cloud.name, f.revenue_share)  # the deal's terms
            ledger.pay(lab.name, cloud.name, share * x, "revenue_share")
            cloud.partner_payback_month += share * x
            keep = max(1.0 - d.inference_cost_share - share, 0.0)
            cloud.partner_margin_month += keep * x
        # Not carried: served where it trains (an entrant renting outside the three: there).
        hosts = [(cloud, 1.0)] if carried else m.compute.suppliers(lab)
        for host, share in hosts:
            flop = d.inference_cost_share * x * share / host.price
            tag = "self_inference" if lab.owner == host.name else "inference"
            orders[host.name].append(ComputeOrder(lab, flop, host.price_for(lab), tag))
