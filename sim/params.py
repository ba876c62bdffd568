"""Every model parameter, its default, unit and source: the one place defaults live.

Sources are named as in `shared/source/calibration.md` (C: ...) and the article's claims
(A1..A32, `shared/source/claims.md`). "Assumption" marks a number no source gives.

The nested dataclasses are the model's keyword arguments (`AIIndustry(params)`) and the typed
schema for Hydra configs; `sim.config.to_params` is the one way from a config to them.
Each field's allowed values are a `Range` in its metadata: `allowed(key)` reads it, and
`validate()` checks them all and names the key.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A parameter is unknown, of the wrong type, or out of its allowed range."""


@dataclass(frozen=True)
class Range:
    """What a parameter accepts: numbers in [lo, hi] (lo excluded when lo_open; None: no
    bound on that side), or one of `choices`. For a list-valued parameter, each element.
    `value in r` tests a value; `str(r)` is how error messages show it, e.g. "(0.5, 120.0]".
    Fields' metadata hold it (`p`, `pdict`); `allowed(key)` reads it, validation checks it.
    More about a parameter's values (such as a range to explore) is a new field here with a
    default, and a new keyword of `p`."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    choices: tuple | None = None

    @property
    def bounded(self) -> bool:
        return self.lo is not None or self.hi is not None

    def __contains__(self, value: Any) -> bool:
        if self.choices is not None:
            return value in self.choices
        below = self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo)
        return not below and not (self.hi is not None and value > self.hi)

    def __str__(self) -> str:
        if self.choices is not None:
            return ", ".join(str(c) for c in self.choices)
        lo = "-inf" if self.lo is None else self.lo
        hi = "inf" if self.hi is None else self.hi
        return f"{'(' if self.lo_open else '['}{lo}, {hi}]"


def p(default: Any, lo: float | None = None, hi: float | None = None, *, lo_open=False):
    """A parameter field with an allowed range [lo, hi] (lo excluded when lo_open)."""
    return field(default=default, metadata={"range": Range(lo, hi, lo_open)})


def pdict(default: dict, lo: float | None = None, hi: float | None = None):
    """A parameter with a number per name (a firm, or a kind of employer), each in [lo, hi];
    `_check_consistency` checks the names."""
    return field(default_factory=lambda: dict(default), metadata={"range": Range(lo, hi)})


@dataclass
class ComputeParams:
    # A9; C: Sevilla et al. 2022 / Epoch 2024 - frontier training compute doubles ~6 months.
    doubling_months: float = p(6.0, 0.5, 120.0, lo_open=True)
    # Largest training run at 2024-01: Gemini 1.0 Ultra, 5e25 FLOP (C: Epoch, frontier_models_to_2023.csv).
    frontier_run_flop_2024: float = p(5e25, 1e20, 1e30, lo_open=True)
    # Cloud-rental price per FLOP at 2024-01: GPT-4 $81M / 2.1e25 = 3.9e-18, Gemini Ultra
    # $206M / 5e25 = 4.1e-18 (C: Epoch cloud-rental estimates, frontier_models_to_2023.csv).
    price_per_flop_2024_usd: float = p(4.0e-18, 1e-22, 1e-12, lo_open=True)
    # Hardware price-performance doubling: ML GPUs 2.07 years (C: Hobbhahn & Besiroglu 2022).
    price_performance_doubling_months: float = p(24.8, 1.0, 1200.0)
    # Cloud price / cloud's own cost per FLOP. Assumption (a ~37% operating margin on cloud).
    cloud_markup: float = p(1.6, 1.0, 10.0)
    # Discount a partner lab gets off the market price on its partner's cloud. Assumption.
    partner_discount: float = p(0.3, 0.0, 0.95)
    # Share of a cloud's scarcity premium its partner labs pay. 1: the spot price (less the
    # discount); below 1, a contract priced before scarcity (committed spend, C: FTC 6(b)
    # staff report), scarcity rationing what they get instead. Assumption: 0, the 2023-24
    # partnerships' multi-year terms (scenario partner_spot: 1).
    partner_scarcity_share: float = p(0.0, 0.0, 1.0)
    # Hardware share of a FLOP's cost vs energy: hardware 47-67 %, energy 2-6 % of development
    # cost (C: Cottier et al. 2024) -> hardware ~0.92 of hardware+energy.
    hardware_share_of_cost: float = p(0.92, 0.0, 1.0)
    # Life of an accelerator before it is retired. Assumption (four-year depreciation).
    hardware_life_months: int = p(48, 6, 240)
    # Months from a capex order to capacity in service. Assumption (data-centre build time).
    build_lead_months: int = p(6, 1, 36)
    # Growth of the AI fleets' purchases before 2024: the capacity in service at 2024-01 was
    # bought on this trend, and what was ordered in the build lead before it arrives in
    # 2024's first months on the same trend. Nvidia's data-centre revenue grew 2.42x in its
    # fiscal year covering 2024 (C24 5); OpenAI's compute 3x in 2024 (C24 1). The clouds
    # also plan on it until they have nine months of history.
    fleet_growth_per_year: float = p(2.4, 1.0, 10.0)
    # Utilisation hyperscalers plan for; above it the price rises. Assumption.
    target_utilisation: float = p(0.8, 0.05, 1.0)
    # Price rise per unit of demand/capacity above target utilisation (scarcity). Assumption.
    scarcity_price_slope: float = p(3.0, 0.0, 100.0)
    # Largest monthly demand growth a hyperscaler extrapolates when ordering capacity:
    # 2 ** (1/6), the six-month doubling of A9. Assumption.
    max_planned_growth_per_month: float = p(1.12, 1.0, 2.0)
    # Most of its cash a hyperscaler spends on AI capacity in a month. Assumption (2024 AI
    # capex of ~$50B a year against ~$80-110B cash piles, second-hand).
    max_capex_cash_share: float = p(0.1, 0.0, 1.0)


@dataclass
class TrainingParams:
    # Capability is log10 of effective training compute: 10x compute = one step (A8).
    capability_per_decade: float = p(1.0, 0.0, 10.0, lo_open=True)
    # Compute needed for fixed performance halves every ~8 months (C: Ho et al. 2024).
    algorithmic_halving_months: float = p(8.0, 1.0, 1200.0)
    # Months a frontier run takes (pre-training plus its experiments); the next run starts
    # when one ends. Assumption (GPT-4 trained ~3 months; labs release every 4-8 months).
    run_months: int = p(4, 1, 24)
    # Months from end of training to release: GPT-4 finished Aug 2022, released Mar 2023
    # (A21, ~7 months); labs have since shipped faster. Assumption: 4.
    release_lag_months: int = p(4, 0, 24)
    # Compute a lab buys for experiments and research per FLOP of its final run: the final
    # run is a minority of a lab's compute. Assumption (OpenAI's 2024 compute bill, ~$3B
    # for training, second-hand, was several times its largest run).
    research_compute_multiple: float = p(2.0, 0.0, 100.0)
    # Run size of the open-weights lab as a multiple of the trend: Llama 3.1 405B (3.8e25
    # FLOP, C) was ~0.3x the trend-sized run when it shipped in mid-2024 (1.4e26 on a 6-month
    # doubling from 5e25), so open weights trail the closed frontier (A20; C: Epoch ~1 year).
    open_weights_ambition: float = p(0.3, 0.0, 100.0)
    # Spread of a run's outcome: its capability is the scaling law's plus a normal draw with
    # this standard deviation, in steps (0.3: a run lands within about 2x of its expected
    # effective compute two times in three - data, architecture and bugs; Llama 4 and
    # Gemini 2.5 missed and beat expectations). Assumption; 0 makes runs deterministic.
    outcome_sigma: float = p(0.3, 0.0, 3.0)
    # Share of cash (after a salary reserve) a lab may commit to one run. Assumption.
    max_run_cash_share: float = p(0.6, 0.01, 1.0)
    # Months of salaries a lab keeps in reserve before sizing a run. Assumption.
    salary_reserve_months: float = p(6.0, 0.0, 60.0)


@dataclass
class DemandParams:
    # Customers (enterprise and consumer buyers) held as numpy arrays: the resolution of
    # demand (budgets are weights of the total spend). 10,000 as the brief sets it.
    n_customers: int = p(10_000, 10, 10_000_000)
    # Spending on frontier models at 2024-01, USD/month: OpenAI ~$1.6B annualised early 2024
    # (C: press reports) was most of it. Assumption: ~$3B a year in all.
    ai_spend_2024_usd_per_month: float = p(2.5e8, 0.0, 1e12)
    # Spend multiplies by this per capability step of the released frontier. Calibrated to
    # OpenAI's annualised revenue doubling early->mid 2024 (C) while the frontier's effective
    # compute grew ~10x a year: ~3x a year. Assumption beyond 2024.
    spend_multiplier_per_capability: float = p(3.0, 1.0, 100.0)
    # Growth of spending at equal quality (adoption: more users and uses), per year at 2024-01.
    # C24 (calibration_2024.md 1): over 2024 the leaders' run-rate grew ~4x (OpenAI ~$1.6B ->
    # ~$6B, Anthropic ~$0.1B -> ~$1B); the released frontier's gain gives ~2x of it in the
    # model, adoption the other ~2x (judgement on the split).
    adoption_growth_2024_per_year: float = p(1.0, 0.0, 20.0)
    # Years in which adoption's log growth rate halves: adoption levels off (at ~7x 2024's
    # with the defaults). Assumption.
    adoption_slowdown_years: float = p(2.0, 0.1, 100.0, lo_open=True)
    # Soft ceiling on spending on models, USD/year. Assumption (~1% of world GDP).
    ai_spend_ceiling_usd_per_year: float = p(1e12, 1e8, 1e15, lo_open=True)
    # Lognormal sigma of customers' budgets (a few large enterprises, many small). Assumption.
    budget_sigma: float = p(1.5, 0.0, 5.0)
    # Share of customers who re-choose their model in a month. Assumption.
    rechoose_prob: float = p(0.1, 0.0, 1.0)
    # Logit utility per capability step (mean over customers; lognormal spread 0.5). Assumption.
    quality_weight: float = p(4.0, 0.0, 100.0)
    # Logit utility per log price (mean over customers; lognormal spread 0.5). Sets labs'
    # markups (sim/mechanisms/pricing.py): p/c = 1 + 1/(price_weight (1 - share)). OpenAI,
    # with ~55 % of spending, paid about half its 2024 revenue for inference (second-hand,
    # see the serving bill below): p/c ~ 2, so price_weight ~ 1/(1 - 0.55) ~ 2.
    price_weight: float = p(2.0, 0.0, 100.0)
    # Utility of a model sold on the customer's home cloud (distribution, A27). Assumption.
    home_cloud_bonus: float = p(1.0, 0.0, 100.0)
    # Share of customers (by budget) who are consumers: they subscribe to a lab's own app
    # (direct, on no cloud; no revenue share) and re-choose less often. 0: businesses only.
    # Assumption, as no source splits 2024's spending: ChatGPT had 250M weekly users (C24 1);
    # subscriptions were ~70 % of OpenAI's revenue (general knowledge, unsourced) and OpenAI
    # had 55 % of spending at 2024-01 (roster): 0.7 x 0.55 = ~0.4 with the others' apps.
    consumer_share: float = p(0.4, 0.0, 0.95)
    # Share of consumers who re-choose their app in a month: habit; a third of them look
    # again within a year. Assumption.
    consumer_rechoose_prob: float = p(0.03, 0.0, 1.0)
    # Consumers' logit utility per log price of tokens: 0, the apps are flat subscriptions
    # at the same price (ChatGPT Plus, Gemini Advanced, Claude Pro: $20 a month; general
    # knowledge, unsourced), so what a lab charges for tokens does not move them. Labs price
    # tokens for businesses (their markup reads their share of businesses' spending).
    consumer_price_weight: float = p(0.0, 0.0, 100.0)
    # Utility of staying with the current model (switching cost). Assumption.
    switching_cost: float = p(0.5, 0.0, 100.0)
    # Utility a lab's direct sales give customers of clouds that do not carry it (A19):
    # 0 = no direct channel beyond the open API. Assumption.
    direct_sales_bonus: float = p(0.0, 0.0, 100.0)
    # --- prices (issue 17, sim/mechanisms/pricing.py) ---
    # Highest price over serving cost a lab sets (a near-monopolist's logit markup has no
    # bound). Assumption.
    max_markup: float = p(5.0, 1.0, 100.0)
    # FLOP bought per FLOP of a model's forward pass when serving: decoding is memory-bound
    # and uses the hardware less than training, which compute.price_per_flop_2024_usd
    # prices. Assumption, set so OpenAI's 2024-01 model sells near GPT-4 Turbo's $10 / $30
    # per million input / output tokens (C24 section 7): ~$15 blended ($14 at seed 0; with
    # the 2024-01 model over-trained at tokens_per_param_2024, 0.82 of Chinchilla's size).
    serving_overhead: float = p(3.6, 0.1, 100.0)
    # Price of a hosted open-weights model over its serving cost at the hosts' own cost per
    # FLOP (their fleets' depreciation and energy): many hosts serve the same weights, so
    # the price stays near cost. Assumption.
    open_weights_markup: float = p(1.2, 1.0, 10.0)
    # Months by which open weights trail the closed frontier when distilling from it: about
    # a year (calibration.md: Epoch, Nov 2024; Llama 3.1 405B in Jul 2024 matched GPT-4 of
    # Mar 2023, C24 section 10).
    distillation_lag_months: float = p(12.0, 1.0, 120.0)
    # --- over-training (issue 17 item 4: price index; sim/mechanisms/pricing.py) ---
    # Training tokens per parameter of the models labs serve, at 2024-01: 2023's open
    # 70B-class models, C / (6 N^2) from frontier_models_to_2023.csv: LLaMA-65B 22, Llama
    # 2-70B 28, Qwen-72B 42 -> 30 (GPT-4's own is not published).
    tokens_per_param_2024: float = p(30.0, 1.0, 1e5)
    # Its growth a year: the same class a year later, from frontier_models_2024.csv: Llama
    # 3-70B 267 (Apr), Llama 3.1-70B 270 (Jul), Qwen2.5-72B 251 (Sep), Llama 3.3-70B 233
    # (Dec); Llama 2-70B -> Llama 3.1-70B (Jul to Jul) 9.6x, Qwen-72B -> Qwen2.5-72B 6x in
    # 10 months (8.6x a year) -> 9.
    tokens_per_param_growth_per_year: float = p(9.0, 1.0, 1000.0)
    # Most tokens per parameter labs train at: the most over-trained model in the CSVs,
    # Llama 3.1-8B (1.224e24 FLOP, frontier_models_2024.csv: ~3,200 a parameter).
    max_tokens_per_param: float = p(3200.0, 1.0, 1e6)
    # --- cheap tier (limitation 18; sim/markets/products.py) ---
    # Every closed lab that sells also offers a cheap tier, a small model distilled from its
    # frontier model (2024: GPT-4o mini, Claude Haiku, Gemini Flash; C24 section 7).
    # false (default): one model a lab. Off by default: the gap law below puts the cheap
    # tier 1.3-1.9 steps under its parent in 2024 where GPT-4o mini was about GPT-4's level
    # (scenario cheap_tiers; docs/validation.md).
    cheap_tier: bool = p(False)
    # The cheap tier's parameters as a share of its frontier model's: GPT-4o mini sold at
    # $0.15 / $0.60 per million input / output tokens against GPT-4o's $2.50 / $10 (C24
    # section 7, Jul-Aug 2024), 0.06 at both ends; at one markup over serving cost (3.3.3)
    # the price ratio is the FLOP-per-token ratio, i.e. the parameter ratio.
    cheap_tier_size: float = p(0.06, 0.0, 1.0, lo_open=True)
    # Training tokens a parameter of the cheap tier (distillation supplies the tokens): the
    # most over-trained small model in the CSVs, Llama 3.1-8B (~3,200,
    # frontier_models_2024.csv), from 2024-01 on (assumption: small models were already
    # trained at the practice's most; Llama 3-8B, Apr 2024, ~1,900). The capability gap to
    # the frontier model follows from this and the size (pricing.cheap_tier_gap): 1.3
    # steps at 2024-01, 1.9 at 2024-12, 2.4 once frontier models reach the ceiling
    # `max_tokens_per_param` too (model months 24 on; a model output, not a datum).
    cheap_tier_tokens_per_param: float = p(3200.0, 1.0, 1e6)
    # Shares of customers whose home cloud is each hyperscaler, by name, overriding the
    # roster's (sim/roster.py: Amazon 31 %, Microsoft 24 %, Google 11 %, the rest elsewhere;
    # A24; C: Synergy Research Q1 2024). Empty: the roster's.
    home_cloud_shares: dict[str, float] = pdict({}, 0.0, 1.0)
    # The whole cloud-infrastructure market at 2024-01, USD/year: $76.5B in Q1 2024 (C:
    # Synergy Research). Only its AI part is simulated; the rest grows at the rate below,
    # split by home_cloud_shares. Used only for the `cloud_share` output (A24).
    cloud_market_2024_usd_per_year: float = p(3.06e11, 0.0, 1e14)
    # Growth of that market outside AI models, per year: 21 % (C: Synergy Research).
    cloud_market_growth_per_year: float = p(0.21, -0.5, 2.0)


@dataclass
class FinanceParams:
    # US venture capital deployable into frontier labs in 2024 (finite, A22); after the
    # first simulated year it follows the sector's returns (money.*). C24 section 8: US AI
    # start-ups raised $97B in 2024 and generative AI $56B worldwide (PitchBook,
    # second-hand); the part open to frontier labs: assumption $40B (with growth funds' $15B,
    # about the $56B).
    us_capital_pool_usd_per_year: float = p(4e10, 0.0, 1e14)
    # Sovereign funds' pool in 2024, with friction (A22, A23). C24 section 2: ~$5B of xAI's
    # Dec-2024 $6B came from Middle East sovereign funds and MGX joined OpenAI's round, ~$6B
    # in all in 2024; the pool (what they would commit if asked): assumption 5x that, $30B
    # (was $100B, an assumption the 2024 record does not support).
    sovereign_pool_usd_per_year: float = p(3e10, 0.0, 1e14)
    # Chance a sovereign deal falls through (hard questions, A22). Assumption.
    sovereign_fail_prob: float = p(0.3, 0.0, 1.0)
    # Months before a lab whose sovereign deal fell through may ask that investor again: a
    # failed deal costs time (review, renegotiation), not one month. Assumption.
    failed_deal_wait_months: int = p(6, 0, 120)
    # Valuation haircut a sovereign fund demands. Assumption.
    sovereign_discount: float = p(0.2, 0.0, 0.95)
    # Non-hyperscaler strategic investors (Salesforce in Anthropic, A3): yearly pool. Assumption.
    strategic_pool_usd_per_year: float = p(1e9, 0.0, 1e13)
    # A lab raises when its runway (cash / monthly burn) falls below this. Assumption.
    raise_runway_months: float = p(12.0, 0.0, 120.0)
    # A raise aims to cover this many months of planned burn. Assumption.
    raise_target_months: float = p(24.0, 1.0, 240.0)
    # Share of the last 12 months' raises an independent lab counts on raising again when it
    # sizes a run: labs plan on raising constantly (A22). The run's compute is committed, so
    # if the money does not come the run drains the lab's cash and it may exit. Assumption.
    planned_raise_share: float = p(0.35, 0.0, 1.0)
    # Most of a lab one round may sell: caps a raise at this share of post-money value.
    # Assumption (late-stage rounds sell ~5-25 %).
    max_round_share: float = p(0.25, 0.0, 0.95)
    # Valuation = this x annualised revenue x (1 + frontier option) in the first simulated
    # year (2024); later it follows the sector's revenue growth (money.multiple_elasticity).
    # Assumption (OpenAI was valued ~$86-157B in 2024 on ~$2-4B revenue, second-hand; C24
    # section 2: ~40x revenue).
    revenue_multiple: float = p(25.0, 0.0, 1000.0)
    # Extra value of being at the frontier, decaying by e per capability step behind. Assumption.
    frontier_option: float = p(1.0, 0.0, 100.0)
    # No investor, partners included, funds a lab this many capability steps behind the
    # frontier. Assumption (about 1.5 years of progress).
    max_fundable_gap: float = p(1.5, 0.0, 100.0)
    # Share of a strategic investment that must be spent on the investor's cloud (A17; C: FTC
    # 6(b) report: "the developer must spend large sums on the investor's cloud"). Assumption: 0.8.
    cloud_spend_obligation: float = p(0.8, 0.0, 1.0)
    # Share of a partner lab's sales through the partner's cloud kept by the cloud (C: FTC 6(b):
    # equity + revenue share). Assumption: 0.2.
    revenue_share: float = p(0.2, 0.0, 1.0)
    # Largest share of a raise a partner hyperscaler takes at make weight 0. Assumption.
    max_strategic_share_of_raise: float = p(0.6, 0.0, 1.0)
    # Most a hyperscaler invests in partners over 12 months, as a share of its yearly other
    # operating cash flow, at make weight 0 (scaled by 1 - make weight). Assumption: about
    # twice the 2023-24 pace (Microsoft ~$13B over 2019-23, Amazon $8B over 2023-24, A1, A2; C).
    max_strategic_share_of_cash_flow: float = p(0.1, 0.0, 1.0)
    # Stake at or above which a partner lab is consolidated with its hyperscaler in ownership
    # HHI (an exclusive cloud deal consolidates it too). Assumption.
    consolidation_stake: float = p(0.25, 0.0, 1.0)
    # Hyperscalers' AI cloud business valued at this x annualised AI cloud revenue. Assumption.
    cloud_revenue_multiple: float = p(10.0, 0.0, 1000.0)
    # Monthly serving bill an owner funds its in-house lab for, as a multiple of last month's:
    # room for growth. Assumption.
    inhouse_serving_headroom: float = p(1.5, 1.0, 10.0)
    # Share of a hyperscaler's cash flow (other business plus AI cloud revenue) it may spend
    # on its in-house lab at make weight 1 (scaled by the make weight). Assumption (big tech AI capex was ~30-40 %
    # of operating cash flow in 2024, second-hand; most of it for cloud capacity).
    inhouse_budget_share: float = p(0.5, 0.0, 1.0)
    # Share of Meta's operating cash flow for its open-weights lab (A15). Assumption.
    open_weights_budget_share: float = p(0.15, 0.0, 1.0)
    # Which figures to use for Anthropic's cloud deals (A2): "public" = the public record
    # (Amazon $4B + $4B, Google $2B; C), "article" = the German text's $100-500M from each.
    deal_figures: str = field(default="public", metadata={"choices": ("public", "article")})


@dataclass
class DealParams:
    # Partnerships as deals whose terms change (sim/markets/deals.py; docs/model.md 3.3.8).
    # The forms of the terms (equity, revenue share, exclusivity, committed cloud spend) are
    # from C: FTC 6(b) staff report; the numbers below are assumptions unless said.
    # Months a deal runs: the 2024 deals from 2024-01, later ones from signing, renewals
    # from their end. Assumption (no term is public).
    term_months: int = p(72, 1, 1200)
    # Exclusivity becomes a right of first refusal when the exclusive partner has left at
    # least this share of a lab's training orders unserved (rationed for capacity) over the
    # last `shortfall_months` months. Assumption.
    shortfall_share: float = p(0.2, 0.0, 1.0, lo_open=True)
    shortfall_months: int = p(3, 1, 120)
    # Terms shrink when a partner's stake falls below this share of the stake they were set
    # at: the revenue share is scaled by the ratio and the terms reset. Assumption.
    dilution_trigger: float = p(0.75, 0.0, 1.0)
    # Least stake with which a partner keeps (or renews) exclusivity. Assumption.
    exclusive_min_stake: float = p(0.25, 0.0, 1.0)
    # Restructuring: investors other than the partners buying at least this share of a lab
    # in one month loosen an exclusive deal to first refusal. OpenAI's Oct-2024 round, $6.6B
    # at $157B post-money (~4 %), came with conditions tied to its restructuring (C24
    # section 2).
    restructure_round_share: float = p(0.04, 0.0, 1.0, lo_open=True)
    # A deal at its end renews for another term if the partner still holds at least this
    # stake; otherwise it lapses (access, revenue share and compute right end). Assumption.
    renew_min_stake: float = p(0.05, 0.0, 1.0)


@dataclass
class MoneyParams:
    """Money that grows and responds (docs/model.md 3.3.4): big tech's cash flows grow,
    investors' appetite follows the sector's returns, labs borrow compute on credit, and
    new classes of investor lead rounds. C24: = shared/source/calibration_2024.md."""

    # Growth a year of hyperscalers' non-AI operating cash flow and of Meta's (which funds its
    # open-weights lab). Assumption: 10 %, below the cloud market's +22 % in 2024 (C24
    # section 5, Synergy; C: 21 %), as cloud is one part of each firm's business; the firms'
    # own 2024 cash-flow growth is not in the sources.
    other_cash_flow_growth_per_year: float = p(0.10, -0.5, 1.0)
    # Investor appetite: each January the pools (2024 sizes: finance.*_pool_usd_per_year and
    # the two below) are multiplied by R ** this, R = customers' monthly spending on AI
    # models as a multiple of 2024-01's. C24 section 8: AI venture money grew 62 % (Dealroom)
    # to 92 % (generative AI, PitchBook) in 2024 while the leading labs' revenue run-rates
    # grew ~3.75x (section 1: OpenAI $1.6B -> $6B): ln 1.62 / ln 3.75 = 0.36 to
    # ln 1.92 / ln 3.75 = 0.49; 0.4.
    appetite_elasticity: float = p(0.4, 0.0, 5.0)
    # ... and by exp(-this x investors' losses last year / the pools), for that year: equity
    # put into labs that closed or were acqui-hired, and vendor credit in default. Also
    # lowers the valuation multiple alike. Assumption: 2 (losing a tenth of a year's pools
    # cuts the next year's by a sixth, losing half by 63 %).
    loss_weight: float = p(2.0, 0.0, 50.0)
    # Bounds of the appetite index (pools as a multiple of 2024's) and of the valuation
    # multiple as a multiple of finance.revenue_multiple. Assumption: at most 5x (the US pool
    # then ~$200B, all of 2024's US venture capital, $209B, C24 section 8), at least 1/4.
    min_appetite: float = p(0.25, 0.0, 1.0)
    max_appetite: float = p(5.0, 1.0, 100.0)
    # The valuation multiple is finance.revenue_multiple x ((1 + g) / (1 + g_ref)) ** this:
    # it falls when growth slows below the growth it was set on. Assumption: 1.
    multiple_elasticity: float = p(1.0, 0.0, 5.0)
    # g_ref: the yearly revenue growth 2024's multiple was paid for. C24 section 1: OpenAI's
    # run-rate went from ~$2B (2023) to ~$6B (end-2024), tripling: 2.0.
    reference_growth_per_year: float = p(2.0, 0.0, 100.0)
    # Growth funds (crossover and late-stage investors; lead rounds of labs with revenue):
    # 2024 pool. C24 section 2: Thrive led OpenAI's $6.6B round (~$1.2-1.3B) with Altimeter,
    # Fidelity, Tiger Global; BlackRock and Fidelity in xAI's Dec round. Assumption $15B.
    growth_pool_usd_per_year: float = p(1.5e10, 0.0, 1e14)
    # Chip vendors investing in their customers (Nvidia, AMD): 2024 pool. C24 section 2:
    # Nvidia ~$100M in OpenAI's round, Nvidia and AMD in xAI's Dec round; section 5: Nvidia
    # ~6 % of CoreWeave. Assumption $2B.
    chip_vendor_pool_usd_per_year: float = p(2e9, 0.0, 1e13)
    # Compute for equity: when a round leaves a partner lab short, each partner cloud with
    # idle capacity (below its target utilisation) supplies up to this many months of that
    # idle capacity, at its price, for equity over any 12 months, all owed back as spend on
    # its cloud. The
    # form: C: FTC 6(b) (investments paid largely as cloud credits, A1: Microsoft's in Azure).
    # Value: assumption, one month of idle capacity a year; 0: none.
    compute_for_equity_months: float = p(1.0, 0.0, 60.0)
    # Vendor credit: a lab's primary cloud supplies compute on credit when a round leaves it
    # short - a loan that must be spent on that cloud, repaid from sales with interest. The
    # credit line is at most this x annualised sales ... Assumption (half a year of sales).
    credit_sales_multiple: float = p(0.5, 0.0, 20.0)
    # ... and at most this share of the lab's valuation. Assumption.
    credit_valuation_share: float = p(0.1, 0.0, 1.0)
    # Interest a year on vendor credit. Assumption (high-yield, GPU-backed loans of 2024 were
    # priced around 10-15 %, unsourced).
    credit_interest_per_year: float = p(0.12, 0.0, 1.0)
    # Share of a borrower's monthly sales that services its credit, at least the month's
    # interest (interest first, then principal). Assumption.
    credit_repayment_share_of_sales: float = p(0.2, 0.0, 1.0)


@dataclass
class StrategyParams:
    # Months between make-or-buy reviews (A18). Assumption.
    review_months: int = p(6, 1, 60)
    # Share of the way the make weight moves toward the weight costs favour, per review.
    # Assumption (strategy turns over a few years).
    adjust_rate: float = p(0.25, 0.0, 1.0)
    # Extra make weight added per review (scenario knob: bigtech_inhouse, A4, A5). 0 = none.
    inhouse_push: float = p(0.0, -1.0, 1.0)
    # Value of control over an own model, as a share of the own programme's cost (A18).
    # Assumption.
    control_value: float = p(0.2, 0.0, 10.0)
    # How sharply the make weight favoured follows the difference between what making and
    # buying brought, relative to their size: the favoured weight lies within
    # logistic(+-this) (3: 5-95 %). Assumption.
    value_sensitivity: float = p(3.0, 0.0, 50.0)
    # Floor on make weight (every hyperscaler keeps a small programme). Assumption.
    min_make_weight: float = p(0.05, 0.0, 1.0)
    # Starting make weights by hyperscaler, overriding the roster's (sim/roster.py: Microsoft
    # 0.2 and Amazon 0.3 mostly partnered, A1, A2, with in-house programmes begun, A4, A5;
    # Google 0.9 builds, A13; assumption). Empty: the roster's.
    initial_make_weight: dict[str, float] = pdict({}, 0.0, 1.0)
    # Partnerships allowed. False: regulators block or unwind them (A31) - no strategic
    # investment, no access deals on partners' clouds, no partner discounts or obligations,
    # no consolidation in ownership HHI.
    partnerships: bool = p(True)


@dataclass
class TalentParams:
    # Researchers simulated (numpy arrays): the resolution of the workforce below (2,000 as
    # the brief sets it).
    n_researchers: int = p(2000, 1, 10_000_000)
    # Researchers at frontier labs and in the pool around them, whose pay the labs bear.
    # Assumption (a few thousand people train frontier models; order of magnitude).
    workforce: int = p(2000, 1, 10_000_000)
    # Efficiency multiplier = (talent / mean talent) ** elasticity: diminishing returns (A29). Assumption.
    elasticity: float = p(0.3, 0.0, 1.0)
    # A researcher's weight in talent = skill ** this (stars count more; A28, A29). Assumption.
    skill_exponent: float = p(2.0, 0.0, 5.0)
    # Lognormal sigma of skill. Assumption.
    skill_sigma: float = p(0.5, 0.0, 3.0)
    # Share of researchers who look at offers in a month (~25 %/yr turnover). Assumption.
    move_prob: float = p(0.02, 0.0, 1.0)
    # Utility of log pay, of frontier status (per capability step behind: minus), of openness
    # (A15), and the independent labs' mission/culture pull (A28, talent_edge scenario). Assumption.
    pay_weight: float = p(2.0, 0.0, 100.0)
    frontier_weight: float = p(1.0, 0.0, 100.0)
    openness_weight: float = p(0.5, 0.0, 100.0)
    lab_pull: float = p(0.5, -100.0, 100.0)
    # Utility a move must beat (friction). Assumption.
    move_cost: float = p(0.5, 0.0, 100.0)
    # Pay per researcher-year, USD, by kind of employer: independent labs, in-house labs (big
    # tech pays more, A10), the open-weights lab, the outside pool (academia etc.). Assumption.
    pay_usd_per_year: dict[str, float] = pdict(
        {"independent_lab": 9e5, "inhouse_lab": 1.2e6, "open_weights": 1.1e6, "pool": 2e5},
        0.0, 1e9)
    # Non-research staff and overhead per research dollar. Assumption (OpenAI had ~3,000
    # staff in 2024, second-hand, of whom a minority researchers).
    overhead_ratio: float = p(2.0, 0.0, 20.0)
    # Monthly headcount growth a firm may hire toward. Assumption.
    hire_rate: float = p(0.02, 0.0, 1.0)
    # Make weight from which an in-house lab hires at the full rate (below it, in
    # proportion). Assumption.
    inhouse_full_hiring_make_weight: float = p(0.5, 0.0, 1.0, lo_open=True)
    # An independent lab stops hiring when its runway falls below this share of
    # `finance.raise_runway_months` (short of money: a hiring freeze). Assumption.
    hiring_freeze_runway_share: float = p(0.5, 0.0, 1.0)
    # How many capability steps behind the frontier researchers count a lab that has no
    # model yet. Assumption.
    no_model_gap: float = p(5.0, 0.0, 100.0)


@dataclass
class EntryParams:
    # The roster changes during a run (A12, A13, A31): new labs are founded, failing labs are
    # acqui-hired or acquired. Off: the fixed 2024 roster, failing labs simply close (the
    # fixed-roster model, unchanged by everything under `entry`). On since 2023-24 saw four
    # start-ups reach frontier scale and acqui-hires (CSV; C24 section 3; docs/model.md 3.3.7).
    enabled: bool = p(True)
    # Founding attempts a year at rate_scale 1, when capital allows: the start-ups whose first
    # model within 10x of the trend-sized run came out in 2023-24 (CSV: xAI, Inflection AI,
    # Mistral AI, Reka AI; sim/roster.py EntrantType) - four in two years. Assumption beyond.
    rate_per_year: float = p(2.0, 0.0, 100.0)
    # Multiplies the founding rate (scenario and sweep knob). Assumption: 1.
    rate_scale: float = p(1.0, 0.0, 100.0)
    # Most labs founded in one run (slots kept in the tables). Assumption (resolution).
    max_entrants: int = p(12, 0, 50)
    # Share of the researchers who leave to found a lab: ~1 % (a team of ~20 of 2,000;
    # Anthropic was founded by 7 and grew to ~100 in its first year). Assumption.
    team_share: float = p(0.01, 0.0, 0.2)
    # Chance of each founder type (sim/roster.py EntrantType): one each of the four 2023-24
    # start-ups (CSV), so a quarter each. Normalised to sum to 1.
    type_probs: dict[str, float] = pdict(
        {"founder_capital": 0.25, "cloud_spinout": 0.25, "open_weights": 0.25,
         "star_team": 0.25}, 0.0, 1.0)
    # First round, in trend-sized frontier runs' cost at founding (a run plus its research
    # compute at the market price: $0.6B in 2024-01), so a round grows with the frontier's
    # cost: founder_capital 10 (xAI's $6B Series B, May 2024, C24 section 2); cloud_spinout 2
    # (Inflection's ~$1.3B of 2023 with Microsoft and Nvidia: unsourced, assumption);
    # open_weights 1 (Mistral's ~$0.5-0.6B of 2023-24: unsourced, assumption); star_team 0.5
    # (a small team's round: assumption).
    type_round_runs: dict[str, float] = pdict(
        {"founder_capital": 10.0, "cloud_spinout": 2.0, "open_weights": 1.0,
         "star_team": 0.5}, 0.0, 1000.0)
    # Pre-money value of the first round as a multiple of the round, the founders'
    # reputation: founder_capital 3 (xAI: $6B at $24B, C24 section 2); star_team 4 (stars
    # raise at a higher pre-money; assumption); open_weights 2 and cloud_spinout 1 (founders
    # keep two thirds, a half; assumption).
    type_pre_money_multiple: dict[str, float] = pdict(
        {"founder_capital": 3.0, "cloud_spinout": 1.0, "open_weights": 2.0,
         "star_team": 4.0}, 0.0, 100.0)
    # Founding team as a multiple of team_share: a small star team 0.5, a cloud spin-out 2
    # (Inflection had ~70 staff at its 2024 acqui-hire: see acquihire_pay_years). Assumption.
    type_team_multiple: dict[str, float] = pdict(
        {"founder_capital": 1.0, "cloud_spinout": 2.0, "open_weights": 1.0,
         "star_team": 0.5}, 0.0, 20.0)
    # Founders are drawn with weight skill ^ (talent.skill_exponent x this): a star team is
    # drawn harder from the top. Assumption.
    type_skill_multiple: dict[str, float] = pdict(
        {"founder_capital": 1.0, "cloud_spinout": 1.0, "open_weights": 1.0,
         "star_team": 2.0}, 0.0, 10.0)
    # Run size as a multiple of the trend-sized run (the lab's ambition, read by the lab
    # policy like the 2024 labs'): each type's largest 2023-24 run over the trend-sized run
    # at its release (5e25 FLOP doubling every 6 months from 2024-01; CSV): Grok-2 2.96e25 in
    # Aug 2024, 0.26; Inflection-2 1.0e25 in Nov 2023, 0.25; Mistral Large 2 2.13e25 in Jul
    # 2024, 0.21; Reka Core 8.4e24 in Apr 2024, 0.12.
    type_ambition: dict[str, float] = pdict(
        {"founder_capital": 0.26, "cloud_spinout": 0.25, "open_weights": 0.21,
         "star_team": 0.12}, 0.0, 100.0)
    # Months after founding during which investors price a lab on its founders' reputation -
    # at least the first round's pre-money plus the equity money put in since - and fund it
    # however far its models trail (not bound by finance.max_fundable_gap): the start-ups
    # licensed or hired away in 2024 had been funded for ~2-3 years (Inflection, founded
    # 2022; Character.AI, 2021; C24 section 3 for the deals, founding years unsourced).
    # Assumption: 36.
    reputation_months: float = p(36.0, 0.0, 1200.0)
    # Chance that a star team or an open-weights entrant takes no hyperscaler money and
    # trains and serves on clouds outside the three (CoreWeave, Oracle); a founder with
    # capital always does (its own cluster), a cloud spin-out never. Outside capacity was
    # small in 2024 and mostly Microsoft's (CoreWeave: $1.9B revenue, 62 % from Microsoft;
    # Oracle OCI ~$9B a year; C24 section 5). Assumption: 0.5.
    other_cloud_prob: float = p(0.5, 0.0, 1.0)
    # A funded start-up hires toward this share of the mean independent lab's headcount (a
    # mid-sized lab). Assumption.
    startup_target_size_share: float = p(0.5, 0.0, 10.0)
    # Make weight from which a hyperscaler wants research teams of its own (it makes more
    # than it buys) and may acqui-hire. Assumption.
    acquihire_min_make_weight: float = p(0.5, 0.0, 1.0)
    # Chance per strategy review that a hyperscaler building its own models (make weight at
    # least acquihire_min_make_weight) offers to acqui-hire an independent lab for more than the lab is worth -
    # Microsoft and Inflection, March 2024, while building its own MAI models (C24 section 3).
    # Assumption: 0.25 (about one such offer a year across the three at 6-month reviews).
    talent_buy_prob: float = p(0.25, 0.0, 1.0)
    # Blocks acqui-hires and acquisitions by hyperscalers (A31): failing labs close instead.
    merger_control: bool = p(False)
    # A hyperscaler buys a failing lab whole when its model is within this many steps of the
    # frontier, else hires its researchers only (acqui-hire). Assumption.
    acquire_max_gap: float = p(0.5, 0.0, 100.0)
    # Price of an acqui-hire per researcher, in years of pay: Microsoft paid Inflection
    # ~$650M (C24 section 3) for ~70 staff (unsourced) in 2024, ~$9M a head, ~10 years of a
    # $0.9M package. Assumption: 10.
    acquihire_pay_years: float = p(10.0, 0.0, 100.0)


# ---- other clouds and power (issue 17 items 2-3) ----
@dataclass
class OtherCloudsParams:
    """The AI compute sellers outside the three clouds - Oracle, CoreWeave and the rest - as
    one seller (sim/markets/other_clouds.py). C24: shared/source/calibration_2024.md."""

    # Their share of the AI compute sold at 2024-01 (capacity sized to it). C24 section 5:
    # CoreWeave's 2024 revenue $1.92B, 62 % of it from Microsoft (capacity Microsoft resells:
    # counted as Microsoft's), ~$0.7B from others; Oracle OCI $2.2B a quarter, its AI part
    # not reported (assumption: a third, ~$3B a year); against the three clouds' AI
    # revenue, at least half of the ~$60B growth of the $330B cloud market in 2024 (C24 5:
    # "GenAI >= half of cloud growth"), ~$30B+. So ~$4B of ~$35B: 0.1 (assumption).
    initial_share: float = p(0.1, 0.0, 0.9)
    # Capex they may finance from outside investors each month beyond their cash, as a
    # multiple of the month's revenue. CoreWeave grew revenue ~8x in 2024 on borrowed and
    # raised money ($1.1B equity in Q2 2024 alone, net loss $863M on $1.92B revenue, 250k+
    # GPUs; C24 5): capex several times revenue. Assumption: 3.
    financing_per_revenue: float = p(3.0, 0.0, 100.0)


@dataclass
class PowerParams:
    """Power and sites for AI capacity (sim/mechanisms/power.py)."""

    # Power drawn by one FLOP/month of capacity bought in 2024-01, W: 150 MW for 100,000
    # H100 at xAI's Colossus (C24 section 6), 1.5 kW a GPU with its site, over the FLOP a
    # month an H100 delivers: 989 TFLOP/s dense BF16 (spec sheet, unsourced) at 40 %
    # utilisation (assumption) x 2.63e6 s = 1.04e21. So 1.44e-18.
    watts_per_flop_2024: float = p(1.44e-18, 1e-24, 1e-12, lo_open=True)
    # Months in which FLOP per watt doubles. Assumption: as price-performance, 24.8 (C:
    # Hobbhahn & Besiroglu 2022, 2.07 years for ML GPUs), as energy is a steady share of a
    # FLOP's cost (compute.hardware_share_of_cost).
    flop_per_watt_doubling_months: float = p(24.8, 1.0, 1200.0)
    # Months from asking for power (a site, a grid connection) to having it. C24 section 6:
    # xAI's Colossus ran from mid-2024 and got 150 MW approved (from 8 MW) in Nov 2024.
    # Assumption: 12.
    lead_months: int = p(12, 0, 120)
    # Most the power available to AI capacity grows a year. C24 section 1: OpenAI's compute
    # went from 0.2 GW (2023) to 0.6 GW (2024), +200 %; taken as the most the whole AI fleet
    # can add (assumption). LBNL's 2023-2028 projection for all US data centres, 176 TWh to
    # 325-580 TWh (C24 section 9), is +13-27 % a year: the power_bound scenario.
    max_growth_per_year: float = p(2.0, 0.0, 100.0)
    # Power asked for beyond the planned need (and free at 2024-01): planning margin.
    # Assumption: 0.1.
    reserve: float = p(0.1, 0.0, 10.0)


@dataclass
class PolicyParams:
    # How labs decide (sim/policies/lab.py; config group policy/lab): `returns` sizes runs
    # and hiring from what a run is expected to earn and be worth, within what the lab can
    # fund; `racing` sizes every run to the compute trend within what the lab can pay and
    # raises to keep up (the model's behaviour before); `profit` sizes runs and rounds for
    # a model's expected margin.
    lab: dict[str, Any] = field(
        default_factory=lambda: {"_target_": "sim.policies.lab.ReturnsLab"})
    # How hyperscalers decide (sim/policies/hyperscaler.py; group policy/hyperscaler):
    # `make_or_buy` moves effort between the own lab and partners by comparing their costs
    # (A18); `all_in` puts everything into the own lab.
    hyperscaler: dict[str, Any] = field(
        default_factory=lambda: {"_target_": "sim.policies.hyperscaler.MakeOrBuy"})


# ---- chips (issue 17 item 1: sim/markets/chips.py) ----
@dataclass
class ChipParams:
    # Vendor's gross margin at list price: Nvidia's fiscal year Feb 2024 - Jan 2025,
    # i.e. 2024's sales: GAAP 75.0 % (C24 5).
    gross_margin: float = p(0.75, 0.0, 0.95)
    # Price rise per unit of orders / output above 1 (three-month sums). Assumption.
    scarcity_price_slope: float = p(1.0, 0.0, 100.0)
    # Months from the vendor deciding output to shipping it (packaging and fab capacity).
    # Assumption.
    supply_lead_months: int = p(12, 1, 60)
    # Output the vendor plans as a multiple of the orders it expects. Assumption.
    supply_headroom: float = p(1.2, 0.1, 10.0)
    # Fastest growth of output the vendor plans for, per year: Nvidia's data-centre revenue
    # grew 2.42x in its fiscal year Feb 2024 - Jan 2025 (2024's sales; C24 5), its fastest
    # on record.
    max_supply_growth_per_year: float = p(2.42, 1.0, 20.0)
    # Output at 2024-01 over the clouds' planned order rate: no source in calibration_2024.md
    # says the three clouds' 2024 orders went unfilled, so 2024 starts unscarce. Assumption.
    initial_supply_headroom: float = p(1.5, 0.1, 10.0)
    # Most output the vendor carries as stock (finished chips, orders booked ahead), in
    # months of output: absorbs the clouds' lumpy orders. Assumption.
    stock_months: float = p(6.0, 0.0, 60.0)
    # Long-run share of new capacity each hyperscaler builds on its own accelerator (Google
    # TPU, Amazon Trainium, Microsoft Maia). Assumption (C24 3: Anthropic trains on Amazon's
    # Trainium in 2024; no share is given).
    custom_share: dict[str, float] = pdict(
        {"Google": 0.5, "Amazon": 0.3, "Microsoft": 0.2}, 0.0, 1.0)
    # Month (0 = 2024-01) each programme's ramp starts: Google's TPU (2016 on) mature, Amazon's
    # Trainium in use by 2024 (C24 3), Microsoft's Maia (announced late 2023) without volume in
    # 2024. Assumption for the months.
    custom_start_month: dict[str, float] = pdict(
        {"Google": -60.0, "Amazon": -12.0, "Microsoft": 12.0}, -240.0, 1200.0)
    # Months from a programme's start to its full share. Assumption.
    custom_ramp_months: float = p(36.0, 1.0, 240.0)
    # Own accelerator's capex over the vendor's unit cost: design, lower volume and
    # performance (1.4: 0.6 of the vendor's list price at a 75 % margin). Assumption.
    custom_overhead: float = p(1.4, 0.0, 20.0)


@dataclass
class Params:
    scenario: str = "baseline"
    # Months simulated from 2024-01: 120 (to the start of 2034) as the brief sets it.
    horizon_months: int = p(120, 1, 1200)
    compute: ComputeParams = field(default_factory=ComputeParams)
    training: TrainingParams = field(default_factory=TrainingParams)
    demand: DemandParams = field(default_factory=DemandParams)
    finance: FinanceParams = field(default_factory=FinanceParams)
    deals: DealParams = field(default_factory=DealParams)
    money: MoneyParams = field(default_factory=MoneyParams)
    strategy: StrategyParams = field(default_factory=StrategyParams)
    talent: TalentParams = field(default_factory=TalentParams)
    entry: EntryParams = field(default_factory=EntryParams)
    policy: PolicyParams = field(default_factory=PolicyParams)
    chips: ChipParams = field(default_factory=ChipParams)
    other_clouds: OtherCloudsParams = field(default_factory=OtherCloudsParams)  # issue #17
    power: PowerParams = field(default_factory=PowerParams)  # issue #17


def _range_of(f: dataclasses.Field) -> Range | None:
    """A field's allowed values: its `Range` (from `p`, `pdict`), or its `choices`."""
    if "choices" in f.metadata:
        return Range(choices=tuple(f.metadata["choices"]))
    return f.metadata.get("range")


