"""Mesa agents: hyperscalers, frontier labs and investors. Each holds its state and a
policy object (sim/policies/) that makes its decisions from a read-only view of the
market; the markets (sim/markets/) clear what they decide. Customers and researchers are
populations of numpy arrays (`sim.mechanisms.demand`, `sim.mechanisms.talent`), not agents.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

import mesa

from .mechanisms.finance import COST_TAGS, OUTSIDE_INVESTORS, REVENUE_TAGS
from .policies import checked
from .roster import HyperscalerSpec, InvestorSpec, Kind, LabSpec


# The kinds as module constants: reading a member off the Enum class costs ~5x a global,
# and the kind properties below are read tens of thousands of times a run.
INDEPENDENT, INHOUSE, OPEN_WEIGHTS = Kind.INDEPENDENT, Kind.INHOUSE, Kind.OPEN_WEIGHTS


class TrainedModel(NamedTuple):
    """A model trained and waiting for its release month."""

    release_month: int
    train_flop: float
    capability: float


class Firm(mesa.Agent):
    """A firm that appears in the `firms` table: it has a name, a kind and a ledger account."""

    kind: Kind
    owner: str = ""

    def __init__(self, model, name: str, cash: float):
        super().__init__(model)
        self.name = name
        self.index = -1  # row in the model's firm arrays, set by the model
        model.ledger.open_account(name, cash)

    @property
    def cash(self) -> float:
        return self.model.ledger.cash[self.name]


class Hyperscaler(Firm):
    """A cloud seller with AI capacity, an in-house lab and (maybe) partner labs (A1, A2, A24)."""

    kind = Kind.HYPERSCALER

    def __init__(self, model, spec: HyperscalerSpec, cloud: int, make_weight: float, policy):
        super().__init__(model, spec.name, spec.cash_usd)
        self.policy = policy  # sim.policies.HyperscalerPolicy
        self.cloud = cloud  # index of this cloud among customers' home clouds
        self.other_cash_flow_per_month = spec.other_cash_flow_usd_per_year / 12.0
        self.make_weight = checked(policy.initial_make_weight(self, make_weight), policy,
                                   "initial_make_weight", self, hi=1.0)
        self.capacity = None  # sim.mechanisms.compute.Capacity, sized in the first month
        # Full cost per FLOP this month of what it sells to others, and of what its own labs
        # use (its own accelerators serve them first: ComputeMarket.set_prices).
        self.cost = self.owner_cost = 0.0
        self.own_labs_flop = 0.0  # FLOP its own labs bought from it this month
        self.price = 0.0  # market price per FLOP this month
        self.utilisation = model.p.compute.target_utilisation  # sold / capacity
        self.pressure = self.utilisation  # demand / capacity: sets next month's price
        self.demand_history: list[float] = []
        self.capex = 0.0
        self.ai_revenue_last = 0.0  # last month's AI cloud revenue from others (funds own lab)
        # Last 12 months of what partnering cost and earned (for make-or-buy, A18).
        self.invested_12m = deque(maxlen=12)
        self.partner_margin_12m = deque(maxlen=12)
        self.partner_payback_12m = deque(maxlen=12)  # cloud margin and revenue share
        # Month-end values of its stakes in independent labs and of its own labs, the last
        # 13 (12 months of change), marked to their valuations (for make-or-buy).
        self.stakes_value_13m = deque(maxlen=13)
        self.own_labs_value_13m = deque(maxlen=13)
        self.begin_month()

    def begin_month(self) -> None:
        """Reset the counters that add up one month's flows."""
        self.invested_month = 0.0
        self.partner_margin_month = 0.0
        self.partner_payback_month = 0.0  # partner labs' cloud margin and revenue share
        self.roundtrip_month = 0.0
        self.unserved = 0.0
        self.own_use_flop = 0.0
        self.own_labs_flop_last = self.own_labs_flop  # last month's, for this month's costs
        self.own_labs_flop = 0.0

    def review_strategy(self) -> None:
        """Make or buy (A18): the policy sets the make weight."""
        self.make_weight = checked(self.policy.review(self, self.model.view), self.policy,
                                   "review", self, hi=1.0)

    def fund_lab(self, lab: FrontierLab) -> None:
        """Pay an in-house lab's planned month (an internal transfer)."""
        need = checked(self.policy.lab_funding(self, lab, self.model.view), self.policy,
                       "lab_funding", self, lo=-math.inf)
        if need > 0:
            self.model.ledger.pay(self.name, lab.name, need, "internal")

    def close_month(self) -> None:
        """Roll the trackers of the make-or-buy review."""
        ledger = self.model.ledger
        self.ai_revenue_last = ledger.inflow(self.name, REVENUE_TAGS)
        self.invested_12m.append(self.invested_month)
        self.partner_margin_12m.append(self.partner_margin_month)
        self.partner_payback_12m.append(self.partner_payback_month)
        view = self.model.view
        self.stakes_value_13m.append(view.stakes_value(self.name))
        self.own_labs_value_13m.append(sum(view.valuation(lab)
                                           for lab in view.inhouse_labs(self)))

    def price_for(self, lab: FrontierLab) -> float:
        """Owners' labs use their own capacity at full cost, own accelerators first;
        partners buy under contract: the price before scarcity (cost x markup) plus
        `compute.partner_scarcity_share` of the scarcity premium, less the partner
        discount (scarcity rations what they get, sim/mechanisms/compute.py ration);
        others pay the market price."""
        if lab.owner == self.name:
            return self.owner_cost
        if self.model.p.strategy.partnerships and self.name in lab.partners:
            c = self.model.p.compute
            contract = min(self.cost * c.cloud_markup, self.price)
            price = contract + c.partner_scarcity_share * (self.price - contract)
            return price * (1.0 - c.partner_discount)
        return self.price


