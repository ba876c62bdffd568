"""The AI industry as a Mesa 3 model: one step is one month from 2024-01.

Each step runs named phases in a fixed order (a market that clears after everyone has
decided). Firms and investors are Mesa agents; customers and researchers are numpy
populations. Every payment goes through `self.ledger`.
"""

from __future__ import annotations

import dataclasses
import math

import mesa
import numpy as np

from . import roster
from .agents import FrontierLab, Hyperscaler, Investor
from .mechanisms import compute, demand, finance, strategy, talent, training
from .mechanisms.finance import (CHIP_VENDORS, CUSTOMERS, ENERGY, OTHER_BUSINESS,
                                 OTHER_CLOUDS, OUTSIDE_INVESTORS, SALARIES)
from .params import Params, validate
from .recorder import Recorder


class AIIndustry(mesa.Model):
    """Hyperscalers, frontier labs, investors, customers and researchers."""

    def __init__(self, params: Params | None = None, *, seed: int = 0):
        super().__init__(seed=int(seed))
        self.p = validate(params if params is not None else Params())
        self.month = 0
        self.ledger = finance.Ledger()
        p = self.p

        self.hyperscalers = [
            Hyperscaler(self, spec, i, p.strategy.initial_make_weight[i])
            for i, spec in enumerate(roster.HYPERSCALERS)
        ]
        self.by_name = {h.name: h for h in self.hyperscalers}
        pay = p.talent.pay_usd_per_year
        pay_by_kind = {roster.INDEPENDENT: pay[0], roster.INHOUSE: pay[1],
                       roster.OPEN_WEIGHTS: pay[2]}
        self.labs = [FrontierLab(self, self._lab_spec(s), pay_by_kind[s.kind])
                     for s in roster.LABS]
        if p.entry.enabled:  # slots for labs founded during the run
            self.labs += [FrontierLab(self, roster.entrant_spec(k + 1), pay[0], dormant=True)
                          for k in range(p.entry.max_entrants)]
        self.specs = [*roster.LABS,
                      *(roster.entrant_spec(k + 1) for k in range(len(self.labs) - len(roster.LABS)))]
        for lab in self.labs:
            if lab.is_open:
                lab.ambition = p.training.open_weights_ambition
        self.firms = [*self.hyperscalers, *self.labs]
        for i, firm in enumerate(self.firms):
            firm.index = i
        for slot, lab in enumerate(self.labs):
            lab.slot = slot  # position in lab arrays (customers' choices, employers)
        self.investors = [
            Investor(self, roster.US_CAPITAL, p.finance.us_capital_pool_usd_per_year),
            Investor(self, roster.STRATEGIC, p.finance.strategic_pool_usd_per_year,
                     max_share_of_raise=0.1),  # a small co-investor (A3); assumption
            Investor(self, roster.SOVEREIGN, p.finance.sovereign_pool_usd_per_year,
                     fail_prob=p.finance.sovereign_fail_prob,
                     discount=p.finance.sovereign_discount),
        ]
        self.customers = demand.CustomerPopulation(
            p.demand.n_customers, self.rng, p.demand.home_cloud_shares, p.demand.budget_sigma,
            p.demand.quality_weight, p.demand.price_weight)
        self.customers.start_with(self.rng, [s.initial_share for s in self.specs])
        self.researchers = self._hire_initial_researchers()
        self.count_heads()
        for lab in self.labs:
            lab.target_headcount = float(self.heads[lab.slot])
        self.talent_mult = self._talent_multipliers()
        self._place_initial_models()
        self.update_frontier()

        self.frontier_flop = max(lab.train_flop for lab in self.labs)
        self.entrants = 0  # labs founded so far
        self.other_clouds_revenue = 0.0  # this month's compute rented outside the three
        self.other_clouds_flop: dict[str, float] = {}
        self.frontier_capability_2024 = max(lab.capability for lab in self.labs)
        self.roundtrip_cum = 0.0
        # Cloud spend owed at the start from pre-2024 deals: round-trips, but not in strategic_cum.
        self.obligations_2024 = sum(sum(lab.obligations.values()) for lab in self.labs)
        self.strategic_cum = 0.0
        self.recorder = Recorder(self)

    # ------------------------------------------------------------------ set-up
    def _lab_spec(self, spec: roster.LabSpec) -> roster.LabSpec:
        """The roster's lab, adjusted for the scenario's deal figures and partnership rule."""
        obligations = dict(spec.obligations_usd)
        if self.p.finance.deal_figures == "article" and spec.name == "Anthropic":
            obligations = {k: min(v, roster.ARTICLE_ANTHROPIC_DEAL_USD) for k, v in
                           obligations.items()}
        if not self.p.strategy.partnerships:
            obligations = {}
        return dataclasses.replace(spec, obligations_usd=obligations)

    def _hire_initial_researchers(self) -> talent.ResearcherPopulation:
        tp = self.p.talent
        shares = np.array([s.researcher_share for s in self.specs])
        probs = np.append(shares, max(0.0, 1.0 - shares.sum()))
        employer = self.rng.choice(len(probs), size=tp.n_researchers, p=probs / probs.sum())
        shift = np.append([s.skill_shift for s in self.specs], 0.0)
        skill = self.rng.lognormal(0.0, tp.skill_sigma, size=tp.n_researchers) * np.exp(
            shift[employer])
        return talent.ResearcherPopulation(skill, employer.astype(np.int64), pool=len(self.labs))

    def _place_initial_models(self) -> None:
        """Models trained before 2024: released ones set capability, later ones are queued."""
        for lab, spec in zip(self.labs, self.specs):
            for m in spec.models:
                cap = self._capability(m.train_flop, m.trained_month, lab)
                lab.pending.append((m.release_month, m.train_flop, cap))
            lab.release_due(0)

    # ------------------------------------------------------------------ helpers
    def _capability(self, flop: float, trained_month: float, lab: FrontierLab) -> float:
        tr = self.p.training
        eff = training.effective_flop(flop, trained_month, tr.algorithmic_halving_months,
                                      self.talent_mult[lab.slot])
        return training.capability(eff, tr.capability_per_decade)

    def _talent_multipliers(self) -> np.ndarray:
        tp = self.p.talent
        stock = self.researchers.talent(tp.skill_exponent)[: len(self.labs)]
        alive = np.array([lab.alive for lab in self.labs])
        mean = stock[alive].mean() if alive.any() else 0.0
        return training.talent_multiplier(stock, mean, tp.elasticity)

    def lab(self, name: str) -> FrontierLab:
        """A lab by name (tests, notebooks)."""
        return next(lab for lab in self.labs if lab.name == name)

    def inhouse_labs(self, h: Hyperscaler) -> list[FrontierLab]:
        return [lab for lab in self.labs if lab.inhouse and lab.alive and lab.owner == h.name]

    def trend_flop(self, month: float | None = None) -> float:
        c = self.p.compute
        m = self.month if month is None else month
        return compute.frontier_trend_flop(m, c.frontier_run_flop_2024, c.doubling_months)

    def update_frontier(self) -> None:
        """The best released model on sale: call after releases and exits."""
        best = max((lab for lab in self.labs if lab.sells), key=lambda lab: lab.capability,
                   default=None)
        self._frontier = (best.capability if best else -math.inf), best

    def frontier(self) -> tuple[float, FrontierLab | None]:
        return self._frontier

    def count_heads(self) -> None:
        """Researchers per employer: call after moves and exits."""
        self.heads = self.researchers.headcount()

    def suppliers(self, lab: FrontierLab) -> list[tuple[Hyperscaler, float]]:
        """Clouds a lab buys from when no obligation or customer's home decides, with
        shares: its owner, its primary partner, or - without a partner - the whole market
        in proportion to capacity (a buyer spreads its orders; chasing the cheapest cloud
        each month would make prices oscillate)."""
        if lab.inhouse:
            return [(self.by_name[lab.owner], 1.0)]
        if self.p.strategy.partnerships and lab.partners:
            return [(self.by_name[lab.partners[0]], 1.0)]
        caps = np.array([h.capacity.in_service(self.month) if h.capacity else 1.0
                         for h in self.hyperscalers])
        return list(zip(self.hyperscalers, caps / caps.sum()))

    def carries(self, cloud: Hyperscaler, lab: FrontierLab) -> bool:
        """A cloud offers a model: its own lab's, its partners' (access deals, A1, A2), and
        any open-weights model."""
        if lab.publishes_weights or lab.owner == cloud.name:
            return True
        return lab.independent and self.p.strategy.partnerships and cloud.name in lab.partners

    def monthly_salaries(self, lab: FrontierLab) -> float:
        """Pay of a lab's researchers and overhead; a simulated researcher stands for
        workforce / n_researchers real ones, so n_researchers sets resolution, not cost."""
        tp = self.p.talent
        scale = tp.workforce / tp.n_researchers
        return self.heads[lab.slot] * scale * lab.pay_per_year / 12.0 * (1.0 + tp.overhead_ratio)

    def _run_price(self, lab: FrontierLab) -> float:
        """Price per training FLOP for a lab at its suppliers (own data centres at cost)."""
        if lab.is_open:
            return self.replacement_cost
        if lab.other_cloud:
            return self.market_price()
        return sum(share * h.price_for(lab) for h, share in self.suppliers(lab))

    def market_price(self) -> float:
        """The three clouds' average list price per FLOP: what a newcomer pays, and what
        clouds outside the three charge (they price against the big three; assumption)."""
        return sum(h.price for h in self.hyperscalers) / len(self.hyperscalers)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        for firm in self.firms:
            firm.begin_month()
        if self.month % 12 == 0:
            self.refill_capital()
        self.set_prices()
        if self.month > 0 and self.month % self.p.strategy.review_months == 0:
            self.review_strategies()
            self.buy_talent()
        self.receive_other_cash_flows()
        self.release_models()
        self.sell_models()
        self.close_scheduled_deals()
        self.raise_capital()
        self.found_labs()
        self.plan_training()
        self.fund_inhouse_labs()
        self.pay_talent()
        self.clear_compute()
        self.invest_capacity()
        self.settle()
        self.recorder.record(self.month)
        self.month += 1
        self.running = self.month < self.p.horizon_months  # Mesa's stop flag (batch_run)

    def run(self) -> None:
        while self.running:
            self.step()

    def release(self) -> None:
        """Let the model be garbage-collected: Mesa 3.3 keeps every model as a key of the
        class-level `Agent._ids` counter (Mesa issue #3179, fixed upstream), about 0.7 MB a
        run in a long sweep."""
        mesa.Agent._ids.pop(self, None)

    # ------------------------------------------------------------------ phases
    def refill_capital(self) -> None:
        for investor in self.investors:
            investor.refill()

    def set_prices(self) -> None:
        """Compute market (A9, A10): a FLOP's cost is the fleet's depreciation and energy,
        falling with price-performance as new hardware arrives; the market price is cost x
        markup, raised by last month's scarcity."""
        c = self.p.compute
        self.replacement_cost = compute.replacement_cost(
            self.month, c.price_per_flop_2024_usd, c.cloud_markup,
            c.price_performance_doubling_months)
        self.energy_per_flop = self.replacement_cost * (1.0 - c.hardware_share_of_cost)
        for h in self.hyperscalers:
            h.cost = self.replacement_cost if h.capacity is None else compute.average_cost(
                h.capacity.depreciation_at(self.month), h.capacity.in_service(self.month),
                c.target_utilisation, self.energy_per_flop)
            h.price = compute.market_price(h.cost, c.cloud_markup, h.pressure,
                                           c.target_utilisation, c.scarcity_price_slope)

    def unit_capex(self) -> float:
        """Capex for one FLOP/month of capacity: the hardware part of a FLOP's cost at full
        use, over the hardware's life."""
        c = self.p.compute
        return (self.replacement_cost * c.hardware_share_of_cost * c.target_utilisation
                * c.hardware_life_months)

    def review_strategies(self) -> None:
        """Make-or-buy (A18): compare a year of access through partners (investment paid,
        the partners' margin on this cloud's customers, lack of control) with a year of the
        own frontier programme (compute at cost, talent, less what its model earned), scaled
        up by what closing the quality gap to the partner would take."""
        sp = self.p.strategy
        for h in self.hyperscalers:
            own = max(self.inhouse_labs(h), key=lambda lab: lab.capability)
            partners = [lab for lab in self.labs
                        if lab.sells and lab.independent and self.carries(h, lab)]
            if not partners:  # nothing to buy: build
                h.make_weight = min(1.0, max(sp.min_make_weight, h.make_weight
                                             + sp.adjust_rate + sp.inhouse_push))
                continue
            best = max(partners, key=lambda lab: lab.capability)
            buy = sum(h.invested_12m) + sum(h.partner_margin_12m)
            # The own programme's net cost: what it spent less what its model earned.
            make = sum(own.cost_12m) - sum(own.margin_12m)
            h.make_weight = strategy.make_weight_step(
                h.make_weight, buy, make, best.capability - own.capability,
                adjust_rate=sp.adjust_rate, control_value=sp.control_value,
                gap_cost=sp.gap_cost, push=sp.inhouse_push, floor=sp.min_make_weight)

    def receive_other_cash_flows(self) -> None:
        """Big tech funds AI from its other businesses; Meta's lab gets a budget share (A15)."""
        for h in self.hyperscalers:
            self.ledger.pay(OTHER_BUSINESS, h.name, h.other_cash_flow_per_month, "other_business")
        for lab in self.labs:
            if lab.is_open:
                budget = roster.META_CASH_FLOW_USD_PER_YEAR / 12.0 * \
                    self.p.finance.open_weights_budget_share
                self.ledger.pay(OTHER_BUSINESS, lab.name, budget, "other_business")

    def release_models(self) -> None:
        for lab in self.labs:
            if lab.alive:
                lab.release_due(self.month)
        self.update_frontier()

    def sell_models(self) -> None:
        """Demand (A19, A27): customers re-choose; money goes to the model's seller, a
        revenue share to the partner cloud that sold it, and inference is ordered from the
        cloud that serves it."""
        d, f = self.p.demand, self.p.finance
        frontier_cap, _ = self.frontier()
        gain = frontier_cap - self.frontier_capability_2024
        self.ai_spend = demand.ai_spend(gain, d.ai_spend_2024_usd_per_month,
                                        d.spend_multiplier_per_capability,
                                        d.ai_spend_ceiling_usd_per_year)
        n_homes = len(self.hyperscalers) + 1
        offered = np.array([lab.sells for lab in self.labs])
        caps = np.array([lab.capability if lab.sells else 0.0 for lab in self.labs])
        log_price = np.array([math.log(d.open_weights_price) if lab.publishes_weights else 0.0
                              for lab in self.labs])
        reach = np.zeros((len(self.labs), n_homes))
        for j, lab in enumerate(self.labs):
            if not lab.sells:  # not on offer (its utility is -inf): nothing to reach
                continue
            for h in self.hyperscalers:
                if self.carries(h, lab):
                    reach[j, h.cloud] = d.home_cloud_bonus
                elif lab.independent:
                    reach[j, h.cloud] = d.direct_sales_bonus
            reach[j, -1] = d.home_cloud_bonus if lab.publishes_weights else 0.0
        self.customers.choose(self.rng, caps, log_price, offered, reach, d.switching_cost,
                              d.rechoose_prob)
        spend = self.customers.spend_by_model_and_home(len(self.labs)) * self.ai_spend
        self.model_spend = spend.sum(axis=1)

        self.inference_orders = {h.name: [] for h in self.hyperscalers}
        self.other_clouds_revenue = 0.0
        for j, lab in enumerate(self.labs):
            lab.last_sales = 0.0
            for home in range(n_homes):
                x = float(spend[j, home])
                if x <= 0.0:
                    continue
                cloud = self.hyperscalers[home] if home < len(self.hyperscalers) else None
                if lab.is_open:  # free weights: the hosting cloud earns, the lab does not
                    if cloud is None:  # served by other clouds, outside the model
                        continue
                    self.ledger.pay(CUSTOMERS, cloud.name, x, "hosting")
                    flop = d.inference_cost_share * x / cloud.price
                    self.inference_orders[cloud.name].append((cloud, flop, 0.0, "own_use"))
                    continue
                self.ledger.pay(CUSTOMERS, lab.name, x, "sales")
                lab.last_sales += x
                if lab.independent and cloud is not None and self.carries(cloud, lab):
                    self.ledger.pay(lab.name, cloud.name, f.revenue_share * x, "revenue_share")
                    keep = max(1.0 - d.inference_cost_share - f.revenue_share, 0.0)
                    cloud.partner_margin_month += keep * x
                carried = cloud is not None and self.carries(cloud, lab)
                if lab.other_cloud and not carried:  # served where it trains, outside the three
                    bill = min(d.inference_cost_share * x, max(lab.cash, 0.0))
                    self.other_clouds_revenue += self.ledger.pay(lab.name, OTHER_CLOUDS, bill,
                                                                 "inference")
                    continue
                hosts = [(cloud, 1.0)] if carried else self.suppliers(lab)
                for host, share in hosts:
                    flop = d.inference_cost_share * x * share / host.price
                    tag = "self_inference" if lab.owner == host.name else "inference"
                    self.inference_orders[host.name].append((lab, flop, host.price_for(lab), tag))

    def close_scheduled_deals(self) -> None:
        """Strategic investments of 2024 on the public record (A2; C)."""
        if not self.p.strategy.partnerships or self.p.finance.deal_figures == "article":
            return
        for investor, lab_name, month, amount in roster.SCHEDULED_DEALS:
            lab = next(lab for lab in self.labs if lab.name == lab_name)
            if month == self.month and lab.alive:
                self._strategic_investment(self.by_name[investor], lab, amount)

    def _strategic_investment(self, h: Hyperscaler, lab: FrontierLab, amount: float,
                              pre_money: float | None = None) -> None:
        """Equity and access for cash, most of which must come back as cloud spend (A17)."""
        pre = self._valuation(lab) if pre_money is None else pre_money
        self.ledger.pay(h.name, lab.name, amount, "investment")
        lab.stakes = finance.dilute(lab.stakes, finance.equity_for(amount, pre), h.name)
        lab.obligations[h.name] = lab.obligations.get(h.name, 0.0) + \
            self.p.finance.cloud_spend_obligation * amount
        lab.raised += amount
        lab.invested_total += amount
        h.invested_month += amount
        self.strategic_cum += amount

    def _valuation(self, lab: FrontierLab) -> float:
        f = self.p.finance
        frontier_cap, _ = self.frontier()
        gap = frontier_cap - lab.capability if lab.sells else 10.0  # no model: no option value
        return finance.valuation(12.0 * lab.last_sales, gap, f.revenue_multiple,
                                 f.frontier_option)

    def actual_burn(self, lab: FrontierLab) -> float:
        """Cash out less sales, averaged over the last three months."""
        return sum(lab.net_burn_3m) / len(lab.net_burn_3m) if lab.net_burn_3m else \
            self.planned_burn(lab)

    def planned_burn(self, lab: FrontierLab) -> float:
        """Monthly cash a lab expects to need: staff, a trend-sized run, serving, less sales."""
        tr = self.p.training
        run_cost = lab.ambition * self.trend_flop() * self._run_price(lab) * (
            1.0 + tr.research_compute_multiple)
        return (self.monthly_salaries(lab) + run_cost / tr.run_months
                + lab.last_spend_serving - lab.last_sales)

    def raise_capital(self) -> None:
        """Finance (A12, A22, A23): a lab short of runway raises from its partner clouds, US
        private capital (a finite yearly pool), a strategic co-investor and sovereign funds
        (friction), in that order; nobody funds a lab too far behind the frontier."""
        f = self.p.finance
        labs = [lab for lab in self.labs if lab.alive and lab.independent]
        self.random.shuffle(labs)  # who reaches the year's finite pool first
        frontier_cap, _ = self.frontier()
        for lab in labs:
            # Raise when actual spending leaves too little runway; size the round for the
            # plan (a trend-sized next run), within what one round may sell.
            if finance.runway_months(lab.cash, self.actual_burn(lab)) >= f.raise_runway_months:
                continue
            # A lab founded in the run raises on its team until its first model is out: flat
            # rounds at the money put in so far (SSI, Thinking Machines; assumption).
            young = not lab.sells and lab.founded_month >= 0
            pre_money = lab.invested_total if young else self._valuation(lab)
            need = min(f.raise_target_months * self.planned_burn(lab) - lab.cash,
                       pre_money * f.max_round_share / (1.0 - f.max_round_share))
            gap = frontier_cap - lab.capability if lab.sells else math.inf
            if gap > f.max_fundable_gap and not young:  # nobody funds a lab this far behind
                continue
            if self.p.strategy.partnerships:
                partners = [self.by_name[n] for n in lab.partners]
                for h in partners:
                    share = (1.0 - h.make_weight) * f.max_strategic_share_of_raise / len(partners)
                    amount = min(need * share, self._strategic_room(h), max(h.cash, 0.0))
                    if amount > 0:
                        self._strategic_investment(h, lab, amount, pre_money=pre_money)
                        need -= amount
            for investor in self.investors:
                if need <= 0:
                    break
                amount, pre = investor.offer(lab, need, pre_money)
                if amount > 0:
                    self._sell_equity(investor.name, lab, amount, pre)
                    need -= amount

    def _sell_equity(self, investor: str, lab: FrontierLab, amount: float, pre: float) -> None:
        """A financial investor's tranche: cash for equity at pre-money `pre`."""
        self.ledger.pay(investor, lab.name, amount, "investment")
        lab.stakes = finance.dilute(lab.stakes, finance.equity_for(amount, pre), investor)
        lab.raised += amount
        lab.invested_total += amount

    def found_labs(self) -> None:
        """Entry (A12, A13, A31): with `entry.rate_per_year` x `rate_scale` attempts a year, a
        team of star researchers founds a lab if this year's investors can pay its first
        round - the team's pay for a while plus a first run at a share of the frontier."""
        e, f, tr = self.p.entry, self.p.finance, self.p.training
        free = [lab for lab in self.labs if lab.dormant]
        if not e.enabled or not free or self.rng.random() >= e.rate_per_year * e.rate_scale / 12:
            return
        tp = self.p.talent
        team = max(1, round(e.team_share * tp.n_researchers))
        pay = tp.pay_usd_per_year[0] * tp.workforce / tp.n_researchers * (1 + tp.overhead_ratio)
        first_round = (team * pay / 12.0 * e.first_round_salary_months
                       + e.first_run_share * self.trend_flop() * self.market_price()
                       * (1.0 + tr.research_compute_multiple))
        # A lab that trains outside the three clouds takes no hyperscaler money (xAI); else
        # one hyperscaler leads, drawn in proportion to what it can still invest.
        other_cloud = self.rng.random() < e.other_cloud_prob
        backers = [(h, min((1.0 - h.make_weight) * f.max_strategic_share_of_raise * first_round,
                           self._strategic_room(h), max(h.cash, 0.0)))
                   for h in self.hyperscalers] if self.p.strategy.partnerships else []
        backers = [] if other_cloud else [b for b in backers if b[1] > 0]
        lead = (None, 0.0)
        if backers:
            room = np.array([b[1] for b in backers])
            lead = backers[self.rng.choice(len(backers), p=room / room.sum())]
        us, sovereign = self.investors[0], self.investors[2]
        if lead[1] + us.cash + sovereign.cash < first_round:
            return  # this year's capital is spent: nobody founds a frontier lab
        lab = free[0]
        lab.dormant, lab.alive, lab.founded_month = False, True, self.month
        lab.open_weights = self.rng.random() < e.open_prob
        lab.other_cloud = other_cloud
        self.entrants += 1
        self.researchers.found(self.rng, lab.slot, team, tp.skill_exponent)
        self.count_heads()
        # A funded start-up hires toward the size of a mid-sized lab (assumption).
        independents = [self.heads[x.slot] for x in self.labs
                        if x.alive and x.independent and x is not lab]
        lab.target_headcount = max(team, 0.5 * float(np.mean(independents)) if independents
                                   else team)
        need, pre = first_round, first_round  # founders keep half (assumption)
        if lead[0] is not None and lead[1] > 0:
            lab.partners = (lead[0].name,)
            self._strategic_investment(lead[0], lab, lead[1], pre_money=pre)
            need -= lead[1]
        for investor in (us, sovereign):
            amount, their_pre = investor.offer(lab, need, pre)  # sovereign: at a discount
            if amount > 0:
                self._sell_equity(investor.name, lab, amount, their_pre)
                need -= amount
        self.talent_mult = self._talent_multipliers()

    def _strategic_room(self, h: Hyperscaler) -> float:
        """What a hyperscaler may still invest in partners over the last 12 months."""
        f = self.p.finance
        last_year = sum(list(h.invested_12m)[1:]) + h.invested_month
        return ((1.0 - h.make_weight) * f.max_strategic_share_of_cash_flow
                * 12.0 * h.other_cash_flow_per_month - last_year)

    def fail(self, lab: FrontierLab) -> None:
        """An independent lab that cannot pay its staff: with the roster changing and no
        merger control, a hyperscaler buys it - whole if its model is near the frontier (it
        becomes an in-house lab), else its researchers only (acqui-hire: the models stop
        being sold); otherwise it closes (A22, A31). The buyer's payment goes to the lab's
        outside shareholders."""
        e = self.p.entry
        buyer, price, whole = None, 0.0, False
        if e.enabled and not e.merger_control:
            frontier_cap, _ = self.frontier()
            whole = lab.sells and frontier_cap - lab.capability <= e.acquire_max_gap
            price = max(self._valuation(lab), 0.0) if whole else self._acquihire_price(lab)
            able = [h for h in self.hyperscalers if h.cash >= price and self.inhouse_labs(h)]
            # The largest shareholder first, then whoever wants to make most (A18).
            buyer = max(able, key=lambda h: (lab.stakes.get(h.name, 0.0), h.make_weight),
                        default=None)
        if buyer is None:
            lab.close(self.month)
            self.count_heads()
            self.update_frontier()
        else:
            self._sell_lab(lab, buyer, price, whole=whole)

    def buy_talent(self) -> None:
        """At a review, a hyperscaler building its own models may hire away a lab's
        researchers (acqui-hire, A31) - Microsoft and Inflection, 2024 - when the price beats
        what the lab is worth to its shareholders: its valuation plus cash, and at least the
        money they put in during the run (Inflection's investors got theirs back, ~1.1-1.5x;
        second-hand). A frontier lab with revenue is never sold this way; a young lab whose
        runs cost less than its people are worth to a buyer may be."""
        e = self.p.entry
        if not e.enabled or e.merger_control:
            return
        for h in self.hyperscalers:
            # Only a cloud that makes more than it buys wants a team (assumption: 0.5).
            if (h.make_weight < 0.5 or not self.inhouse_labs(h)
                    or self.rng.random() >= e.talent_buy_prob):
                continue
            offers = [(lab, self._acquihire_price(lab)) for lab in self.labs
                      if lab.alive and lab.independent]
            offers = [(lab, price) for lab, price in offers
                      if max(self._valuation(lab) + max(lab.cash, 0.0), lab.invested_total)
                      < price <= h.cash]
            if offers:  # the largest team
                lab, price = max(offers, key=lambda o: self.heads[o[0].slot])
                self._sell_lab(lab, h, price, whole=False)

    def _acquihire_price(self, lab: FrontierLab) -> float:
        tp = self.p.talent
        return (self.heads[lab.slot] * tp.workforce / tp.n_researchers * tp.pay_usd_per_year[1]
                * self.p.entry.acquihire_pay_years)

    def _sell_lab(self, lab: FrontierLab, buyer: Hyperscaler, price: float, *,
                  whole: bool) -> None:
        """The buyer pays the lab's outside shareholders and takes the lab whole or, in an
        acqui-hire, its researchers (to its best in-house lab); the models stop being sold."""
        self.ledger.pay(buyer.name, OUTSIDE_INVESTORS, price, "acquisition")
        if whole:
            self._acquire(lab, buyer)
        else:
            own = max(self.inhouse_labs(buyer), key=lambda x: x.capability)
            lab.close(self.month, "acqui-hired", researchers_to=own.slot)
            own.target_headcount = max(own.target_headcount, float(self.heads[own.slot]))
        self.count_heads()
        self.update_frontier()

    def _acquire(self, lab: FrontierLab, buyer: Hyperscaler) -> None:
        """The lab becomes one of the buyer's in-house labs, with its models and staff."""
        if lab.cash > 0:
            self.ledger.pay(lab.name, OUTSIDE_INVESTORS, lab.cash, "liquidation")
        lab.kind, lab.owner, lab.partners = roster.INHOUSE, buyer.name, (buyer.name,)
        lab.exclusive_cloud, lab.open_weights, lab.other_cloud = False, False, False
        lab.stakes, lab.obligations = {}, {}
        lab.pay_per_year = self.p.talent.pay_usd_per_year[1]
        lab.exit_month, lab.exit_kind = self.month, "acquired"
        lab.run_target_flop = lab.run_delivered_flop = 0.0  # the owner plans its next run

    def plan_training(self) -> None:
        """Training (A8, A21): a run ends after run_months and its model is queued for release;
        the next run is sized to the trend x ambition, limited by what the lab can pay."""
        tr, f = self.p.training, self.p.finance
        for lab in self.labs:
            if not lab.alive:
                continue
            if self.month > 0 and self.month - lab.run_start >= tr.run_months:
                if lab.run_delivered_flop > 0:
                    cap = self._capability(lab.run_delivered_flop, self.month, lab)
                    if tr.outcome_sigma > 0:  # no draw at 0: deterministic runs stay so
                        cap += tr.outcome_sigma * float(self.rng.standard_normal())
                    lab.pending.append((self.month + tr.release_lag_months,
                                        lab.run_delivered_flop, cap))
                    self.frontier_flop = max(self.frontier_flop, lab.run_delivered_flop)
                lab.run_target_flop = lab.run_delivered_flop = 0.0
            if lab.run_target_flop > 0:
                continue
            lab.run_start = self.month
            target = lab.ambition * self.trend_flop()
            research = 1.0 + tr.research_compute_multiple
            if lab.inhouse:
                owner = self.by_name[lab.owner]
                target *= owner.make_weight
                # An owner with an acquired lab splits its programme between its labs.
                budget = (owner.make_weight * f.inhouse_budget_share * tr.run_months
                          * (owner.other_cash_flow_per_month + owner.ai_revenue_last)
                          / len(self.inhouse_labs(owner)))
            else:
                reserve = tr.salary_reserve_months * self.monthly_salaries(lab)
                expected = f.planned_raise_share * sum(lab.raised_12m)
                budget = tr.max_run_cash_share * max(lab.cash - reserve + expected, 0.0)
            lab.run_target_flop = min(target, budget / (self._run_price(lab) * research))
            # The run's dollars are fixed when it starts: if scarcity raises prices later,
            # the lab buys fewer FLOP rather than spending its reserve.
            lab.run_budget_per_month = budget / tr.run_months

    def fund_inhouse_labs(self) -> None:
        """Owners pay their in-house labs' planned month (internal transfer)."""
        tr = self.p.training
        for lab in self.labs:
            if lab.inhouse and lab.alive:
                need = (self.monthly_salaries(lab)
                        + lab.run_target_flop / tr.run_months * self._run_price(lab)
                        * (1.0 + tr.research_compute_multiple)
                        + lab.last_spend_serving * 1.5 - lab.cash)  # 1.5: room for growth
                if need > 0:
                    self.ledger.pay(lab.owner, lab.name, need, "internal")

    def pay_talent(self) -> None:
        """Talent (A10, A28, A29): researchers move toward pay, frontier status and openness;
        then salaries are paid."""
        tp = self.p.talent
        frontier_cap, _ = self.frontier()
        pool_pay = tp.pay_usd_per_year[3]
        heads = self.heads
        utility = np.empty(len(self.labs) + 1)
        openings = np.zeros(len(self.labs) + 1)
        for j, lab in enumerate(self.labs):
            if not lab.alive:
                utility[j] = -np.inf
                continue
            gap = frontier_cap - lab.capability if lab.sells else 5.0  # no model yet: far behind
            utility[j] = (tp.pay_weight * math.log(lab.pay_per_year / pool_pay)
                          - tp.frontier_weight * gap
                          + tp.openness_weight * lab.publishes_weights
                          + tp.lab_pull * lab.independent)
            rate = tp.hire_rate
            if lab.inhouse:  # hires at full rate from make weight 0.5 up (assumption)
                rate *= min(1.0, 2.0 * self.by_name[lab.owner].make_weight)
            elif lab.independent and finance.runway_months(
                    lab.cash, self.actual_burn(lab)) < self.p.finance.raise_runway_months / 2:
                rate = 0.0  # short of money: a hiring freeze (assumption)
            lab.target_headcount = max(lab.target_headcount * (1.0 + rate), 1.0)
            openings[j] = math.floor(lab.target_headcount - heads[j])
        utility[-1] = tp.openness_weight  # academia and small labs publish
        self.researchers.move(self.rng, utility, openings, tp.move_prob, tp.move_cost)
        self.count_heads()
        for lab in self.labs:
            if lab.alive:
                salaries = min(self.monthly_salaries(lab), max(lab.cash, 0.0))
                self.ledger.pay(lab.name, SALARIES, salaries, "salaries")
        self.talent_mult = self._talent_multipliers()

    def clear_compute(self) -> None:
        """Compute market (A24, A17): each cloud serves inference first, then training orders
        pro rata within capacity; payments settle obligations from strategic investments."""
        c, tr = self.p.compute, self.p.training
        training_orders = {h.name: [] for h in self.hyperscalers}
        self.self_supplied_flop = 0.0
        self.other_clouds_flop = {}
        serving_bill = {lab.name: 0.0 for lab in self.labs}
        for orders in self.inference_orders.values():
            for buyer, flop, price, _ in orders:
                if buyer in self.labs:
                    serving_bill[buyer.name] += flop * price
        for lab in self.labs:
            if not lab.alive or lab.run_target_flop <= 0:
                continue
            # Order only what the lab can pay for after this month's serving bill.
            spendable = min(lab.run_budget_per_month,
                            max(lab.cash - serving_bill[lab.name], 0.0))
            months_left = max(tr.run_months - (self.month - lab.run_start), 1)
            # The run's FLOP plus research compute alongside it; only the run counts for the model.
            research = 1.0 + tr.research_compute_multiple
            want = (lab.run_target_flop - lab.run_delivered_flop) / months_left * research
            if lab.is_open:  # own data centres, bought at cost from chip vendors
                cost = self.replacement_cost
                flop = min(want, spendable / cost)
                self.ledger.pay(lab.name, CHIP_VENDORS, flop * cost, "self_compute")
                lab.run_delivered_flop += flop / research
                self.self_supplied_flop += flop
                continue
            if lab.other_cloud:  # rented outside the three clouds (CoreWeave, Oracle, ...)
                price = self.market_price()
                flop = min(want, spendable / price)
                self.other_clouds_revenue += self.ledger.pay(lab.name, OTHER_CLOUDS,
                                                             flop * price, "compute")
                lab.run_delivered_flop += flop / research
                self.other_clouds_flop[lab.name] = flop
                continue
            for h, share in self._training_suppliers(lab):
                price = h.price_for(lab)
                flop = min(want, spendable / price) * share
                training_orders[h.name].append((lab, flop, price,
                                                "self_compute" if lab.owner == h.name
                                                else "compute"))
        self.compute_sold = {}
        self.compute_bought = {lab.name: self.other_clouds_flop.get(lab.name, 0.0)
                               for lab in self.labs}
        for h in self.hyperscalers:
            inference = self.inference_orders[h.name]
            train = training_orders[h.name]
            demand_flop = sum(o[1] for o in inference) + sum(o[1] for o in train)
            h.demand_history.append(demand_flop)
            if h.capacity is None:  # 2024-01: capacity sized to demand (assumption)
                h.capacity = compute.Capacity(demand_flop / c.target_utilisation,
                                              self.p.horizon_months, c.build_lead_months,
                                              c.hardware_life_months, self.unit_capex())
            capacity = h.capacity.in_service(self.month)
            got_inf, got_train = compute.ration(np.array([o[1] for o in inference]),
                                                np.array([o[1] for o in train]), capacity)
            sold = 0.0
            for (buyer, _, price, tag), flop in zip(inference + train, [*got_inf, *got_train]):
                if buyer is h:  # open-weights hosting on its own capacity
                    h.own_use_flop += flop
                    sold += flop
                    continue
                flop = min(flop, max(buyer.cash, 0.0) / price)  # a lab pays what it can
                if tag in ("compute", "self_compute"):
                    buyer.run_delivered_flop += flop / (1.0 + tr.research_compute_multiple)
                paid = self.ledger.pay(buyer.name, h.name, flop * price, tag)
                self._settle_obligation(buyer, h, paid)
                self.compute_bought[buyer.name] += flop
                sold += flop
            self.compute_sold[h.name] = sold
            h.utilisation = sold / capacity if capacity > 0 else 1.0
            h.pressure = demand_flop / capacity if capacity > 0 else 1.0
            h.unserved = max(demand_flop - sold, 0.0)
            self.ledger.pay(h.name, ENERGY, sold * self.energy_per_flop, "energy")

    def _training_suppliers(self, lab: FrontierLab) -> list[tuple[Hyperscaler, float]]:
        """Clouds a lab trains on, with shares: clouds it owes spend to first (in proportion to
        what it owes), else its primary cloud."""
        owed = {n: v for n, v in lab.obligations.items() if v > 0}
        if owed and not lab.inhouse:
            total = sum(owed.values())
            return [(self.by_name[n], v / total) for n, v in owed.items()]
        return self.suppliers(lab)

    def _settle_obligation(self, lab: FrontierLab, h: Hyperscaler, paid: float) -> None:
        """Spending on an investor's cloud draws down the lab's obligation: round-tripping."""
        owed = lab.obligations.get(h.name, 0.0)
        if owed > 0 and paid > 0:
            back = min(owed, paid)
            lab.obligations[h.name] = owed - back
            h.roundtrip_month += back
            self.roundtrip_cum += back

    def invest_capacity(self) -> None:
        """Capex (A24): order capacity for demand expected when it arrives, at target
        utilisation; hardware bought now at this month's price-performance."""
        c = self.p.compute
        for h in self.hyperscalers:
            expected = compute.planned_demand(h.demand_history, c.build_lead_months,
                                              c.max_planned_growth_per_month)
            h.capex = h.capacity.order(self.month, expected / c.target_utilisation,
                                       self.unit_capex(),
                                       budget=c.max_capex_cash_share * max(h.cash, 0.0))
            self.ledger.pay(h.name, CHIP_VENDORS, h.capex, "capex")

    def settle(self) -> None:
        """Month end: in-house labs' cash goes back to the owner; labs that cannot pay their
        staff exit (A22); the strategy trackers roll."""
        for lab in self.labs:
            if not lab.alive:
                continue
            serving = self.ledger.outflow(lab.name, ("inference", "self_inference",
                                                     "revenue_share"))
            lab.last_spend_serving = serving
            lab.cost_12m.append(self.ledger.outflow(lab.name, ("self_compute", "salaries")))
            lab.margin_12m.append(self.ledger.inflow(lab.name, ("sales",)) - serving)
            lab.raised_12m.append(lab.raised)
            lab.net_burn_3m.append(self.ledger.outflow(lab.name, finance.COST_TAGS)
                                   - self.ledger.inflow(lab.name, ("sales",)))
            if lab.inhouse and lab.cash > 0:
                self.ledger.pay(lab.name, lab.owner, lab.cash, "internal")
            elif lab.independent and lab.cash < self.monthly_salaries(lab):
                self.fail(lab)
        for h in self.hyperscalers:
            h.ai_revenue_last = self.ledger.inflow(h.name, finance.REVENUE_TAGS)
            h.invested_12m.append(h.invested_month)
            h.partner_margin_12m.append(h.partner_margin_month)