def _section(f: dataclasses.Field) -> type | None:
    """The dataclass a field holds (a section such as `compute`), or None for a parameter."""
    factory = f.default_factory
    return factory if isinstance(factory, type) and dataclasses.is_dataclass(factory) else None


def _unknown(key: str, names) -> ConfigError:
    return ConfigError(f"{key}: unknown key (allowed: {', '.join(sorted(names))})")


def allowed(key: str, schema: type = Params) -> Range:
    """The values the parameter at a dotted key accepts, e.g. `allowed("compute.doubling_months")`
    -> Range(lo=0.5, hi=120.0, lo_open=True); Range() for one without bounds (`scenario`).
    `schema` is the dataclass the key starts from (sim.config.RunConfig for the run's keys).
    An unknown key raises ConfigError naming it and the keys its section has."""
    obj, f = schema, None
    for depth, part in enumerate(key.split(".")):
        if obj is None:
            parent = ".".join(key.split(".")[:depth])
            names = names_of(parent)
            if names is not None and depth == key.count("."):  # an entry of a number per name
                if part not in names:
                    raise ConfigError(f"{key}: unknown name {part} (allowed: "
                                      f"{', '.join(names)})")
                raise ConfigError(f"{key}: not set by default: add it with +{key}=VALUE "
                                  f"(allowed {_range_of(f)})")
            raise ConfigError(f"{key}: unknown key ({parent} is a parameter, not a section)")
        fields = {g.name: g for g in dataclasses.fields(obj)}
        if part not in fields:
            raise _unknown(key, fields)
        f = fields[part]
        obj = _section(f)
    if obj is not None:
        raise ConfigError(f"{key}: a section, not a parameter (keys: "
                          f"{', '.join(sorted(g.name for g in dataclasses.fields(obj)))})")
    return _range_of(f) or Range()


