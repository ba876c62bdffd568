"""How a frontier lab decides: the size of its next run, when and how much to raise, how
fast to hire. `ReturnsLab` (the default) sizes runs and hiring from what a run is expected
to earn and be worth, within what the lab can fund. `RacingLab` is the model's behaviour
before it (A8, A9, A22): keep up with the compute trend within what the lab can pay, and
raise constantly to do so. `ProfitLab` sizes runs for a model's expected margin alone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from ..mechanisms import demand, finance, pricing, returns, training
from ..params import p
from .checks import checked


class RunPlan(NamedTuple):
    """A run a lab commits to: its size, and the dollars it may spend on it a month (fixed
    when the run starts: if scarcity raises prices later, the lab buys fewer FLOP rather
    than spending its reserve)."""

    target_flop: float
    budget_per_month: float


class LabPolicy:
    """What every lab policy decides. Subclass `RacingLab` (or `ProfitLab`) and override
    one method to change one decision.

    Every method gets the deciding `lab` (a sim.agents.FrontierLab: read its state - `name`,
    `kind`, `independent`, `inhouse`, `cash`, `capability`, `ambition`, `last_sales`,
    `last_spend_serving`, `raised_12m`, `net_burn_3m`, `run_target_flop`, ... - never set
    it) and `view` (sim.view.MarketView: the market, read-only). Money is in USD, compute in
    FLOP, months are the model's. The agents check each answer (a finite number in range,
    else sim.policies.PolicyError naming the method). Which method feeds which: `plan_run`
    sizes the run; `planned_burn` is what the lab expects to spend a month, and drives
    `wants_to_raise` (through the burn, before three months of actual spending exist) and
    `round_target` (with the actual burn, whichever is larger) - so a policy that changes
    the run's size should change both (RacingLab does it in one place, `run_scale`). A lab
    founded in the run raises its first round through the roster's founding rule
    (sim/markets/entry.py), not through these.
    """

    def plan_run(self, lab, view) -> RunPlan:
        """The next run, when the last one has ended: RunPlan(target_flop >= 0: the final
        run's FLOP; budget_per_month >= 0: the most it spends on the run a month, USD)."""
        raise NotImplementedError

    def planned_burn(self, lab, view) -> float:
        """Cash the lab expects to need a month, USD (staff, its run, serving, less sales)."""
        raise NotImplementedError

    def wants_to_raise(self, lab, view) -> bool:
        """Whether an independent lab goes to the capital market this month."""
        raise NotImplementedError

    def round_target(self, lab, view) -> float:
        """How much it asks for, USD (capped by what one round may sell; <= 0: nothing)."""
        raise NotImplementedError

    def hire_rate(self, lab, view) -> float:
        """Monthly growth (>= 0) of the headcount the lab hires toward."""
        raise NotImplementedError

    def markup(self, lab, view) -> float:
        """Price of the lab's model over its serving cost per token (>= 1), set each month
        before customers choose. Default: the logit-Bertrand best response to last month's
        shares (sim/mechanisms/pricing.py), with businesses' mean taste for price and
        share (consumers pay flat subscriptions)."""
        d = view.params.demand
        e = pricing.elasticity(d.price_weight, view.business_share(lab))
        return pricing.markup(e, d.max_markup)


@dataclass
class RacingLab(LabPolicy):
    """Race the compute trend (A9): every run is the trend-sized frontier run times the
    lab's ambition (an in-house lab's owner scales and funds it), limited by what the lab
    can pay; raise whenever runway is short, for a trend-sized plan (A22)."""

    def run_scale(self, lab, view) -> float:
        """The next run as a multiple of the trend-sized run (before the lab's ambition)."""
        return 1.0

    def plan_run(self, lab, view) -> RunPlan:
        tr, f = view.params.training, view.params.finance
        target = lab.ambition * view.trend_flop() * self.run_scale(lab, view)
        if lab.inhouse:
            owner = view.owner(lab)
            scale, budget = owner.policy.inhouse_run(owner, lab, view)
            checked(scale, owner.policy, "inhouse_run (scale)", owner)
            checked(budget, owner.policy, "inhouse_run (budget)", owner)
            target *= scale
        else:
            reserve = tr.salary_reserve_months * view.monthly_salaries(lab)
            expected = f.planned_raise_share * sum(lab.raised_12m)
            budget = tr.max_run_cash_share * max(lab.cash - reserve + expected, 0.0)
        flop = min(target, training.affordable_flop(budget, view.run_price(lab),
                                                     tr.research_compute_multiple))
        return RunPlan(flop, budget / tr.run_months)

    def planned_burn(self, lab, view) -> float:
        """Monthly cash the lab expects to need: staff, its planned run, serving, less sales."""
        tr = view.params.training
        run_cost = training.run_cost(
            lab.ambition * view.trend_flop() * self.run_scale(lab, view), view.run_price(lab),
            tr.research_compute_multiple)
        return (view.monthly_salaries(lab) + run_cost / tr.run_months
                + lab.last_spend_serving - lab.last_sales)

    def burn(self, lab, view) -> float:
        """Cash out less sales, averaged over the last three months (the plan before that)."""
        return sum(lab.net_burn_3m) / len(lab.net_burn_3m) if lab.net_burn_3m else \
            self.planned_burn(lab, view)

    def runway_months(self, lab, view) -> float:
        return finance.runway_months(lab.cash, self.burn(lab, view))

    def wants_to_raise(self, lab, view) -> bool:
        """Raise when spending - actual, or planned if more (the run the lab plans) - leaves
        too little runway (the round is sized on the same burn)."""
        burn = max(self.planned_burn(lab, view), self.burn(lab, view))
        return finance.runway_months(lab.cash, burn) < view.params.finance.raise_runway_months

    def round_target(self, lab, view) -> float:
        """Money to raise: `finance.raise_target_months` of the planned burn or of the
        actual burn that made the lab raise, whichever is larger, less cash. The plan prices
        a whole run at this month's compute price, which swings with scarcity (by 2.5x from
        one month to the next in the model's 2024); sized on the plan alone, a raise in a
        cheap month after dear ones covers less than the spending that triggered it, and
        the lab is back within a few months."""
        burn = max(self.planned_burn(lab, view), self.burn(lab, view))
        return view.params.finance.raise_target_months * burn - lab.cash

    def hire_rate(self, lab, view) -> float:
        """Monthly growth of the headcount the lab hires toward: in-house labs hire in
        proportion to their owner's make weight; an independent lab short of money freezes."""
        tp, f = view.params.talent, view.params.finance
        rate = tp.hire_rate
        if lab.inhouse:
            rate *= min(1.0, view.owner(lab).make_weight / tp.inhouse_full_hiring_make_weight)
        elif lab.independent and self.runway_months(lab, view) < (
                f.raise_runway_months * tp.hiring_freeze_runway_share):
            rate = 0.0
        return rate


@dataclass
class ProfitLab(RacingLab):
    """Size each run for expected profit, not to keep up with the trend: among runs of the
    trend-sized run times 1, 1/2, 1/4, ... the lab picks the one whose expected extra
    margin over a model's life, less its cost, is largest; it raises for that plan.

    Expected margin: customers choose by logit on capability (sim/mechanisms/demand.py),
    so a model `d` steps better than the lab's current one multiplies its odds of being
    chosen by exp(quality_weight x d); the lab expects today's AI spend at that share, for
    `payback_months`, keeping what serving and revenue shares leave. Myopic: it does not
    foresee rivals' next models (an assumption shared with RacingLab's trend target)."""

    # Months of sales a model is expected to earn before it is superseded: labs release
    # every 4-8 months and a model sells for a year or so (assumption).
    payback_months: float = p(12.0, 1.0, 120.0)
    # Halvings of the trend-sized run considered (8: down to 1/256 of it). Assumption.
    size_steps: int = p(8, 0, 30)
    # Market share a lab without sales assumes it starts from. Assumption.
    entry_share: float = p(0.02, 1e-6, 1.0)

    def __post_init__(self):
        self._memo: dict[str, tuple] = {}  # lab -> ((month, talent multiplier), scale)

    def run_scale(self, lab, view) -> float:
        """Worked out again when the month or the lab's talent multiplier changes (a
        founding in the month moves researchers); everything else it reads is settled by
        the time a lab first decides in a month (prices, releases, this month's sales)."""
        key = (view.month, view.talent_multiplier(lab))
        known, scale = self._memo.get(lab.name, (None, 1.0))
        if known != key:
            scale = self._best_scale(lab, view)
            self._memo[lab.name] = (key, scale)
        return scale

    def _best_scale(self, lab, view) -> float:
        tr, d = view.params.training, view.params.demand
        trend = lab.ambition * view.trend_flop()
        price = view.run_price(lab)
        share = max(view.market_share(lab), self.entry_share)
        current = lab.capability if math.isfinite(lab.capability) else -math.inf
        keep = max(1.0 - lab.serving_share
                   - (view.params.finance.revenue_share if lab.independent else 0.0), 0.0)
        value_per_share = self.payback_months * view.ai_spend * keep
        best, best_profit = 1.0, -math.inf
        for k in range(self.size_steps + 1):
            scale = 0.5**k
            flop = trend * scale
            gain = view.capability_of(lab, flop) - current
            odds = math.exp(min(d.quality_weight * gain, 700.0))
            new_share = share * odds / (1.0 - share + share * odds)
            profit = (value_per_share * (new_share - share)
                      - training.run_cost(flop, price, tr.research_compute_multiple))
            if profit > best_profit:
                best, best_profit = scale, profit
        return best


@dataclass
class ReturnsLab(RacingLab):
    """Size each run, and hiring, from what the run is expected to earn and be worth (the
    default; issue #16): among runs of the trend-sized run times 2^up_steps, ..., 1, 1/2,
    ... 1/2^size_steps, the lab picks the one whose expected value less its cost is largest
    (sim/mechanisms/returns.py), then buys what it can fund of it - cash and the raise it
    expects (independent labs) or its owner's budget (in-house labs, `inhouse_run`). It
    raises for that plan.

    Expected value of a run: customers choose by logit on capability, so the lab's odds of
    being chosen move by exp(quality_weight x the change in its standing), its capability
    less the best its rivals are expected to have out by then (their runs in progress at
    the scaling law) - so a lab that does not keep up loses share; `1 - (1 -
    rechoose_prob)^payback_months` of customers re-choose over the model's life. It earns
    that share of customers' spending (grown if its model moves the frontier) for
    `payback_months`, keeping what serving and revenue shares leave, plus `value_weight` of
    the valuation that revenue and its distance to the frontier give it
    (CapitalMarket.valuation). The trend-sized run is the largest run buildable (times
    2^up_steps, 1 by default), not a target: larger runs cannot be had, nor runs beyond
    `max_scale_up` times the largest the lab has trained (a team scales up step by step).
    The open-weights lab (Meta) is funded as a share of Meta's budget and sizes runs as
    RacingLab does (A15); so does a lab without a model yet, for its first run (an entrant
    trains the run its founding round was raised for).

    Hiring: at `talent.hire_rate` when what the lab expects to earn and be worth with its
    chosen run (the value above) is `full_hiring_return` times the run's cost or more,
    slower in proportion down to none when it only covers the cost; an independent lab short
    of money freezes (as RacingLab)."""

    # Months of sales a model earns before it is superseded: labs release every 4-8 months
    # and a model sells for a year or so (assumption, as ProfitLab).
    payback_months: float = p(12.0, 1.0, 120.0)
    # Share of the lab's valuation a model generation is credited with: the valuation
    # capitalises many generations of revenue (finance.revenue_multiple, 25 years of
    # revenue), a model carries the lab's standing for a year or two. Assumption.
    value_weight: float = p(0.1, 0.0, 1.0)
    # Halvings of the trend-sized run considered (8: down to 1/256 of it). Not an assumption
    # about labs: the search's reach.
    size_steps: int = p(8, 0, 30)
    # Doublings beyond the trend-sized run a lab can buy. 0: the trend-sized run is the
    # largest run buildable - the trend is fitted to the largest runs of their time (A9;
    # C: Epoch), so no lab runs beyond it. Assumption.
    up_steps: int = p(0, 0, 5)
    # Market share a lab without sales assumes it starts from. Assumption (as ProfitLab).
    entry_share: float = p(0.02, 1e-6, 1.0)
    # What a lab expects to earn and be worth with its chosen run, over the run's cost, at
    # which it hires at the full rate (none at 1). Assumption.
    full_hiring_return: float = p(2.0, 1.0, 100.0, lo_open=True)
    # Largest run a lab can run, as a multiple of the largest it has trained (its models,
    # released or awaiting release): a team scales up step by step. Meta's releases went from
    # Llama 2 70B (8.1e23 FLOP, July 2023, CSV) to Llama 3.1 405B (3.8e25, July 2024, C):
    # ~47x in a year, 47^(1/3) = ~3.6x per four-month run, the fastest scale-up on record. A lab without a model (an entrant) brings its founders'
    # experience and has no such limit. Assumption: that record, 3.6 a run.
    max_scale_up: float = p(3.6, 1.0, 1e6)

    def __post_init__(self):
        self._memo: dict[str, tuple] = {}  # lab -> ((month, talent multiplier), Choice)

    def choice(self, lab, view) -> returns.Choice:
        """The month's run choice for `lab`, worked out again when the month or the lab's
        talent multiplier changes (as ProfitLab's)."""
        key = (view.month, view.talent_multiplier(lab))
        known, choice = self._memo.get(lab.name, (None, None))
        if known != key:
            choice = self._best_run(lab, view)
            self._memo[lab.name] = (key, choice)
        return choice

    def run_scale(self, lab, view) -> float:
        if lab.is_open or self.first_run(lab):
            return 1.0
        return self.choice(lab, view).scale

    @staticmethod
    def first_run(lab) -> bool:
        """A lab without a model (an entrant before its first) trains the trend-sized run
        its founding round was raised for: the returns of a model cannot be read from a
        market it is not in yet (its odds move from no share at all)."""
        return lab.capability == -math.inf and not lab.pending

    def market(self, lab, view) -> returns.Market:
        """What the lab expects of the market its next model is sold into."""
        d, f = view.params.demand, view.params.finance
        current = max([lab.capability, *(m.capability for m in lab.pending)])
        keep = 1.0 - lab.serving_share - (f.revenue_share if lab.independent else 0.0)
        return returns.Market(
            share=max(view.market_share(lab), self.entry_share), released=lab.capability,
            current=current,
            frontier=view.frontier_capability, rivals_next=view.rivals_next_capability(lab),
            spend=view.ai_spend, spend_multiplier=d.spend_multiplier_per_capability,
            spend_ceiling=d.ai_spend_ceiling_usd_per_year / 12.0,
            quality_weight=d.quality_weight,
            reached=demand.reached_share(self.payback_months, d.rechoose_prob,
                                         d.consumer_rechoose_prob, d.consumer_share),
            keep=max(keep, 0.0), payback_months=self.payback_months,
            value_weight=self.value_weight, revenue_multiple=f.revenue_multiple,
            frontier_option=f.frontier_option)

    def _best_run(self, lab, view) -> returns.Choice:
        tr = view.params.training
        trend = lab.ambition * view.trend_flop()
        largest = max([lab.train_flop, *(m.train_flop for m in lab.pending)])
        most = self.max_scale_up * largest / trend if largest > 0 else math.inf
        scales = sorted({min(2.0**k, most)
                         for k in range(self.up_steps, -self.size_steps - 1, -1)}, reverse=True)
        return returns.best_run(
            scales, view.capability_of(lab, trend),
            training.run_cost(trend, view.run_price(lab), tr.research_compute_multiple),
            tr.capability_per_decade * math.log10(2.0), self.market(lab, view),
            sigma=tr.outcome_sigma)

    def hire_rate(self, lab, view) -> float:
        """Hire with the lab's prospects: full rate when its expected value with the chosen
        run is `full_hiring_return` x the run's cost, none when it only covers the cost; an
        independent lab short of money freezes."""
        if lab.is_open or self.first_run(lab):
            return super().hire_rate(lab, view)
        tp, f = view.params.talent, view.params.finance
        if lab.independent and self.runway_months(lab, view) < (
                f.raise_runway_months * tp.hiring_freeze_runway_share):
            return 0.0
        c = self.choice(lab, view)
        ratio = c.value / c.cost if c.cost > 0 else math.inf
        return tp.hire_rate * min(1.0, max(ratio - 1.0, 0.0) / (self.full_hiring_return - 1.0))
