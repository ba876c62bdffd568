"""How a hyperscaler decides: make or buy (A18), its price per FLOP, the capacity it
orders, the budget of its in-house labs' runs, what it puts into partners, and whether it
hires a lab's team away. `MakeOrBuy` (the default) weighs what making and buying brought in
value; `AllIn` puts everything into its own lab (A4, A5)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import roster
from ..mechanisms import compute, strategy, training
from ..params import ConfigError


class HyperscalerPolicy:
    """What every hyperscaler policy decides. Subclass `MakeOrBuy` and override one method
    to change one decision.

    Every method gets the deciding hyperscaler `h` (a sim.agents.Hyperscaler: read its
    state - `name`, `make_weight`, `cash`, `cost` and `price` (USD per FLOP),
    `pressure`, `demand_history` (FLOP a month), `other_cash_flow_per_month`,
    `ai_revenue_last`, `invested_12m`, `partner_margin_12m`, `partner_payback_12m`,
    `stakes_value_13m`, `own_labs_value_13m`, ... - never set it) and,
    except at the start, `view` (sim.view.MarketView). Money in USD, compute in FLOP. The
    agents check each answer (sim.policies.PolicyError names the method)."""

    def initial_make_weight(self, h, weight: float) -> float:
        """The make weight (0-1: share of frontier effort in-house) at the start, given the
        roster's (or `strategy.initial_make_weight`'s) `weight`."""
        raise NotImplementedError

    def review(self, h, view) -> float:
        """The make weight (0-1) after a make-or-buy review (every strategy.review_months)."""
        raise NotImplementedError

    def price(self, h, view) -> float:
        """This month's list price per FLOP (> 0, USD); the fleet's cost is `h.cost`."""
        raise NotImplementedError

    def capacity_order(self, h, view) -> tuple[float, float]:
        """(capacity wanted in service after the build lead, FLOP a month; the most to
        spend on it now, USD >= 0)."""
        raise NotImplementedError

    def inhouse_run(self, h, lab, view) -> tuple[float, float]:
        """For an in-house lab's next run: (a multiple (>= 0) of the size the lab's policy
        plans; the run's whole budget, USD)."""
        raise NotImplementedError

    def lab_funding(self, h, lab, view) -> float:
        """USD transferred to an in-house lab this month (<= 0: nothing)."""
        raise NotImplementedError

    def partner_share(self, h, n_partners: int, view) -> float:
        """Share (0-1) of a partner lab's raise this cloud offers to take; `n_partners`:
        the clouds the lab raises from (1 for a lab being founded)."""
        raise NotImplementedError

    def partner_budget(self, h, view) -> float:
        """The most it may still put into partners now, USD (<= 0: nothing)."""
        raise NotImplementedError

    def wants_team(self, h, view) -> bool:
        """Whether it looks to hire a lab's team away at a review (acqui-hire)."""
        raise NotImplementedError