def _check_field(key: str, value: Any, f: dataclasses.Field, range_: Range) -> None:
    if range_.choices is not None:
        if value not in range_:
            raise ConfigError(f"{key}={value!r}: allowed {range_}")
        return
    # A number per name: the bad entry by its own key (chips.custom_share.Google=2.0).
    entries = [(f"{key}.{k}", v, v) for k, v in value.items()] if isinstance(value, dict) \
        else [(key, value, v) for v in value] if isinstance(value, list) \
        else [(key, value, value)]
    for name, shown, v in entries:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if isinstance(f.default, bool) and isinstance(v, bool):
                continue
            raise ConfigError(f"{name}={shown!r}: expected a number")
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"{name}={shown!r}: must be finite")
        if v not in range_:
            raise ConfigError(f"{name}={shown!r} is out of range: allowed {range_}")


def validate(params: Params, prefix: str = "") -> Params:
    """Check every field's type and range; raise ConfigError naming the first bad key."""
    for f in dataclasses.fields(params):
        key = prefix + f.name
        value = getattr(params, f.name)
        if dataclasses.is_dataclass(value):
            validate(value, key + ".")
        elif (range_ := _range_of(f)) is not None:
            _check_field(key, value, f, range_)
    if not prefix:
        _check_consistency(params)
    return params


