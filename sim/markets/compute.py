"""The compute market (A9, A10, A17, A24): the cost and price of a FLOP, who buys where,
and the clearing of inference and training orders within each cloud's capacity. What the
sellers build is sim/markets/buildout.py."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..mechanisms import compute, training
from ..policies import checked
from . import deals
from ..mechanisms.finance import ENERGY


class ComputeOrder(NamedTuple):
    """FLOP a buyer wants from one cloud this month at a price; `tag` books the payment
    (inference, self_inference, compute, self_compute, own_use)."""

    buyer: object  # a FrontierLab, or the cloud itself hosting open weights
    flop: float
    price: float
    tag: str


class ComputeMarket:
    def __init__(self, model):
        self.model = model
        # This month: cost of a FLOP on new hardware, and its energy part.
        self.replacement_cost = 0.0
        self.energy_per_flop = 0.0
        # This month's deliveries.
        self.sold: dict[str, float] = {}  # by cloud
        self.bought: dict[str, float] = {}  # by lab, wherever bought
        self.self_supplied_flop = 0.0  # own data centres (the open-weights lab)
        self.other_clouds_flop: dict[str, float] = {}  # by lab, outside the three clouds
        self._oc_room = 0.0  # the other clouds' capacity not yet ordered (this month's clear)
        self.roundtrip_cum = 0.0  # obligations drawn down since 2024-01 (A17)
        # This month: training FLOP labs bought from other clouds because theirs were short,
        # by lab, and by the cloud that was short (sim/markets/deals.py).
        self.elsewhere: dict[str, float] = {}
        self.short_served: dict[str, float] = {}
        self.rented: dict[str, float] = {}  # FLOP each cloud rented at the other clouds

    # ------------------------------------------------------------------ prices
    def set_prices(self) -> None:
        """A FLOP's cost is the fleet's depreciation and energy, falling with
        price-performance as new hardware arrives; each cloud then sets its price."""
        m = self.model
        c = m.p.compute
        self.replacement_cost = compute.replacement_cost(
            m.month, c.price_per_flop_2024_usd, c.cloud_markup,
            c.price_performance_doubling_months)
        self.energy_per_flop = self.replacement_cost * (1.0 - c.hardware_share_of_cost)
        for h in m.hyperscalers:
            if h.capacity is None:
                h.cost = h.owner_cost = self.replacement_cost
            else:  # own accelerators serve the owner's labs first (docs/model.md 3.3.9)
                cap, t = h.capacity, m.month
                h.owner_cost, h.cost = compute.owner_first_costs(
                    cap.depreciation_at(t), cap.in_service(t), cap.own_depreciation_at(t),
                    cap.own_in_service(t), c.target_utilisation, self.energy_per_flop,
                    h.own_labs_flop_last)
            h.price = checked(h.policy.price(h, m.view), h.policy, "price", h, lo=1e-300)
        m.other_clouds.set_price(self.replacement_cost, self.energy_per_flop)

    def sellers(self) -> list[tuple[str, object, float]]:
        """Every seller of AI compute with capacity - the three clouds, then the other
        clouds - as (name, capacity, last month's demand in FLOP) (power.py)."""
        return [(s.name, s.capacity, s.demand_history[-1] if s.demand_history else 0.0)
                for s in (*self.model.hyperscalers, self.model.other_clouds)]

    def market_price(self) -> float:
        """The three clouds' average list price per FLOP (the `market_price` output)."""
        hyperscalers = self.model.hyperscalers
        return sum(h.price for h in hyperscalers) / len(hyperscalers)

    def suppliers(self, lab) -> list[tuple[object, float]]:
        """Clouds a lab buys from when no obligation or customer's home decides, with
        shares: its owner, its primary partner, the other clouds for an entrant that rents
        there, or - without a partner - the whole market, the other clouds included, in
        proportion to capacity (a buyer spreads its orders; chasing the cheapest cloud
        each month would make prices oscillate)."""
        m = self.model
        if lab.inhouse:
            return [(m.by_name[lab.owner], 1.0)]
        if lab.other_cloud:
            return [(m.other_clouds, 1.0)]
        if m.p.strategy.partnerships and lab.partners:
            return [(m.by_name[lab.partners[0]], 1.0)]
        sellers = (*m.hyperscalers, m.other_clouds)
        caps = np.array([s.capacity.in_service(m.month) if s.capacity else
                         (1.0 if s in m.hyperscalers else 0.0) for s in sellers])
        return list(zip(sellers, caps / caps.sum()))

    def training_suppliers(self, lab) -> list[tuple[object, float]]:
        """Clouds a lab trains on, with shares: clouds it owes spend to first (in proportion
        to what it owes), else its primary cloud."""
        owed = {n: v for n, v in lab.obligations.items() if v > 0}
        if owed and not lab.inhouse:
            total = sum(owed.values())
            return [(self.model.by_name[n], v / total) for n, v in owed.items()]
        return self.suppliers(lab)

    def _cheaper_outside(self, lab, suppliers: list, want: float) -> list:
        """A lab whose partner is dearer than the other clouds, owing it no spend and bound
        by no exclusive deal, orders what it can of `want` FLOP from the other clouds' room
        (capacity at planned utilisation not yet ordered this month), the rest as before;
        buying only their room, not moving every order, keeps prices from oscillating."""
        oc = self.model.other_clouds
        if (self._oc_room <= 0 or want <= 0 or not lab.partners
                or not deals.may_buy_elsewhere(lab)
                or any(v > 0 for v in lab.obligations.values())
                or oc.price >= sum(share * h.price_for(lab) for h, share in suppliers)):
            return suppliers
        share = min(self._oc_room / want, 1.0)
        self._oc_room -= share * want
        return [(oc, share), *((h, s * (1.0 - share)) for h, s in suppliers)]

    def run_price(self, lab) -> float:
        """Price per training FLOP for a lab at its suppliers (own data centres at cost)."""
        if lab.is_open or lab.own_cluster:
            return self.replacement_cost
        return sum(share * h.price_for(lab) for h, share in self.suppliers(lab))

    # ------------------------------------------------------------------ clearing
    def clear(self, inference: dict[str, list[ComputeOrder]]) -> None:
        """Each cloud serves inference first, then training orders pro rata within capacity;
        payments settle obligations from strategic investments (A17, A24)."""
        m = self.model
        tr = m.p.training
        research = tr.research_compute_multiple
        oc = m.other_clouds
        training_orders = {h.name: [] for h in (*m.hyperscalers, oc)}
        self._oc_room = 0.0 if oc.capacity is None else (
            oc.capacity.in_service(m.month) * m.p.compute.target_utilisation
            - sum(o.flop for o in inference[oc.name]))
        self.self_supplied_flop = 0.0
        self.other_clouds_flop = {}
        serving_bill = {lab.name: 0.0 for lab in m.labs}
        for orders in inference.values():
            for order in orders:
                if order.buyer in m.labs:
                    serving_bill[order.buyer.name] += order.flop * order.price
        for lab in m.labs:
            if not lab.alive or lab.run_target_flop <= 0:
                continue
            # Order only what the lab can pay for after this month's serving bill.
            spendable = min(lab.run_budget_per_month,
                            max(lab.cash - serving_bill[lab.name], 0.0))
            months_left = max(tr.run_months - (m.month - lab.run_start), 1)
            # The run's FLOP plus research compute alongside it; only the run counts.
            want = training.bought_flop(
                (lab.run_target_flop - lab.run_delivered_flop) / months_left, research)
            if lab.is_open or lab.own_cluster:  # own data centres, at cost: the chip
                cost = self.replacement_cost  # vendor's hardware, the energy
                flop = m.power.run_own(min(want, spendable / cost))  # within the power free
                hardware = m.p.compute.hardware_share_of_cost
                m.chips.sell_direct(lab.name, flop * cost * hardware, "self_compute")
                m.ledger.pay(lab.name, ENERGY, flop * cost * (1.0 - hardware), "self_compute")
                lab.run_delivered_flop += training.run_share(flop, research)
                self.self_supplied_flop += flop
                continue
            for h, share in self._cheaper_outside(lab, self.training_suppliers(lab), want):
                price = h.price_for(lab)
                flop = min(want, spendable / price) * share
                training_orders[h.name].append(ComputeOrder(
                    lab, flop, price, "self_compute" if lab.owner == h.name else "compute"))
        self.sold = {}
        self.bought = {lab.name: 0.0 for lab in m.labs}
        demand, short = {}, []
        for h in m.hyperscalers:
            demand[h.name] = self._clear_cloud(h, inference[h.name], training_orders[h.name],
                                               short)
        if oc.capacity is None:  # 2024-01: a share of all AI capacity (other_clouds.py)
            oc.open_capacity(sum(h.capacity.in_service(m.month) for h in m.hyperscalers),
                             self.model.buildout.unit_capex())
        demand[oc.name] = self._clear_cloud(oc, inference[oc.name], training_orders[oc.name],
                                            short)
        short = self._rent(short)
        served = self._buy_elsewhere(short)
        served[oc.name] = served.get(oc.name, 0.0) + sum(self.rented.values())
        for h in (*m.hyperscalers, oc):
            self._close_cloud(h, demand[h.name] + served.get(h.name, 0.0))

    def _clear_cloud(self, h, inference: list[ComputeOrder], train: list[ComputeOrder],
                     short: list) -> float:
        """Serve one cloud's orders within its capacity; what it cannot supply goes on
        `short` as (order, FLOP, cloud, training?). Returns the FLOP ordered."""
        m = self.model
        c = m.p.compute
        demand_flop = sum(o.flop for o in inference) + sum(o.flop for o in train)
        if h.capacity is None:  # 2024-01: capacity sized to demand (assumption), and its pipeline
            build = m.buildout
            h.capacity = compute.Capacity(
                demand_flop / c.target_utilisation, m.p.horizon_months, c.build_lead_months,
                c.hardware_life_months, build.cloud_unit_capex(h), build.custom_share(h),
                build.own_unit_capex(), c.fleet_growth_per_year ** (1.0 / 12.0))
        capacity = h.capacity.in_service(m.month)
        got_inf, got_train = compute.ration(np.array([o.flop for o in inference]),
                                            np.array([o.flop for o in train]), capacity)
        for order, got in zip(train, got_train):  # what a partner could not supply (deals)
            buyer = order.buyer
            deal = buyer.deals.get(h.name)  # none at the other clouds
            if deal is not None:
                deal.ordered_flop += order.flop
                deal.rationed_flop += order.flop - got
            if got < order.flop:
                short.append((order, order.flop - got, h, True))
        for order, got in zip(inference, got_inf):
            if got < order.flop and order.buyer is not h:
                short.append((order, order.flop - got, h, False))
        self.sold[h.name] = 0.0
        for order, flop in zip(inference + train, [*got_inf, *got_train]):
            self._deliver(h, order, flop)
        return demand_flop

    def _deliver(self, h, order: ComputeOrder, flop: float, via=None) -> float:
        """`flop` of an order served by cloud `h`, as far as the buyer can pay: the FLOP
        delivered. With `via` (the other clouds), `h` serves them on capacity it rents there
        and pays their price for them (tag `rent`): they are `via`'s sales."""
        m = self.model
        buyer = order.buyer
        if buyer is h:  # open-weights hosting on its own capacity
            h.own_use_flop += flop
            self.sold[h.name] += flop
            return flop
        flop = min(flop, max(buyer.cash, 0.0) / order.price)  # a lab pays what it can
        if order.tag in ("compute", "self_compute"):
            buyer.run_delivered_flop += training.run_share(
                flop, m.p.training.research_compute_multiple)
        paid = m.ledger.pay(buyer.name, h.name, flop * order.price, order.tag)
        self.roundtrip_cum += deals.draw_down(buyer, h, paid)
        cost = h.cost if via is None else via.price
        if via is not None:
            m.ledger.pay(h.name, via.name, flop * cost, "rent")
        elif buyer.owner == h.name:  # the owner's labs: served from own accelerators first
            h.own_labs_flop += flop
        if buyer.independent and h.name in buyer.partners:  # what a partner brings back
            h.partner_payback_month += flop * (order.price - cost)
        self.bought[buyer.name] += flop
        self.sold[(via or h).name] += flop
        if h is m.other_clouds:
            self.other_clouds_flop[buyer.name] = self.other_clouds_flop.get(buyer.name, 0.0) + flop
        return flop

    def _rent(self, short: list) -> list:
        """A hyperscaler short of capacity for an order rents the other clouds' spare
        capacity (capacity less FLOP sold, after their own customers) at their price and
        delivers it at its own (Microsoft rented CoreWeave for OpenAI, C24 5): for an
        exclusive partner whatever the rent (it may not buy elsewhere; keeping it served is
        worth a loss, assumption), for any other buyer only when the rent is below what the
        buyer pays. Requests beyond the spare are served pro rata. `rented` holds the FLOP
        by the cloud that rented. Returns the training shortfalls of labs free to buy
        elsewhere, as (lab, FLOP, cloud), less what was rented for them."""
        m = self.model
        oc = m.other_clouds
        self.rented = {}
        asked = np.array([flop if h is not oc and (order.buyer.exclusive_cloud == h.name
                                                   or oc.price < order.price) else 0.0
                          for order, flop, h, _ in short])
        spare = max(oc.capacity.in_service(m.month) - self.sold[oc.name], 0.0)
        _, got = compute.ration(np.zeros(0), asked, spare)
        for (order, _, h, _), flop in zip(short, got):
            if flop > 0:
                flop = self._deliver(h, order, flop, via=oc)
                self.rented[h.name] = self.rented.get(h.name, 0.0) + flop
        return [(order.buyer, flop - rented, h)
                for (order, flop, h, train), rented in zip(short, got)
                if train and flop > rented and deals.may_buy_elsewhere(order.buyer)]

    def _buy_elsewhere(self, short: list) -> dict[str, float]:
        """Training FLOP a seller could not supply to a lab without exclusivity (a right of
        first refusal, access only, or no partner) are ordered from the other sellers'
        spare capacity (the two other big clouds and the other clouds), split by spare
        capacity, at the price each charges the lab; a seller asked for more than it has
        spare serves pro rata. Returns the FLOP each cloud served
        for others; `elsewhere` holds them by the lab and `short_served` by the cloud that
        was short."""
        m = self.model
        sellers = (*m.hyperscalers, m.other_clouds)
        spare = {h.name: max(h.capacity.in_service(m.month) - self.sold[h.name], 0.0)
                 for h in sellers}
        orders = {h.name: [] for h in sellers}  # (order, the cloud that was short)
        for lab, flop, origin in short:
            others = [h for h in sellers if h is not origin and spare[h.name] > 0]
            room = sum(spare[h.name] for h in others)
            for h in others:
                orders[h.name].append((ComputeOrder(lab, flop * spare[h.name] / room,
                                                    h.price_for(lab), "compute"), origin))
        served = {}
        self.elsewhere, self.short_served = {}, {}
        for h in sellers:
            if not orders[h.name]:
                continue
            _, got = compute.ration(np.zeros(0), np.array([o.flop for o, _ in orders[h.name]]),
                                    spare[h.name])
            for (order, origin), flop in zip(orders[h.name], got):
                flop = self._deliver(h, order, flop)
                served[h.name] = served.get(h.name, 0.0) + flop
                name = order.buyer.name
                self.elsewhere[name] = self.elsewhere.get(name, 0.0) + flop
                self.short_served[origin.name] = self.short_served.get(origin.name, 0.0) + flop
        return served

    def _close_cloud(self, h, demand_flop: float) -> None:
        """A cloud's month: demand (what was ordered from it, and what it served for others'
        shortfalls), utilisation, pressure, unserved FLOP and the energy bill."""
        m = self.model
        h.demand_history.append(demand_flop)
        capacity = h.capacity.in_service(m.month)
        sold = self.sold[h.name]
        h.utilisation = sold / capacity if capacity > 0 else 1.0
        h.pressure = demand_flop / capacity if capacity > 0 else 1.0
        # Unserved here: ordered and served nowhere (not what other clouds took over or it
        # rented).
        h.unserved = max(demand_flop - sold - self.short_served.get(h.name, 0.0)
                         - self.rented.get(h.name, 0.0), 0.0)
        m.ledger.pay(h.name, ENERGY, sold * self.energy_per_flop, "energy")


def fleet_cost(market: ComputeMarket) -> float:
    """The three clouds' average full cost of a FLOP on their fleets: depreciation and
    energy over planned use, before any markup (the `compute_cost_usd_per_flop` output)."""
    m, c = market.model, market.model.p.compute
    costs = [market.replacement_cost if h.capacity is None else compute.average_cost(
        h.capacity.depreciation_at(m.month), h.capacity.in_service(m.month),
        c.target_utilisation, market.energy_per_flop) for h in m.hyperscalers]
    return sum(costs) / len(costs)
