"""The AI industry as a Mesa 3 model: one step is one month from 2024-01.

The model builds the world - firms and investors as Mesa agents, customers and
researchers as numpy populations, the markets - and runs the month's phases in a fixed
order (docs/model.md 1.3). Agents decide through their policies (sim/policies/); markets
clear (sim/markets/); every payment goes through `self.ledger`.
"""

from __future__ import annotations

import dataclasses
import math

import mesa

from . import policies, roster
from .agents import FrontierLab, Hyperscaler, Investor, TrainedModel
from .markets.capital import CapitalMarket
from .markets.chips import ChipVendor
from .markets.buildout import Buildout
from .markets.compute import ComputeMarket
from .markets.credit import VendorCredit
from .markets.deals import DealBook
from .markets.entry import Roster
from .markets.other_clouds import OtherClouds
from .markets.products import ProductMarket
from .markets.talent import TalentMarket
from .mechanisms import compute, demand, finance, training
from .mechanisms.power import PowerGrid
from .params import Params, _merge, validate
from .recorder import Recorder
from .roster import Kind
from .view import MarketView


class AIIndustry(mesa.Model):
    """Hyperscalers, frontier labs, investors, customers and researchers.

    `AIIndustry(params, seed=s)`, or Mesa-style keyword sections:
    `AIIndustry(seed=7, compute={"doubling_months": 9})`. With `mesa.batch_run`, give each
    value as a list (batch_run iterates a bare dict's keys) and always a `seed` list: the
    seed defaults to 0, not to a random one, so iterations without seeds repeat one run:
    `mesa.batch_run(AIIndustry, {"seed": [0, 1], "compute": [{"doubling_months": 9}]})`."""

    def __init__(self, params: Params | None = None, *, seed: int = 0, **sections):
        super().__init__(seed=int(seed))
        base = params if params is not None else Params()
        self.p = p = validate(_merge(base, sections) if sections else base)
        self.month = 0
        self._capabilities: dict[tuple, float] = {}  # the scaling law's values (capability)
        self.ledger = finance.Ledger()
        self.view = MarketView(self)
        policy = policies.build_all(p.policy)

        weights = roster.initial_make_weights(p.strategy.initial_make_weight)
        self.hyperscalers = [
            Hyperscaler(self, spec, i, weights[spec.name], policy["hyperscaler"])
            for i, spec in enumerate(roster.HYPERSCALERS)
        ]
        self.by_name = {h.name: h for h in self.hyperscalers}
        pay = p.talent.pay_usd_per_year
        self.labs = [FrontierLab(self, self._lab_spec(s), pay[s.kind], policy["lab"])
                     for s in roster.LABS]
        if p.entry.enabled:  # slots for labs founded during the run
            self.labs += [FrontierLab(self, roster.entrant_spec(k + 1), pay[Kind.INDEPENDENT],
                                      policy["lab"], dormant=True)
                          for k in range(p.entry.max_entrants)]
        for lab in self.labs:
            if lab.is_open:
                lab.ambition = p.training.open_weights_ambition
        self.firms = [*self.hyperscalers, *self.labs]
        for i, firm in enumerate(self.firms):
            firm.index = i
        for slot, lab in enumerate(self.labs):
            lab.slot = slot  # position in lab arrays (customers' choices, employers)
        self.investors = [Investor(self, spec) for spec in roster.INVESTORS]

        shares = roster.home_cloud_shares(p.demand.home_cloud_shares)
        self.customers = demand.CustomerPopulation(
            p.demand.n_customers, self.rng, [shares[h.name] for h in self.hyperscalers],
            p.demand.budget_sigma, p.demand.quality_weight, p.demand.price_weight,
            p.demand.consumer_share, p.demand.consumer_price_weight)
        # Consumers pay for a lab's app; open weights have none (Meta AI is free in Meta's
        # apps): they start with the closed labs, in proportion.
        self.customers.start_with(self.rng, [lab.spec.initial_share for lab in self.labs],
                                  [0.0 if lab.is_open else lab.spec.initial_share
                                   for lab in self.labs])
        self.ledger.open_account(finance.CHIP_VENDORS)
        self.chips = ChipVendor(self)  # the accelerator vendor (sim/markets/chips.py)
        self.compute = ComputeMarket(self)
        self.buildout = Buildout(self)  # capacity the sellers build
        self.other_clouds = OtherClouds(self)  # Oracle, CoreWeave, ... (issue #17)
        self.power = PowerGrid(self)  # power for AI capacity (issue #17)
        self.products = ProductMarket(self)
        self.capital = CapitalMarket(self)
        self.credit = VendorCredit(self)
        self.talent = TalentMarket(self)
        self.roster = Roster(self)
        self.deals = DealBook(self)  # the roster's 2024 partnerships as deals
        self._place_initial_models()
        self.update_frontier()

        self.frontier_flop = max(lab.train_flop for lab in self.labs)
        self.frontier_capability_2024 = max(lab.capability for lab in self.labs)
        # Cloud spend owed at the start from pre-2024 deals: round-trips, but not in strategic_cum.
        self.obligations_2024 = sum(sum(lab.obligations.values()) for lab in self.labs)
        self.recorder = Recorder(self)

    @property
    def datacollector(self) -> Recorder:
        """Mesa's name for the recorder: `get_model_vars_dataframe()` is the industry table,
        `get_agent_vars_dataframe()` the firms table; `mesa.batch_run` reads it."""
        return self.recorder

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

    def _place_initial_models(self) -> None:
        """Models trained before 2024: released ones set capability, later ones are queued."""
        for lab in self.labs:
            for m in lab.spec.models:
                cap = self.capability(m.train_flop, m.trained_month, lab)
                lab.pending.append(TrainedModel(m.release_month, m.train_flop, cap))
            lab.release_due(0)

    # ------------------------------------------------------------------ the world
    def capability(self, flop: float, trained_month: float, lab: FrontierLab) -> float:
        """The scaling law (A8) for a run by `lab` ending in `trained_month`. Remembered by
        its inputs: each lab's decision re-reads its rivals' runs in progress
        (MarketView.rivals_next_capability), ~10,000 calls a run for a few thousand values."""
        multiplier = self.talent.multiplier[lab.slot]
        key = (flop, trained_month, multiplier)
        cap = self._capabilities.get(key)
        if cap is None:
            tr = self.p.training
            eff = training.effective_flop(flop, trained_month, tr.algorithmic_halving_months,
                                          multiplier)
            cap = self._capabilities[key] = training.capability(eff, tr.capability_per_decade)
        return cap

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

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """One month. Agents act in roster order (hyperscalers, then labs): the order in
        which they reach a market decides who is served first, and a shuffle would draw new
        random numbers. Labs reach the capital market in a shuffled order (capital.py)."""
        hyperscalers, labs = self.agents_by_type[Hyperscaler], self.agents_by_type[FrontierLab]
        hyperscalers.do("begin_month")
        labs.do("begin_month")
        self.other_clouds.begin_month()
        if self.month % 12 == 0:
            self.capital.refill()
        self.compute.set_prices()
        self.chips.open_month()
        if self.month > 0 and self.month % self.p.strategy.review_months == 0:
            hyperscalers.do("review_strategy")
            self.roster.buy_talent()
        self.capital.receive_other_cash_flows()
        self.release_models()
        self.products.sell()
        self.credit.service_debt()
        self.capital.close_scheduled_deals()
        self.capital.raise_rounds()
        self.roster.found_labs()
        labs.do("plan_run")
        self.fund_inhouse_labs()
        self.talent.clear()
        self.compute.clear(self.products.inference_orders)
        self.buildout.invest()
        self.other_clouds.invest()
        self.power.build()
        self.deals.review()
        self.settle()
        self.recorder.record(self.month)
        self.month += 1
        self.running = self.month < self.p.horizon_months  # Mesa's stop flag (batch_run)

    def run(self) -> None:
        while self.running:
            try:
                self.step()
            except Exception as err:  # say when: a policy's error says what and who
                err.add_note(f"in month {self.month} ({roster.START_YEAR + self.month // 12}-"
                             f"{self.month % 12 + 1:02d})")
                raise

    def release(self) -> None:
        """Let the model be garbage-collected: Mesa 3.3 keeps every model as a key of the
        class-level `Agent._ids` counter (Mesa issue #3179, fixed upstream), about 0.7 MB a
        run in a long sweep."""
        mesa.Agent._ids.pop(self, None)

    # ------------------------------------------------------------------ phases
    def release_models(self) -> None:
        """Models whose release month has come go on sale (A21: release lags training)."""
        for lab in self.labs:
            if lab.alive:
                lab.release_due(self.month)
        self.update_frontier()

    def fund_inhouse_labs(self) -> None:
        """Owners pay their in-house labs' planned month, in lab order."""
        for lab in self.labs:
            if lab.inhouse and lab.alive:
                self.by_name[lab.owner].fund_lab(lab)

    def settle(self) -> None:
        """Month end: trackers roll; in-house labs' cash goes back to the owner; independent
        labs that cannot pay their staff exit (A22)."""
        for lab in self.labs:
            if not lab.alive:
                continue
            lab.close_month()
            if lab.inhouse and lab.cash > 0:
                self.ledger.pay(lab.name, lab.owner, lab.cash, "internal")
            elif lab.independent and lab.cash < self.talent.monthly_salaries(lab):
                self.roster.fail(lab)
        self.agents_by_type[Hyperscaler].do("close_month")