# Numbers per name whose every name must be given (the others: a name not given has none,
# or the roster's value).
COMPLETE = ("talent.pay_usd_per_year", "entry.type_probs", "entry.type_round_runs",
            "entry.type_pre_money_multiple", "entry.type_team_multiple",
            "entry.type_skill_multiple", "entry.type_ambition")


def names_of(key: str) -> tuple[str, ...] | None:
    """The names a number-per-name parameter (`pdict`) accepts; None for any other key."""
    from . import roster

    clouds = tuple(h.name for h in roster.HYPERSCALERS)
    return {"demand.home_cloud_shares": clouds, "strategy.initial_make_weight": clouds,
            "chips.custom_share": clouds, "chips.custom_start_month": clouds,
            "talent.pay_usd_per_year": PAY_KEYS,
            **{k: tuple(roster.ENTRANT_TYPES) for k in COMPLETE if k.startswith("entry.")}
            }.get(key)


def _check_names(key: str, value: dict, allowed, *, complete: bool = False) -> None:
    unknown = sorted(set(value) - set(allowed))
    missing = sorted(set(allowed) - set(value)) if complete else []
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}: unknown name {unknown[0]} (allowed: "
                          f"{', '.join(allowed)})")
    if missing:
        raise ConfigError(f"{key}: missing {', '.join(missing)} (names: {', '.join(allowed)})")