class FrontierLab(Firm):
    """A lab that trains models and sells them: independent, in-house or open-weights."""

    def __init__(self, model, spec: LabSpec, pay_per_year: float, policy, *,
                 dormant: bool = False):
        super().__init__(model, spec.name, spec.cash_usd)
        self.spec = spec
        self.policy = policy  # sim.policies.LabPolicy
        self.kind = spec.kind
        self.owner = spec.owner
        # Partner clouds with deals in force, primary first, the exclusive one ("" when none)
        # and the deals by partner: set and renegotiated by sim/markets/deals.py.
        self.partners = spec.partners
        self.exclusive_cloud = ""
        self.deals: dict = {}
        self.ambition = spec.ambition
        self.stakes = dict(spec.stakes)
        self.obligations = dict(spec.obligations_usd)
        self.pay_per_year = pay_per_year
        self.slot = -1  # position in the model's lab arrays, set by the model
        # A dormant lab is a slot for a lab not founded yet (entry.enabled).
        self.dormant = dormant
        self.alive = not dormant
        self.founded_month = -1  # -1: before 2024
        self.exit_month: int | None = None
        self.exit_kind = ""  # closed, acqui-hired or acquired
        self.open_weights = False  # an entrant that publishes its weights
        self.other_cloud = False  # an entrant that trains outside the three clouds
        self.own_cluster = False  # an entrant that trains on its own cluster, at cost
        self.entrant_type = ""  # a lab founded in the run: its founder type (roster.EntrantType)
        self.invested_total = 0.0  # equity money raised in the run (all rounds)
        # Released model (latest and best) and models waiting for release.
        self.train_flop = 0.0
        self.capability = -math.inf
        self.pending: list[TrainedModel] = []
        # The run in training.
        self.run_start = 0
        self.run_target_flop = 0.0
        self.run_delivered_flop = 0.0
        self.run_budget_per_month = 0.0
        self.target_headcount = 0.0
        self.raised = 0.0  # this month
        self.raised_12m = deque(maxlen=12)  # raised in each of the last 12 months
        self.last_sales = 0.0
        # Price of its model, USD per token, and serving cost / price: set each month it
        # sells (set_price); half until then (OpenAI's 2024 serving bill, second-hand).
        self.price = 0.0
        self.serving_share = 0.5
        self.last_spend_serving = 0.0  # last month's inference and revenue-share bill
        self.net_burn_3m = deque(maxlen=3)  # cash out less sales, last three months
        # Last 12 months of an in-house lab, for its owner's make-or-buy review (A18).
        self.cost_12m = deque(maxlen=12)  # training compute at cost and salaries
        self.margin_12m = deque(maxlen=12)  # sales less serving costs

    def begin_month(self) -> None:
        self.raised = 0.0

    def plan_run(self) -> None:
        """Training (A8, A21): a run that has lasted `training.run_months` ends and its
        model is queued for release; then the policy plans the next run."""
        if not self.alive:
            return
        m = self.model
        tr = m.p.training
        if m.month > 0 and m.month - self.run_start >= tr.run_months:
            if self.run_delivered_flop > 0:
                cap = m.capability(self.run_delivered_flop, m.month, self)
                if tr.outcome_sigma > 0:  # no draw at 0: deterministic runs stay so
                    cap += tr.outcome_sigma * float(m.rng.standard_normal())
                self.pending.append(TrainedModel(m.month + tr.release_lag_months,
                                                 self.run_delivered_flop, cap))
                m.frontier_flop = max(m.frontier_flop, self.run_delivered_flop)
            self.run_target_flop = self.run_delivered_flop = 0.0
        if self.run_target_flop > 0:
            return
        self.run_start = m.month
        flop, budget = self.policy.plan_run(self, m.view)
        self.run_target_flop = checked(flop, self.policy, "plan_run (target_flop)", self)
        self.run_budget_per_month = checked(budget, self.policy, "plan_run (budget_per_month)",
                                            self)

    def set_price(self, cost_per_token: float) -> None:
        """Price the model for this month: the policy's markup over its serving cost."""
        markup = checked(self.policy.markup(self, self.model.view), self.policy, "markup",
                         self, lo=1.0)
        self.price = markup * cost_per_token
        self.serving_share = 1.0 / markup

    def close_month(self) -> None:
        """Roll the trackers a lab's and its owner's decisions read."""
        ledger = self.model.ledger
        serving = ledger.outflow(self.name, ("inference", "self_inference", "revenue_share"))
        self.last_spend_serving = serving
        self.cost_12m.append(ledger.outflow(self.name, ("self_compute", "salaries")))
        self.margin_12m.append(ledger.inflow(self.name, ("sales",)) - serving)
        self.raised_12m.append(self.raised)
        self.net_burn_3m.append(ledger.outflow(self.name, COST_TAGS)
                                - ledger.inflow(self.name, ("sales",)))

    @property
    def is_open(self) -> bool:
        return self.kind == OPEN_WEIGHTS

    @property
    def independent(self) -> bool:
        return self.kind == INDEPENDENT

    @property
    def inhouse(self) -> bool:
        return self.kind == INHOUSE

    @property
    def publishes_weights(self) -> bool:
        """Open weights: carried by every cloud, cheaper, attractive to researchers (A15)."""
        return self.kind == OPEN_WEIGHTS or self.open_weights

    @property
    def sells(self) -> bool:
        """Offered to customers: alive with a released model."""
        return self.alive and self.capability > -math.inf

    def release_due(self, month: int) -> None:
        """Release pending models whose month has come (A21: release lags training)."""
        due = [m for m in self.pending if m.release_month <= month]
        if not due:
            return
        self.pending = [m for m in self.pending if m.release_month > month]
        for _, flop, cap in due:
            if cap > self.capability:
                self.capability, self.train_flop = cap, flop

    def close(self, month: int, kind: str = "closed", researchers_to: int | None = None) -> None:
        """Exit: stop selling, free researchers (to the pool, or to the buyer's lab in an
        acqui-hire), return what cash is left to shareholders."""
        self.alive = False
        self.exit_month = month
        self.exit_kind = kind
        self.obligations = {}
        self.pending = []
        self.run_target_flop = self.run_delivered_flop = 0.0
        self.model.talent.researchers.release(self.slot, to=researchers_to)
        self.model.ledger.pay(self.name, OUTSIDE_INVESTORS, max(self.cash, 0.0), "liquidation")


