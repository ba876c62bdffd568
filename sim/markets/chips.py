"""The chip market (A10; issue 17 item 1): the accelerator vendor that sells the clouds their
capacity at a margin, allocates its supply when orders exceed it and adds supply after a
lead time; and the hyperscalers' own accelerators (TPU, Trainium, Maia), built at cost.

Amounts of supply and orders are in USD at the vendor's list price without scarcity (the
clouds' capex per FLOP/month of capacity, `Buildout.unit_capex`, sim/markets/buildout.py), so that a scarcity
premium raises the vendor's revenue, not the volume it can ship."""

from __future__ import annotations

from ..mechanisms.finance import CHIP_VENDORS, FOUNDRIES


def markup(gross_margin: float) -> float:
    """Price over unit cost at a gross margin: 1 / (1 - margin)."""
    return 1.0 / (1.0 - gross_margin)


def scarcity_factor(pressure: float, slope: float) -> float:
    """Price multiple when orders / supply is `pressure`: 1 up to 1, then rising linearly."""
    return 1.0 + slope * max(0.0, pressure - 1.0)


def allocate(orders: dict[str, float], supply: float) -> dict[str, float]:
    """Orders served within supply: all when they fit, else pro rata; never more than supply."""
    total = sum(orders.values())
    if total <= supply:
        return dict(orders)
    scale = supply / total if total > 0 else 0.0
    return {k: v * scale for k, v in orders.items()}


def custom_share(month: int, share: float, start: float, ramp: float) -> float:
    """Share of new capacity a hyperscaler builds on its own accelerator: 0 before its
    programme's `start` month, rising linearly to `share` over `ramp` months."""
    if month < start:
        return 0.0
    return share * min(1.0, (month - start + 1) / max(ramp, 1.0))


class ChipVendor:
    """The merchant accelerator vendor (Nvidia and the like), `model.chips`.

    Each month it has `available` to ship (this month's output plus stock carried, at most
    `stock_months` of output); its output for month t + lead is set at t to headroom x the
    orders it expects then (`expected_orders`). Its price is unit cost x markup x a scarcity
    factor from the last three months' orders over what it could ship."""

    def __init__(self, model):
        self.model = model
        self.output: dict[int, float] = {}  # month -> list-price USD produced that month
        self.available = 0.0  # what it can ship this month (list-price USD)
        self.history: list[float] = []  # orders per month (list-price USD)
        self.offered: list[float] = []  # what it could ship per month (list-price USD)
        self.pressure = 0.0  # orders / what it could ship, last three months
        self.factor = 1.0  # this month's scarcity factor on price
        self.revenue = self.cost = 0.0  # this month's (USD)
        self.ordered = self.shipped = 0.0  # this month's (list-price USD)

    def open_month(self) -> None:
        """Set this month's price from the pressure at the end of last month."""
        k = self.model.p.chips
        self.factor = scarcity_factor(self.pressure, k.scarcity_price_slope)
        self.revenue = self.cost = self.ordered = self.shipped = 0.0

    def price_multiple(self) -> float:
        """The vendor's price over the list price (1 without scarcity)."""
        return self.factor

    def _start(self, orders: float, recent: float) -> None:
        """The first month with orders: no source says the three clouds' 2024 orders went
        unfilled, so output starts at initial headroom x the rate the clouds were buying at
        (`recent`: their orders of the month before, at list price; or their first order
        spread over the build lead, if more), growing at its fastest until the vendor's own
        plans arrive; a full stock."""
        m, k = self.model, self.model.p.chips
        rate = k.initial_supply_headroom * max(orders / m.p.compute.build_lead_months, recent)
        for i in range(k.supply_lead_months):
            self.output[m.month + i] = rate * k.max_supply_growth_per_year ** (i / 12.0)
        self.available = max(k.stock_months * rate, orders * k.initial_supply_headroom)

    def expected_orders(self, lead: int) -> float:
        """Orders expected `lead` months ahead: the last year's monthly mean, grown at the
        rate seen against the year before, between none and `max_supply_growth_per_year`
        (that fastest while there is under two years of history). A year smooths the lumps
        of the clouds' orders (a training run's capacity at a time)."""
        h = self.history
        top = self.model.p.chips.max_supply_growth_per_year ** (1.0 / 12.0)
        recent = sum(h[-12:]) / len(h[-12:])
        earlier = sum(h[-24:-12]) / 12.0 if len(h) >= 24 else 0.0
        growth = min(max((recent / earlier) ** (1.0 / 12.0), 1.0), top) if earlier > 0 else top
        return recent * growth ** (lead + 5.5)  # 5.5: from the window's middle to now

    def sell(self, orders: dict[str, float], recent: float = 0.0) -> dict[str, float]:
        """Serve the clouds' orders (list-price USD by buyer) within what it can ship; book
        revenue from each buyer at the scarcity price and the cost of goods. Returns the
        list-price USD each buyer gets. `recent`: what the buyers ordered a month before
        (list-price USD), which sizes the vendor in its first month."""
        m, k = self.model, self.model.p.chips
        t = m.month
        total = sum(orders.values())
        if not self.output:
            if total <= 0:  # no orders yet: the vendor sizes itself on the first
                return dict.fromkeys(orders, 0.0)
            self._start(total, recent)
        else:
            out = self.output.get(t, 0.0)
            self.available = max(min(self.available + out, max(k.stock_months, 1.0) * out), 0.0)
        got = allocate(orders, self.available)
        shipped = sum(got.values())
        for buyer, amount in got.items():
            self.revenue += m.ledger.pay(buyer, CHIP_VENDORS, amount * self.factor, "capex")
        self.cost += m.ledger.pay(CHIP_VENDORS, FOUNDRIES, shipped / markup(k.gross_margin),
                                  "cost_of_goods")
        # Pressure: orders over what it could ship, over three months (orders are lumpy);
        # at most 3, as buyers stop ordering at some price (assumption).
        self.history.append(total)
        self.offered.append(self.available)
        offered = sum(self.offered[-3:])
        self.pressure = min(sum(self.history[-3:]) / offered, 3.0) if offered > 0 else (
            0.0 if total <= 0 else 3.0)
        self.available = max(self.available - shipped, 0.0)
        self.ordered, self.shipped = total, shipped
        # Lines are not idled at once: output falls to at most half in a lead (assumption).
        self.output[t + k.supply_lead_months] = max(
            k.supply_headroom * self.expected_orders(k.supply_lead_months),
            0.5 * self.output.get(t, 0.0))
        return got

    def sell_direct(self, buyer: str, amount: float, tag: str) -> float:
        """Hardware bought for own data centres (Meta, founders' clusters) at list price,
        outside the allocation (small next to the clouds'; a simplification)."""
        k = self.model.p.chips
        paid = self.model.ledger.pay(buyer, CHIP_VENDORS, amount, tag)
        self.revenue += paid
        self.cost += self.model.ledger.pay(CHIP_VENDORS, FOUNDRIES, paid / markup(k.gross_margin),
                                           "cost_of_goods")
        return paid

    def margin(self) -> float:
        """This month's gross margin (0 without sales)."""
        return 1.0 - self.cost / self.revenue if self.revenue > 0 else 0.0


def own_unit_capex(list_capex: float, gross_margin: float, overhead: float) -> float:
    """Capex per FLOP/month on a hyperscaler's own accelerator: the vendor's unit cost (no
    margin) plus the programme's design cost and lower volume, `overhead` of it."""
    return list_capex / markup(gross_margin) * (1.0 + overhead)