def _check_consistency(params: Params) -> None:
    from . import policies, roster

    for key in ("demand.home_cloud_shares", "strategy.initial_make_weight",
                "chips.custom_share", "chips.custom_start_month", *COMPLETE):
        section, _, name = key.partition(".")
        _check_names(key, getattr(getattr(params, section), name), names_of(key),
                     complete=key in COMPLETE)
    if sum(roster.home_cloud_shares(params.demand.home_cloud_shares).values()) > 1.0:
        clouds = [h.name for h in roster.HYPERSCALERS]
        raise ConfigError(f"demand.home_cloud_shares={params.demand.home_cloud_shares}: the "
                          f"shares of {', '.join(clouds)} must sum to at most 1")
    if params.entry.enabled and sum(params.entry.type_probs.values()) <= 0:
        raise ConfigError(f"entry.type_probs={params.entry.type_probs}: some must be > 0")
    policies.build_all(params.policy)  # ConfigError naming the key if one cannot be built


# Keys of `talent.pay_usd_per_year`: the kinds of lab, and the pool outside them.
PAY_KEYS = ("independent_lab", "inhouse_lab", "open_weights", "pool")


def _merge(obj: Any, data: Mapping, prefix: str = "") -> Any:
    """A copy of a Params-like dataclass with a nested mapping of plain values merged in,
    rejecting unknown keys and wrong types (ranges are `validate`'s). A dict-valued field
    takes the given dict as it is. `sim.config.to_run` (the one way from a config to Params)
    and AIIndustry's keyword sections call it."""
    names = {f.name: f for f in dataclasses.fields(obj)}
    changes = {}
    for key, value in data.items():
        if key not in names:
            raise _unknown(f"{prefix}{key}", names)
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{prefix}{key}: expected a mapping")
            changes[key] = _merge(current, value, f"{prefix}{key}.")
        elif isinstance(current, dict) and "range" not in names[key].metadata:
            if not isinstance(value, Mapping):  # a policy: its own class checks its arguments
                raise ConfigError(f"{prefix}{key}={value!r}: expected a mapping")
            # A policy named by `_target_` is taken as given; without one, the given
            # arguments change the current policy's.
            changes[key] = (value if isinstance(value, dict) else dict(value)) \
                if "_target_" in value else {**current, **value}
        elif isinstance(current, dict):  # a number per name: the given names change
            changes[key] = {**current, **_coerce(f"{prefix}{key}", current, value)}
        else:
            changes[key] = _coerce(f"{prefix}{key}", current, value)
    return dataclasses.replace(obj, **changes)


def _coerce(key: str, current: Any, value: Any) -> Any:
    """Accept ints for floats; reject strings for numbers and floats for ints."""
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key}={value!r}: expected true or false")
        return value
    if isinstance(current, int):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"{key}={value!r}: expected a whole number")
        return value
    if isinstance(current, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}={value!r}: expected a number")
        return float(value)
    if isinstance(current, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}={value!r}: expected a list")
        return [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    if isinstance(current, dict):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{key}={value!r}: expected a mapping of names to values")
        return {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                for k, v in value.items()}
    if isinstance(current, str):
        return str(value)
    return value


def to_dict(params: Params) -> dict:
    return dataclasses.asdict(params)