@dataclass
class MakeOrBuy(HyperscalerPolicy):
    """Move effort between the own lab and partners by comparing what a year of each
    brought in value (A18); fund the own lab's runs as its expected returns ask, within a
    budget the make weight sets."""

    def initial_make_weight(self, h, weight: float) -> float:
        return weight

    def review(self, h, view) -> float:
        """The make weight after a review, from what buying and making brought over the
        last year (the months tracked so far at the first review), in value: buying, the
        change in its stakes' value less the money it put in, plus the cloud margin and
        revenue share partners paid back; making, the change in its own labs' valuation
        plus their model's margin less their cost, and control (strategy.control_value)."""
        sp = view.params.strategy
        labs = view.inhouse_labs(h)
        if not labs:  # a cloud without a lab of its own has nothing to weigh
            return h.make_weight
        stakes, own = h.stakes_value_13m, h.own_labs_value_13m
        if not view.partner_labs(h) and not any(stakes):  # nothing to buy: build
            return min(1.0, max(sp.min_make_weight,
                                h.make_weight + sp.adjust_rate + sp.inhouse_push))
        months = len(stakes) - 1  # months of change the marks span
        if months < 1:
            return h.make_weight

        def last(track):  # the flows of the months the marks span
            return sum(list(track)[-months:])

        buy = strategy.buy_value(stakes[0], stakes[-1], last(h.invested_12m),
                                 last(h.partner_payback_12m))
        make = strategy.make_value(
            own[0], own[-1], sum(last(lab.margin_12m) for lab in labs),
            sum(last(lab.cost_12m) for lab in labs), sp.control_value)
        return strategy.make_weight_step(
            h.make_weight, buy, make, adjust_rate=sp.adjust_rate,
            sensitivity=sp.value_sensitivity, push=sp.inhouse_push, floor=sp.min_make_weight)

    def price(self, h, view) -> float:
        """Cost x markup, raised by last month's scarcity (A24)."""
        c = view.params.compute
        return compute.market_price(h.cost, c.cloud_markup, h.pressure, c.target_utilisation,
                                    c.scarcity_price_slope)

    def capacity_order(self, h, view) -> tuple[float, float]:
        """(capacity wanted in service after the build lead, most to spend now): demand
        expected when it arrives at target utilisation, within a share of cash. Until it
        has nine months of history it plans on the trend its fleet was bought on before
        2024 (`compute.fleet_growth_per_year`)."""
        c = view.params.compute
        expected = compute.planned_demand(h.demand_history, c.build_lead_months,
                                          c.max_planned_growth_per_month,
                                          c.fleet_growth_per_year ** (1.0 / 12.0))
        return expected / c.target_utilisation, c.max_capex_cash_share * max(h.cash, 0.0)

    def inhouse_run(self, h, lab, view) -> tuple[float, float]:
        """(1: the lab's own sizing stands; the run's budget): the cost of the run the lab
        plans from its expected returns (its policy's `run_scale`; a policy without one:
        the budget below), within the owner's budget for its frontier programme - the make
        weight of a share of its cash flow over the run; an owner with several labs (one
        acquired) splits that budget between them."""
        tr, f = view.params.training, view.params.finance
        budget = (h.make_weight * f.inhouse_budget_share * tr.run_months
                  * (h.other_cash_flow_per_month + h.ai_revenue_last)
                  / len(view.inhouse_labs(h)))
        run_scale = getattr(lab.policy, "run_scale", None)
        if run_scale is not None:
            flop = lab.ambition * view.trend_flop() * run_scale(lab, view)
            budget = min(budget, training.run_cost(flop, view.run_price(lab),
                                                   tr.research_compute_multiple))
        return 1.0, budget

    def lab_funding(self, h, lab, view) -> float:
        """What the owner transfers to an in-house lab this month: its staff, its planned
        run's month and serving with room for growth, less the cash it holds."""
        tr, f = view.params.training, view.params.finance
        run = training.run_cost(lab.run_target_flop / tr.run_months, view.run_price(lab),
                                tr.research_compute_multiple)
        return (view.monthly_salaries(lab) + run
                + lab.last_spend_serving * f.inhouse_serving_headroom - lab.cash)

    def partner_share(self, h, n_partners: int, view) -> float:
        """Share of a partner's raise this cloud takes: less the more it makes itself."""
        return ((1.0 - h.make_weight) * view.params.finance.max_strategic_share_of_raise
                / n_partners)

    def partner_budget(self, h, view) -> float:
        """What it may still invest in partners over the last 12 months."""
        f = view.params.finance
        last_year = sum(list(h.invested_12m)[1:]) + h.invested_month
        return ((1.0 - h.make_weight) * f.max_strategic_share_of_cash_flow
                * 12.0 * h.other_cash_flow_per_month - last_year)

    def wants_team(self, h, view) -> bool:
        """Only a cloud that makes more than it buys wants research teams of its own."""
        return h.make_weight >= view.params.entry.acquihire_min_make_weight


@dataclass
class AllIn(MakeOrBuy):
    """All in on the own lab (A4, A5): the make weight is 1 from the start, so the whole
    in-house budget is open to the own lab's runs (sized by its policy's returns) and
    nothing goes to new partner money (partners' existing deals and access stay). `firms` names the
    hyperscalers that do this (empty: all); the others follow MakeOrBuy."""

    firms: list[str] = field(default_factory=list)

    def __post_init__(self):
        names = [h.name for h in roster.HYPERSCALERS]
        unknown = [f for f in self.firms if f not in names]
        if unknown:
            raise ConfigError(f"policy.hyperscaler.firms={list(self.firms)}: unknown "
                              f"{', '.join(map(str, unknown))} (names: {', '.join(names)})")

    def _all_in(self, h) -> bool:
        return not self.firms or h.name in self.firms

    def initial_make_weight(self, h, weight: float) -> float:
        return 1.0 if self._all_in(h) else weight

    def review(self, h, view) -> float:
        return 1.0 if self._all_in(h) else super().review(h, view)