class Investor(mesa.Agent):
    """Capital with a yearly pool: US private capital (finite, A22), sovereign funds (large,
    with friction, A23), non-hyperscaler strategic investors (A3), growth funds and chip
    vendors (C24 section 2). The pool starts at its 2024 size and follows investors'
    appetite for the sector (set each January by the capital market)."""

    def __init__(self, model, spec: InvestorSpec):
        super().__init__(model)
        self.spec = spec
        self.name = spec.name
        self.pool_2024 = param(model.p, spec.pool_param)
        self.pool_per_year = self.pool_2024
        self.fail_prob = param(model.p, spec.fail_prob_param) if spec.fail_prob_param else 0.0
        self.discount = param(model.p, spec.discount_param) if spec.discount_param else 0.0
        self.max_share_of_raise = spec.max_share_of_raise
        self.closed_until: dict[str, int] = {}  # lab -> month it may ask again
        self.rounds_led = 0  # rounds of a raising lab this investor led (offered most)
        model.ledger.open_account(spec.name)

    @property
    def cash(self) -> float:
        return self.model.ledger.cash[self.name]

    def refill(self, appetite: float = 1.0) -> None:
        """A new year's pool: its 2024 size times investors' appetite. Capital is committed
        up to that size (unused capital carries over); capital above it is withdrawn (after
        a bust the pool shrinks)."""
        self.pool_per_year = self.pool_2024 * appetite
        gap = self.pool_per_year - self.cash
        if gap > 0:
            self.model.ledger.pay(OUTSIDE_INVESTORS, self.name, gap, "commitment")
        elif gap < 0:
            self.model.ledger.pay(self.name, OUTSIDE_INVESTORS, -gap, "withdrawal")

    def capacity(self, lab, need: float) -> float:
        """What it would put into this lab's round (no deal risk counted): its share of the
        need within its pool; nothing for a lab it will not fund."""
        if (need <= 0 or self.cash <= 0 or self.closed_until.get(lab.name, -1) > self.model.month
                or (self.spec.late_stage and lab.last_sales <= 0)):
            return 0.0
        return min(need * self.max_share_of_raise, self.cash)

    def offer(self, lab, need: float, pre_money: float) -> tuple[float, float]:
        """(amount, pre-money valuation) this investor puts in, or (0, 0) if the deal fails;
        after a failed deal the lab waits before asking again."""
        amount = self.capacity(lab, need)
        if amount <= 0:
            return 0.0, 0.0
        if self.fail_prob > 0 and self.model.rng.random() < self.fail_prob:
            self.closed_until[lab.name] = self.model.month + \
                self.model.p.finance.failed_deal_wait_months
            return 0.0, 0.0
        return amount, pre_money * (1.0 - self.discount)


def param(params, key: str) -> float:
    """A parameter by name: `finance.NAME` for a bare name, else the dotted key."""
    section, _, name = key.rpartition(".")
    return getattr(getattr(params, section or "finance"), name)
