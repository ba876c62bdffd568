"""The uncertainties `aisim explore` samples: for every parameter that is an assumption or an
estimate, a plausible range for exploration - narrower than the parameter's validity range
(`sim.params.allowed(key)`), which says only what the model accepts - with its scale and why;
and the structural choices (switches, choice fields, the firms' policies) as categorical
uncertainties.

Sources: "C:" = `shared/source/calibration.md`, "C24:" = `shared/source/calibration_2024.md`
(figures up to the end of 2024; nothing later is used), A1..A32 = the article's claims. A
range without a source says "judgement: ..." and why it is that wide. Where a scenario moves
a parameter (configs/scenario/), the range covers the scenario's value.

Keys are dotted, as on the command line:
- `section.field`: a parameter of sim/params.py;
- `section.field.NAME`: one entry of a parameter kept per name (`demand.home_cloud_shares.
  Google`, `talent.pay_usd_per_year.pool`), its default the roster's (sim/roster.py) where
  the parameter only overrides it;
- `policy.lab`, `policy.hyperscaler`: which policy firms follow, one of the options of the
  config group (configs/policy/lab/: racing, profit; configs/policy/hyperscaler/:
  make_or_buy, all_in), the default first;
- `policy.lab.FIELD`: a parameter of a policy class (ProfitLab's `payback_months`), in
  effect only in the runs whose policy has that field; elsewhere the sampled value is
  recorded but not used. Its Morris or Sobol index is therefore its effect over the whole
  space, the runs without that policy included.
Integer fields are sampled as integers (every integer in the range equally likely). A
categorical key maps a uniform draw to one of its choices, each equally likely.

Why here and not as a field of `sim.params.Range`: a range to explore needs a reason beside
it, per-name entries need a range each (Google's make weight is not Microsoft's) while a
Range holds one for all names, and the policies and their parameters are not fields of
Params. The validity ranges are read through `allowed`, and the tests check that every
exploration range lies inside its validity range.

A parameter that is not explored is in NOT_EXPLORED with the reason: the model's resolution
(how finely it is simulated, not what is assumed), a unit, or a knob another one covers.
tests/test_explore.py fails when a parameter (of Params or of a shipped policy) is neither
declared nor listed, so a parameter added later needs a line here.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from . import roster
from .config import CONFIG_DIR
from .params import ConfigError, Params, Range, allowed


@dataclass(frozen=True)
class Uncertainty:
    """A numeric uncertainty: sampled over [low, high], uniformly on a linear or log scale."""

    key: str
    low: float
    high: float
    scale: str  # "linear" or "log"
    reason: str

    @property
    def kind(self) -> str:
        return "numeric"


@dataclass(frozen=True)
class Categorical:
    """A structural choice (a switch, a choice field or a policy): each value equally likely."""

    key: str
    reason: str

    @property
    def kind(self) -> str:
        return "categorical"

    @property
    def choices(self) -> tuple:
        return choices(self.key)


def U(key: str, low: float, high: float, scale: str, reason: str) -> Uncertainty:
    return Uncertainty(key, float(low), float(high), scale, reason)


C = Categorical
LIN, LOG = "linear", "log"
PAY = "judgement: half to twice the assumed 2024 package (no source gives them)"

UNCERTAINTIES: tuple[Uncertainty | Categorical, ...] = (
    # --- compute ---------------------------------------------------------------------------
    U("compute.doubling_months", 4, 12, LOG, "C: Epoch 2024 4-5x/yr (~5-6 months) to 2024, A9 ~6; judgement for 2024-34: compute_boom's 4 to compute_slowdown's 12"),
    U("compute.frontier_run_flop_2024", 2.5e25, 1e26, LOG, "C: Gemini 1.0 Ultra ~5e25 and GPT-4 ~2e25 are Epoch estimates; judgement: within 2x"),
    U("compute.price_per_flop_2024_usd", 3e-18, 6e-18, LOG, "C, C24: Epoch cloud-rental cost / compute: GPT-4 3.7e-18, Gemini Ultra 3.8-4.1e-18, Llama 3.1 405B 4.6e-18 (2024)"),
    U("compute.price_performance_doubling_months", 12, 36, LOG, "C: Hobbhahn & Besiroglu 2022: 2.07 (ML GPUs) to 2.95 (top GPUs) years; judgement: down to compute_boom's 12"),
    U("compute.cloud_markup", 1.3, 2.5, LOG, "judgement: cloud operating margins of ~25-60 % (the default assumes ~37 %)"),
    U("compute.partner_discount", 0.0, 0.5, LIN, "judgement: no discount to half price for a partner lab"),
    U("compute.partner_scarcity_share", 0.0, 1.0, LIN, "judgement: partner contracts from fixed prices (0) to spot prices (1)"),
    U("compute.fleet_growth_per_year", 1.5, 3.5, LOG, "C24 5: Nvidia's data-centre revenue 2.42x in its fiscal year covering 2024; C24 1: OpenAI's compute 3x in 2024; judgement for the range"),
    U("compute.hardware_share_of_cost", 0.88, 0.97, LIN, "C: Cottier et al. 2024: hardware 47-67 %, energy 2-6 % of development cost"),
    U("compute.hardware_life_months", 36, 72, LIN, "judgement: accelerators retired after 3-6 years (hyperscalers' server depreciation was 5-6 years by 2024)"),
    U("compute.build_lead_months", 3, 18, LIN, "C24: xAI's Colossus built in 122 days (2024); judgement: up to 18 months for a new site"),
    U("compute.target_utilisation", 0.6, 0.95, LIN, "judgement: planned utilisation of AI capacity"),
    U("compute.scarcity_price_slope", 0.5, 10, LOG, "judgement: how steeply scarce capacity raises prices (2023-24 GPU shortage)"),
    U("compute.max_planned_growth_per_month", 1.05, 1.2, LIN, "judgement: 2**(1/12)..2**(1/4), the doubling times of compute.doubling_months' range"),
    U("compute.max_capex_cash_share", 0.05, 0.2, LOG, "C24: 2024 capex $52-83B a year per hyperscaler against ~$80-110B cash; judgement: 5-20 % of cash a month"),
    # --- training --------------------------------------------------------------------------
    U("training.algorithmic_halving_months", 5, 14, LOG, "C: Ho et al. 2024: ~8 months, 95 % CI 5-14"),
    U("training.run_months", 2, 8, LIN, "judgement: GPT-4 trained ~3 months; labs release every 4-8 months"),
    U("training.release_lag_months", 1, 8, LIN, "C: GPT-4 held back ~7 months (A21); judgement: labs shipped faster in 2024"),
    U("training.research_compute_multiple", 1, 5, LOG, "judgement: a lab's compute bill is several times its largest run (OpenAI 2024, second-hand)"),
    U("training.open_weights_ambition", 0.15, 1.0, LOG, "C: Llama 3.1 405B ~0.3x the trend run (2024); judgement: half that up to open_weights' 1.0"),
    U("training.outcome_sigma", 0.0, 0.6, LIN, "judgement: deterministic runs to runs landing within ~4x of their expected effective compute"),
    U("training.max_run_cash_share", 0.3, 0.9, LIN, "judgement: share of cash a lab commits to one run"),
    U("training.salary_reserve_months", 3, 12, LIN, "judgement: months of salaries kept back"),
    # --- demand ----------------------------------------------------------------------------
    U("demand.ai_spend_2024_usd_per_month", 1.7e8, 4e8, LOG, "C: OpenAI ~$1.6B annualised early 2024, most of the market; judgement: $2-5B a year in all"),
    U("demand.spend_multiplier_per_capability", 2, 5, LOG, "C24: OpenAI's annualised revenue ~$1.6B -> ~$6B and Anthropic's ~10x over 2024 (second-hand) per ~1 step of effective compute"),
    U("demand.adoption_growth_2024_per_year", 0.5, 2.5, LIN, "C24: the leaders' run-rate ~4x over 2024; judgement: adoption's part of it 1.5-3.5x"),
    U("demand.adoption_slowdown_years", 1, 5, LOG, "judgement: adoption levels off within 3-15 years"),
    U("demand.ai_spend_ceiling_usd_per_year", 3e11, 3e12, LOG, "judgement: ~0.3-3 % of world GDP"),
    U("demand.budget_sigma", 1.0, 2.5, LIN, "judgement: spread of customers' budgets (a few large enterprises, many small)"),
    U("demand.rechoose_prob", 0.03, 0.3, LOG, "judgement: customers re-choose their model every ~3 months to ~3 years"),
    U("demand.quality_weight", 2, 8, LOG, "judgement: utility per capability step"),
    U("demand.price_weight", 1, 4, LOG, "judgement around OpenAI's 2024 inference bill near half its revenue (second-hand), markup ~2 at its ~55 % share: serving a third to two thirds of revenue"),
    U("demand.home_cloud_bonus", 0.0, 2.0, LIN, "judgement: none to twice the default pull of the home cloud's catalogue (A27)"),
    U("demand.switching_cost", 0.0, 1.5, LIN, "judgement: none to three times the default"),
    U("demand.consumer_share", 0.2, 0.6, LIN, "C24 1: ChatGPT 250M weekly users; judgement around subscriptions at ~70 % of OpenAI's revenue (general knowledge): half to one and a half times the default"),
    U("demand.consumer_rechoose_prob", 0.01, 0.1, LOG, "judgement: consumers look at another app every ~10 months to ~8 years"),
    U("demand.consumer_price_weight", 0.0, 1.0, LIN, "judgement: flat subscriptions (0, default) to half businesses' taste for price"),
    U("demand.direct_sales_bonus", 0.0, 1.0, LIN, "judgement: no direct channel (default) to labs_direct's 1.0 (A19)"),
    # --- prices (issue 17) ---
    U("demand.max_markup", 3, 10, LOG, "judgement: a near-monopolist's price 3-10x its serving cost"),
    U("demand.serving_overhead", 1.8, 7.2, LOG, "judgement: the 2024-01 frontier price at half to twice GPT-4 Turbo's ~$15 per M tokens blended (C24 7)"),
    U("demand.open_weights_markup", 1.0, 2.0, LIN, "judgement: open-weights hosts price at cost to twice it"),
    U("demand.distillation_lag_months", 3, 18, LOG, "C: open weights trail the frontier by about a year (Epoch, Nov 2024); price_war's 3 months to 18"),
    # over-training (issue 17 item 4: price index)
    U("demand.tokens_per_param_2024", 20, 45, LOG, "CSV to 2023: open 70B-class models 22-42 tokens a parameter; 20 = Chinchilla"),
    U("demand.tokens_per_param_growth_per_year", 4, 12, LOG, "CSVs: 70B-class 2023 -> 2024 6x in 10 months to 9.6x in 12; judgement: down to 4x as the data runs out"),
    U("demand.max_tokens_per_param", 1000, 10000, LOG, "CSV 2024: Llama 3.1-8B ~3,200; judgement: a third to three times it"),
    # cheap tier (limitation 18)
    C("demand.cheap_tier", "limitation 18: closed labs sell a cheap distilled tier beside their frontier model, or one model each (default)"),
    U("demand.cheap_tier_size", 0.02, 0.2, LOG, "C24 7: GPT-4o mini / GPT-4o prices 0.06; judgement: a third to three times it (2024 price ratios of small to large tiers, 1/60 to 1/12, general knowledge)"),
    U("demand.cheap_tier_tokens_per_param", 480, 10000, LOG, "CSV 2024: Gemma 2 27B ~480, Llama 3.1-8B ~3,200 tokens a parameter; judgement: up to three times it"),
    U("demand.home_cloud_shares.Microsoft", 0.20, 0.25, LIN, "C, C24: Synergy Q1-Q3 2024: 20-25 %"),
    U("demand.home_cloud_shares.Amazon", 0.30, 0.32, LIN, "C, C24: Synergy Q1-Q3 2024: 31-32 %"),
    U("demand.home_cloud_shares.Google", 0.11, 0.13, LIN, "C, C24: Synergy Q1-Q3 2024: 11-13 %"),
    U("demand.cloud_market_2024_usd_per_year", 2.9e11, 3.4e11, LIN, "C: $76.5B in Q1 2024 (x4); C24: $330.4B in 2024 (only the cloud_share output uses it)"),
    U("demand.cloud_market_growth_per_year", 0.10, 0.30, LIN, "C, C24: +21-22 % in 2024; judgement: 10-30 % a year after"),
    # --- finance ---------------------------------------------------------------------------
    U("finance.us_capital_pool_usd_per_year", 1e10, 1.6e11, LOG, "C24: US AI start-ups raised $97B in 2024, generative AI $56B worldwide; capital_crunch's 1e10 to open_entry's 1.6e11"),
    U("finance.sovereign_pool_usd_per_year", 1e10, 1e11, LOG, "C24: ~$5B of xAI's Dec 2024 round from Middle East funds, MGX in OpenAI's; judgement: twice to twenty times that"),
    U("finance.sovereign_fail_prob", 0.1, 0.7, LIN, "judgement: open_entry's 0.1 to capital_crunch's 0.7 (A22, A23)"),
    U("finance.failed_deal_wait_months", 3, 12, LIN, "judgement: a failed deal costs a quarter to a year"),
    U("finance.sovereign_discount", 0.0, 0.4, LIN, "judgement: none to capital_crunch's 0.4"),
    U("finance.strategic_pool_usd_per_year", 3e8, 3e9, LOG, "C24: Nvidia ~$100M in OpenAI's 2024 round; Salesforce in Anthropic (A3); judgement"),
    U("finance.raise_runway_months", 6, 18, LIN, "judgement: labs raise with half a year to a year and a half of cash left"),
    U("finance.raise_target_months", 18, 36, LIN, "judgement: a raise covers 1.5-3 years of burn (never less than the runway trigger)"),
    U("finance.planned_raise_share", 0.1, 0.6, LIN, "judgement: how much of last year's raises a lab counts on again (A22)"),
    U("finance.max_round_share", 0.1, 0.35, LIN, "judgement: late-stage rounds sell ~5-25 % (C24: OpenAI sold ~4 % in Oct 2024)"),
    U("finance.revenue_multiple", 15, 50, LOG, "C24: OpenAI $157B on ~$3.7B revenue (~40x), Anthropic ~$18B on <$1B run rate"),
    U("finance.frontier_option", 0.3, 3, LOG, "judgement: value of being at the frontier"),
    U("finance.max_fundable_gap", 0.75, 2.5, LIN, "judgement: investors stop funding labs ~1-3 years of progress behind"),
    U("finance.cloud_spend_obligation", 0.5, 1.0, LIN, "C: FTC 6(b): 'large sums on the investor's cloud'; judgement: half to all of it"),
    U("finance.revenue_share", 0.1, 0.3, LIN, "C: FTC 6(b): equity plus revenue share; judgement"),
    U("finance.max_strategic_share_of_raise", 0.2, 0.9, LIN, "C24: Microsoft <$1B of OpenAI's $6.6B (2024); Amazon most of Anthropic's money (2023-24)"),
    U("finance.max_strategic_share_of_cash_flow", 0.03, 0.2, LOG, "C: ~$13B (Microsoft, 2019-23), $8B (Amazon, 2023-24) against ~$85-110B a year; capital_crunch's 0.05"),
    U("finance.consolidation_stake", 0.15, 0.5, LIN, "judgement: the stake that makes a partner part of its investor's bloc"),
    U("finance.cloud_revenue_multiple", 5, 20, LOG, "judgement: valuation multiples of cloud revenue"),
    U("finance.inhouse_serving_headroom", 1.2, 3.0, LOG, "judgement: an owner funds its lab's serving for 20 % to 3x growth on last month's bill"),
    U("finance.inhouse_budget_share", 0.25, 0.75, LIN, "C24: big tech capex $246B in 2024, ~30-40 % of operating cash flow (second-hand); judgement"),
    U("finance.open_weights_budget_share", 0.05, 0.4, LOG, "C24: Meta's capex $39B in 2024; judgement: up to open_weights' 0.4"),
    U("money.other_cash_flow_growth_per_year", 0.0, 0.22, LIN, "C24: cloud market +22 % in 2024 (Synergy) as the upper end; judgement: flat (the old model) to that"),
    U("money.appetite_elasticity", 0.2, 0.8, LIN, "C24: AI venture money +62-92 % in 2024 on ~3.75x revenue run-rates: 0.36-0.49; judgement: wider"),
    U("money.loss_weight", 0.5, 5.0, LOG, "judgement: how hard a year's write-offs cut investors' next pools"),
    U("money.min_appetite", 0.1, 0.5, LOG, "judgement: how far a bust can shrink the pools below 2024's"),
    U("money.max_appetite", 2.0, 10.0, LOG, "C24: US VC $209B in 2024, ~5x the US pool; judgement: 2-10x"),
    U("money.multiple_elasticity", 0.5, 1.5, LIN, "judgement: revenue multiples move with growth about in proportion"),
    U("money.reference_growth_per_year", 1.0, 3.0, LIN, "C24: OpenAI's run-rate ~$2B (2023) to ~$6B (end-2024), Anthropic's ~10x; judgement"),
    U("money.growth_pool_usd_per_year", 5e9, 4e10, LOG, "C24: Thrive ~$1.2-1.3B lead of OpenAI's $6.6B, growth funds in xAI's rounds; judgement"),
    U("money.chip_vendor_pool_usd_per_year", 5e8, 1e10, LOG, "C24: Nvidia ~$100M in OpenAI, Nvidia and AMD in xAI's Dec 2024 round, ~6 % of CoreWeave; judgement"),
    U("money.compute_for_equity_months", 0.0, 4.0, LIN, "judgement: none to a third of a year of a partner's idle capacity for equity a year"),
    U("money.credit_sales_multiple", 0.0, 1.5, LIN, "judgement: no vendor credit to a year and a half of sales"),
    U("money.credit_valuation_share", 0.02, 0.3, LOG, "judgement: debt as a share of a lab's value"),
    U("money.credit_interest_per_year", 0.05, 0.2, LIN, "judgement: investment-grade to distressed credit"),
    U("money.credit_repayment_share_of_sales", 0.05, 0.5, LOG, "judgement: how fast sales pay vendor credit back"),
    C("finance.deal_figures", "A2: the public record (default) or the German article's $100-500M for Anthropic's deals"),
    # --- deals -----------------------------------------------------------------------------
    U("deals.term_months", 36, 120, LIN, "judgement: no term is public; three to ten years (the 2023-24 deals ran on from 2019-23 investments, C)"),
    U("deals.shortfall_share", 0.1, 0.5, LIN, "judgement: a tenth to half of a lab's compute left unserved before exclusivity gives"),
    U("deals.shortfall_months", 1, 12, LIN, "judgement: a month to a year of short supply"),
    U("deals.dilution_trigger", 0.5, 0.95, LIN, "judgement: terms reopened after a stake falls by 5-50 %"),
    U("deals.exclusive_min_stake", 0.1, 0.5, LIN, "judgement: the stake that buys exclusivity (Microsoft ~49 % with it, Amazon a minority without, C, C24)"),
    U("deals.restructure_round_share", 0.02, 0.2, LOG, "C24: OpenAI's Oct-2024 round (~4 % of post-money) came with restructuring conditions; judgement: half that to five times"),
    U("deals.renew_min_stake", 0.0, 0.15, LIN, "judgement: the stake below which a cloud lets a deal lapse"),
    # --- strategy --------------------------------------------------------------------------
    U("strategy.review_months", 3, 12, LIN, "judgement: make-or-buy reviewed quarterly to yearly (A18)"),
    U("strategy.adjust_rate", 0.1, 0.5, LIN, "judgement: strategy turns over in one to five years"),
    U("strategy.inhouse_push", 0.0, 0.1, LIN, "judgement: none to bigtech_inhouse's 0.1 (A4, A5)"),
    U("strategy.control_value", 0.0, 0.5, LIN, "judgement: value of control over an own model, as a share of its cost (A18)"),
    U("strategy.value_sensitivity", 1, 6, LOG, "judgement: how sharply make-or-buy follows the values compared (favoured weight within 27-73 % to 0.25-99.75 %)"),
    U("strategy.min_make_weight", 0.0, 0.15, LIN, "judgement: the smallest programme a hyperscaler keeps"),
    U("strategy.initial_make_weight.Microsoft", 0.1, 0.6, LIN, "mostly partnered (A1) with MAI begun (A5); up to bigtech_inhouse's 0.6"),
    U("strategy.initial_make_weight.Amazon", 0.15, 0.6, LIN, "mostly partnered (A2), AGI team (A4); up to bigtech_inhouse's 0.6"),
    U("strategy.initial_make_weight.Google", 0.7, 1.0, LIN, "builds (A13) and partners with Anthropic (A2)"),
    C("strategy.partnerships", "A31: partnerships allowed (default) or blocked by regulators (no_partnerships)"),
    # --- talent ----------------------------------------------------------------------------
    U("talent.workforce", 1000, 5000, LOG, "judgement: a few thousand people train frontier models (OpenAI ~3,000 staff in 2024, second-hand)"),
    U("talent.elasticity", 0.1, 0.5, LIN, "judgement: up to talent_edge's 0.5 (A29)"),
    U("talent.skill_exponent", 1.0, 3.0, LIN, "judgement: how much stars count (A28, A29)"),
    U("talent.skill_sigma", 0.3, 0.8, LIN, "judgement: spread of skill"),
    U("talent.move_prob", 0.01, 0.04, LOG, "judgement: ~12-40 % of researchers look at offers in a year"),
    U("talent.pay_weight", 1, 4, LOG, "judgement: utility of log pay"),
    U("talent.frontier_weight", 0.5, 2, LOG, "judgement: pull of frontier status"),
    U("talent.openness_weight", 0.0, 1.5, LIN, "judgement: none to open_weights' 1.5 (A15)"),
    U("talent.lab_pull", 0.0, 2.0, LIN, "judgement: none to talent_edge's 2.0 (A28)"),
    U("talent.move_cost", 0.25, 1.0, LIN, "judgement: friction of a move"),
    U("talent.pay_usd_per_year.independent_lab", 4.5e5, 1.8e6, LOG, PAY),
    U("talent.pay_usd_per_year.inhouse_lab", 6e5, 2.4e6, LOG, PAY + "; big tech pays more at the default, not in every draw"),
    U("talent.pay_usd_per_year.open_weights", 5.5e5, 2.2e6, LOG, PAY),
    U("talent.pay_usd_per_year.pool", 1e5, 4e5, LOG, "judgement: half to twice the assumed pay outside frontier labs (academia etc.)"),
    U("talent.overhead_ratio", 1.0, 3.0, LIN, "judgement: staff besides researchers (OpenAI ~3,000 staff in 2024, a minority researchers)"),
    U("talent.hire_rate", 0.01, 0.05, LOG, "judgement: 12-80 % headcount growth a year"),
    U("talent.inhouse_full_hiring_make_weight", 0.25, 1.0, LIN, "judgement: an in-house lab hires at the full rate once its owner makes a quarter, up to all, of what it uses"),
    U("talent.hiring_freeze_runway_share", 0.25, 1.0, LIN, "judgement: a lab freezes hiring with 3-12 months of runway left at the default raise trigger (12 months)"),
    U("talent.no_model_gap", 2, 10, LOG, "judgement: researchers count a lab without a model (an entrant before its first release) 2-10 steps behind"),
    # --- entry -----------------------------------------------------------------------------
    C("entry.enabled", "A12, A13, A31: labs founded and bought during the run (default) or the fixed 2024 roster"),
    U("entry.rate_per_year", 0.5, 6, LOG, "CSV: four start-ups reached within 10x of the trend-sized run in 2023-24 (xAI, Inflection, Mistral, Reka), two a year; judgement: a quarter of that up to open_entry's 6 (rate 2 x rate_scale 3)"),
    U("entry.team_share", 0.005, 0.03, LOG, "judgement: a founding team of ~10-60 of 2,000 (Anthropic began with 7, ~100 a year later)"),
    U("entry.startup_target_size_share", 0.25, 1.0, LOG, "judgement: a funded start-up hires toward a quarter of, up to as many as, the mean independent lab's staff"),
    U("entry.type_probs.founder_capital", 0.1, 0.5, LIN, "CSV: one of each type among the four 2023-24 start-ups; judgement: with four cases, a tenth to a half each"),
    U("entry.type_probs.cloud_spinout", 0.1, 0.5, LIN, "CSV: one of each type among the four 2023-24 start-ups; judgement: with four cases, a tenth to a half each"),
    U("entry.type_probs.open_weights", 0.1, 0.5, LIN, "CSV: one of each type among the four 2023-24 start-ups; judgement: with four cases, a tenth to a half each"),
    U("entry.type_probs.star_team", 0.1, 0.5, LIN, "CSV: one of each type among the four 2023-24 start-ups; judgement: with four cases, a tenth to a half each"),
    U("entry.type_round_runs.founder_capital", 5, 20, LOG, "C24: xAI raised $6B in May and $6B in December 2024 (10 and 20 of 2024's $0.6B trend-sized runs); judgement: down to half the first"),
    U("entry.type_round_runs.cloud_spinout", 1, 4, LOG, "judgement: half to twice Inflection's ~$1.3B of 2023 (unsourced)"),
    U("entry.type_round_runs.open_weights", 0.5, 2, LOG, "judgement: half to twice Mistral's ~$0.5B of 2023-24 (unsourced)"),
    U("entry.type_round_runs.star_team", 0.2, 1, LOG, "judgement: a small team's round, $0.1-0.6B in 2024"),
    U("entry.type_pre_money_multiple.founder_capital", 2, 6, LOG, "C24: xAI $6B at $24B in May 2024 (3x pre-money), a reported $40-50B after the December $6B; judgement"),
    U("entry.type_pre_money_multiple.cloud_spinout", 0.5, 2, LOG, "judgement: founders keep a third to two thirds"),
    U("entry.type_pre_money_multiple.open_weights", 1, 4, LOG, "judgement: founders keep a half to four fifths"),
    U("entry.type_pre_money_multiple.star_team", 2, 8, LOG, "judgement: stars raise at a higher pre-money, founders keep two thirds to ninety per cent"),
    U("entry.type_team_multiple.founder_capital", 0.5, 2, LOG, "judgement: half to twice the default team"),
    U("entry.type_team_multiple.cloud_spinout", 1, 4, LOG, "judgement: half to twice the default team"),
    U("entry.type_team_multiple.open_weights", 0.5, 2, LOG, "judgement: half to twice the default team"),
    U("entry.type_team_multiple.star_team", 0.25, 1, LOG, "judgement: half to twice the default team"),
    U("entry.type_skill_multiple.founder_capital", 0.5, 1.5, LIN, "judgement: how much harder than the population's skill weighting founders are drawn from the top"),
    U("entry.type_skill_multiple.cloud_spinout", 0.5, 1.5, LIN, "judgement: how much harder than the population's skill weighting founders are drawn from the top"),
    U("entry.type_skill_multiple.open_weights", 0.5, 1.5, LIN, "judgement: how much harder than the population's skill weighting founders are drawn from the top"),
    U("entry.type_skill_multiple.star_team", 1.0, 3.0, LIN, "judgement: how much harder than the population's skill weighting founders are drawn from the top"),
    U("entry.type_ambition.founder_capital", 0.13, 0.5, LOG, "CSV: the type's 2023-24 runs over the trend-sized run at release (Grok-1.5 0.15, Grok-2 0.26; Inflection-2.5 0.13, Inflection-2 0.25; Mistral Large 0.20, Large 2 0.21; Reka Core 0.12); judgement: half to twice"),
    U("entry.type_ambition.cloud_spinout", 0.12, 0.5, LOG, "CSV: the type's 2023-24 runs over the trend-sized run at release (Grok-1.5 0.15, Grok-2 0.26; Inflection-2.5 0.13, Inflection-2 0.25; Mistral Large 0.20, Large 2 0.21; Reka Core 0.12); judgement: half to twice"),
    U("entry.type_ambition.open_weights", 0.1, 0.4, LOG, "CSV: the type's 2023-24 runs over the trend-sized run at release (Grok-1.5 0.15, Grok-2 0.26; Inflection-2.5 0.13, Inflection-2 0.25; Mistral Large 0.20, Large 2 0.21; Reka Core 0.12); judgement: half to twice"),
    U("entry.type_ambition.star_team", 0.06, 0.25, LOG, "CSV: the type's 2023-24 runs over the trend-sized run at release (Grok-1.5 0.15, Grok-2 0.26; Inflection-2.5 0.13, Inflection-2 0.25; Mistral Large 0.20, Large 2 0.21; Reka Core 0.12); judgement: half to twice"),
    U("entry.reputation_months", 18, 48, LIN, "judgement: investors back a team 1.5-4 years before they want revenue (the start-ups licensed or hired away in 2024 had been funded 2-3 years; C24 section 3)"),
    U("entry.other_cloud_prob", 0.2, 0.8, LIN, "C24: outside capacity was small in 2024 (CoreWeave $1.9B revenue, 62 % from Microsoft; Oracle OCI ~$9B a year); judgement"),
    U("entry.talent_buy_prob", 0.1, 0.5, LIN, "C24: Microsoft-Inflection and Google-Character.AI, two such deals in 2024"),
    U("entry.acquihire_min_make_weight", 0.3, 0.8, LIN, "judgement: a hyperscaler wants teams of its own once it makes 30-80 % of what it uses"),
    C("entry.merger_control", "A31: hyperscalers may buy failing labs (default) or merger control blocks it"),
    U("entry.acquire_max_gap", 0.25, 1.0, LIN, "judgement: how close to the frontier a lab must be to be bought whole"),
    U("entry.acquihire_pay_years", 5, 20, LOG, "C24: Microsoft-Inflection ~$650M for ~70 staff (~10 years of pay); Google-Character.AI ~$2.7B"),
    # --- chips (issue 17 item 1: sim/markets/chips.py) --------------------------------------
    U("chips.gross_margin", 0.6, 0.8, LIN, "C24 5: Nvidia's gross margin on 2024's sales (its fiscal year to January) GAAP 75.0 % (Q4 73.0 %); judgement: down to 60 % with competition"),
    U("chips.scarcity_price_slope", 0.2, 3.0, LOG, "judgement: how steeply unfilled orders raise chip prices, up to chips_scarce's 3"),
    U("chips.supply_lead_months", 6, 18, LIN, "judgement: half a year to chips_scarce's 18 months to add packaging and fab output"),
    U("chips.supply_headroom", 0.8, 1.5, LIN, "judgement: the vendor plans output from chips_scarce's 0.8 to 1.5 times the orders it expects"),
    U("chips.max_supply_growth_per_year", 1.5, 4.0, LOG, "C24 5: Nvidia's data-centre revenue grew 2.42x in its fiscal year covering 2024; judgement: 1.5-4x"),
    U("chips.initial_supply_headroom", 1.0, 2.0, LIN, "judgement: no source says 2024 orders went unfilled; from just enough (chips_scarce) to twice"),
    U("chips.stock_months", 2, 12, LOG, "judgement: stock and orders booked ahead, in months of output"),
    U("chips.custom_share.Google", 0.3, 0.8, LIN, "judgement: TPU's share of Google's new AI capacity, up to custom_silicon's 0.8"),
    U("chips.custom_share.Amazon", 0.1, 0.7, LIN, "C24 3: Anthropic trains on Trainium (2024); judgement: up to custom_silicon's 0.7"),
    U("chips.custom_share.Microsoft", 0.0, 0.6, LIN, "judgement: Maia's share, none to custom_silicon's 0.6"),
    U("chips.custom_start_month.Google", -60, 0, LIN, "judgement: TPU in use since 2016, mature by 2024"),
    U("chips.custom_start_month.Amazon", -24, 12, LIN, "C24 3: Trainium in use by Anthropic in 2024; judgement on the ramp's start"),
    U("chips.custom_start_month.Microsoft", 0, 36, LIN, "judgement: Maia announced late 2023, volume from the first simulated month (custom_silicon) to the fourth year"),
    U("chips.custom_ramp_months", 12, 60, LOG, "judgement: one to five years from a programme's start to its full share"),
    U("chips.custom_overhead", 0.6, 3.0, LOG, "judgement: own accelerators at 0.4 (custom_silicon) to 1.0 of the vendor's list price at a 75 % margin"),
    # --- other clouds and power (issue #17 items 2-3) -------------------------------------------
    U("other_clouds.initial_share", 0.05, 0.2, LOG, "C24 5: CoreWeave $1.92B (38 % not from Microsoft), Oracle OCI $2.2B a quarter (AI part not reported), against the three clouds' AI revenue of ~$30B+; judgement: half to twice 0.1"),
    U("other_clouds.financing_per_revenue", 1.0, 6.0, LOG, "C24 5: CoreWeave's 2024 growth was financed ($1.1B equity in one quarter, $863M loss on $1.92B revenue); judgement"),
    U("power.watts_per_flop_2024", 1.0e-18, 2.5e-18, LOG, "C24 6: Colossus 150 MW for 100,000 H100; judgement on utilisation (25-60 %) and the spec's FLOP"),
    U("power.flop_per_watt_doubling_months", 18, 36, LOG, "judgement: around price-performance's 24.8 months (C: Hobbhahn & Besiroglu 2022)"),
    U("power.lead_months", 6, 36, LIN, "C24 6: Colossus ran from mid-2024 on 8 MW until 150 MW were approved in Nov 2024; judgement up to the power_bound scenario's 36"),
    U("power.max_growth_per_year", 0.2, 3.0, LOG, "C24 9: LBNL (Dec 2024) projects all US data centres' power +13-27 %/yr; C24 1: OpenAI 0.2 -> 0.6 GW in 2024 (+200 %); judgement: from the power_bound scenario's 0.25 to +300 %"),
    U("power.reserve", 0.0, 0.3, LIN, "judgement: planning margin of power over planned need"),
    # --- policies (sim/policies/, configs/policy/) ---------------------------------------------
    C("policy.lab", "structural: labs size runs and hiring on expected returns (returns, the default; issue #16), race the compute trend (racing, the model before; A8, A9, A22) or size runs for a model's expected margin (profit)"),
    U("policy.lab.payback_months", 6, 24, LIN, "ReturnsLab and ProfitLab; judgement: a model sells half a year to two years before it is superseded (labs release every 4-8 months)"),
    U("policy.lab.entry_share", 0.005, 0.05, LOG, "ReturnsLab and ProfitLab; judgement: a lab without sales expects to start from 0.5-5 % of the market"),
    U("policy.lab.value_weight", 0.02, 0.5, LOG, "ReturnsLab only; judgement: a model generation carries a few months to years of a valuation that capitalises ~25 years of revenue"),
    U("policy.lab.up_steps", 0, 1, LIN, "ReturnsLab only; judgement: the largest buildable run is the trend-sized run (fitted to the largest runs, A9) or twice it"),
    U("policy.lab.max_scale_up", 2, 10, LOG, "ReturnsLab only; C: Llama 2 to Llama 3.1 ~47x in about a year (~3.6x a run); GPT-3.5 to GPT-4 ~8x; judgement"),
    U("policy.lab.full_hiring_return", 1.5, 5.0, LOG, "ReturnsLab only; judgement: the expected return on a run at which a lab hires as fast as it can"),
    C("policy.hyperscaler", "structural: hyperscalers weigh make against buy (make_or_buy, A18) or all go all in on their own labs (all_in, A4, A5)"),
)

# Parameters deliberately not explored, with the reason.
RESOLUTION = "resolution: how finely the model is simulated, not an assumption about the world"
NOT_EXPLORED: dict[str, str] = {
    "horizon_months": RESOLUTION + " (how long; every outcome is read at the horizon)",
    "demand.n_customers": RESOLUTION,
    "talent.n_researchers": RESOLUTION,
    "entry.max_entrants": RESOLUTION + " (slots for founded labs; high entry rates fill them)",
    "scenario": "a label, not a parameter",
    "training.capability_per_decade": "the unit: a capability step is a decade of effective "
                                      "compute (A8); parameters per step would only rescale",
    "entry.rate_scale": "multiplies entry.rate_per_year, whose range covers both",
    "policy.lab.size_steps": "ReturnsLab's and ProfitLab's search, not an assumption about labs: 8 halvings "
                             "reach 1/256 of the trend-sized run, 2.4 steps below it, about "
                             "as far behind as investors fund at all (finance.max_fundable_gap "
                             "explored 0.75-2.5); more halvings add runs nobody would fund",
    "policy.hyperscaler.firms": "AllIn's list of who goes all in: the option all_in is all "
                                "three (A4, A5); a subset is a scenario of its own "
                                "(bigtech_all_in), not a range",
}


# ---- keys: what each one sets ----------------------------------------------------------------

POLICIES = ("policy.lab", "policy.hyperscaler")  # config groups policy/lab, policy/hyperscaler
# Per-name parameters that override the roster's values (an empty dict: the roster's).
ROSTER_DEFAULTS = {"demand.home_cloud_shares": roster.home_cloud_shares,
                   "strategy.initial_make_weight": roster.initial_make_weights}


@dataclass(frozen=True)
class Target:
    """What a key sets: `path` is the parameter of Params; `name` the entry of a per-name
    parameter ("element") or the field of a policy ("policy_param")."""

    key: str
    path: str
    kind: str  # "field", "element", "policy" or "policy_param"
    name: str | None = None


@functools.cache
def target(key: str) -> Target:
    """The parameter a key sets; ConfigError (one line naming the key) if none."""
    if key in POLICIES:
        return Target(key, key, "policy")
    try:
        allowed(key)
        return Target(key, key, "field")
    except ConfigError as err:
        parent, _, name = key.rpartition(".")
        if parent in POLICIES:
            if not any(name in _fields(cls) for cls in policy_classes(parent).values()):
                raise ConfigError(f"{key}: unknown key (parameters of {parent}'s options: "
                                  f"{', '.join(sorted(policy_fields(parent))) or 'none'})"
                                  ) from None
            return Target(key, parent, "policy_param", name)
        if not parent or not _is_parameter(parent) or not isinstance(_get(Params(), parent),
                                                                     dict):
            raise err from None
        names = list(defaults_by_name(parent))
        if name not in names:
            raise ConfigError(f"{key}: unknown name {name} (names: {', '.join(names)})") from None
        return Target(key, parent, "element", name)


def _is_parameter(path: str) -> bool:
    try:
        allowed(path)
    except ConfigError:
        return False
    return True


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def defaults_by_name(path: str) -> dict[str, Any]:
    """A per-name parameter's values at the defaults: the roster's, overridden by Params'."""
    given = dict(_get(Params(), path))
    return ROSTER_DEFAULTS[path](given) if path in ROSTER_DEFAULTS else given


@functools.cache
def policy_options(group: str) -> dict[str, dict]:
    """The options of a policy group, {name: its config} from configs/policy/<group>/, the
    default (Params' policy) first."""
    folder = CONFIG_DIR / "policy" / group.split(".")[1]
    found = {f.stem: yaml.safe_load(f.read_text()) for f in sorted(folder.glob("*.yaml"))}
    default = _get(Params(), group)["_target_"]
    return dict(sorted(found.items(), key=lambda kv: kv[1]["_target_"] != default))


def policy_classes(group: str) -> dict[str, type]:
    return {name: _class(spec) for name, spec in policy_options(group).items()}


def policy_fields(group: str) -> set[str]:
    return {f for cls in policy_classes(group).values() for f in _fields(cls)}


def _class(spec: dict) -> type:
    module, _, name = spec["_target_"].rpartition(".")
    return getattr(importlib.import_module(module), name)


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()


def validity(key: str) -> Range:
    """The values the model accepts at a key (`allowed`; for a per-name entry, each entry's;
    for a policy's field, the policy class's)."""
    t = target(key)
    if t.kind == "policy":
        return Range(choices=tuple(policy_options(key)))
    if t.kind == "policy_param":
        cls = next(c for c in policy_classes(t.path).values() if t.name in _fields(c))
        return allowed(t.name, schema=cls)
    return allowed(t.path)


def choices(key: str) -> tuple:
    """A categorical key's values: false/true for a switch, else its allowed choices."""
    if isinstance(default_value(key), bool):
        return (False, True)
    found = validity(key).choices
    if found is None:
        raise ConfigError(f"{key}: not a switch or a choice")
    return tuple(found)


def default_value(key: str) -> Any:
    """The value a key has at the defaults (a policy: its option's name)."""
    t = target(key)
    if t.kind == "policy":
        return next(iter(policy_options(key)))
    if t.kind == "policy_param":
        for spec in policy_options(t.path).values():
            if t.name in _fields(_class(spec)):
                if t.name in spec:
                    return spec[t.name]
                f = {f.name: f for f in dataclasses.fields(_class(spec))}[t.name]
                return f.default if f.default is not dataclasses.MISSING else f.default_factory()
    if t.kind == "element":
        return defaults_by_name(t.path)[t.name]
    return _get(Params(), key)


def parameter_keys() -> list[str]:
    """Every key there is to explore: each parameter of Params (a per-name one by name) and
    each policy group with the fields of its shipped options."""
    out = []

    def walk(obj: Any, prefix: str) -> None:
        for f in dataclasses.fields(obj):
            key, value = prefix + f.name, getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                walk(value, key + ".")
            elif key in POLICIES:
                out.append(key)
                out.extend(f"{key}.{name}" for name in sorted(policy_fields(key)))
            elif isinstance(value, dict):
                out.extend(f"{key}.{name}" for name in defaults_by_name(key))
            else:
                out.append(key)

    walk(Params(), "")
    return out


def declared() -> dict[str, Uncertainty | Categorical]:
    return {u.key: u for u in UNCERTAINTIES}


def is_integer(u: Uncertainty | Categorical) -> bool:
    d = default_value(u.key)
    return isinstance(d, int) and not isinstance(d, bool) and not isinstance(u, Categorical)


def default(u: Uncertainty | Categorical) -> Any:
    return default_value(u.key)


# ---- values: the unit interval onto ranges, and values into a config --------------------------

def value_of(u: Uncertainty | Categorical, x: float) -> Any:
    """The parameter value at x in [0, 1] (a design's unit coordinate)."""
    x = min(max(float(x), 0.0), 1.0)
    if isinstance(u, Categorical):
        options = u.choices
        return options[min(int(x * len(options)), len(options) - 1)]
    if is_integer(u):  # every integer in [low, high] equally likely
        lo, hi = int(round(u.low)), int(round(u.high))
        if u.scale == LOG:
            return int(min(max(round(math.exp(_lerp(math.log(lo), math.log(hi), x))), lo), hi))
        return int(min(lo + math.floor(x * (hi - lo + 1)), hi))
    if x in (0.0, 1.0):  # the ends exactly (Morris levels reach them)
        return u.low if x == 0.0 else u.high
    if u.scale == LOG:
        return float(min(max(math.exp(_lerp(math.log(u.low), math.log(u.high), x)), u.low),
                         u.high))
    return float(min(max(_lerp(u.low, u.high, x), u.low), u.high))


def _lerp(a: float, b: float, x: float) -> float:
    return a + (b - a) * x


def unit_values(u: Uncertainty | Categorical, xs: np.ndarray) -> list:
    return [value_of(u, x) for x in xs]


def to_config(values: dict[str, Any]) -> dict:
    """A nested config for `sim.config.to_params` from {key: value} (any keys of this module:
    whole parameters, per-name entries, a policy by its option's name, a policy's fields).
    Per-name entries are merged into their parameter (as given, else its default); a policy's fields go into the chosen
    policy when it has them, and are dropped when it has not."""
    nested: dict = {}
    entries: dict[str, dict] = {}
    policies: dict[str, Any] = {}
    policy_params: dict[str, dict] = {}
    for key, value in values.items():
        t = target(key)
        if t.kind == "element":
            entries.setdefault(t.path, {})[t.name] = value
        elif t.kind == "policy":
            policies[t.path] = value
        elif t.kind == "policy_param":
            policy_params.setdefault(t.path, {})[t.name] = value
        else:
            _put(nested, key, value)
    for path, given in entries.items():  # on the whole parameter given, else its default
        whole = _lookup(nested, path)
        _put(nested, path, {**(whole if isinstance(whole, dict) else _get(Params(), path)),
                            **given})
    for path in [g for g in POLICIES if g in policies or g in policy_params]:
        choice = policies.get(path, _get(Params(), path))
        if isinstance(choice, str):
            options = policy_options(path)
            if choice not in options:
                raise ConfigError(f"{path}={choice}: allowed {', '.join(options)}")
            choice = options[choice]
        spec = dict(choice)
        fields = _fields(_class(spec))
        spec.update({k: v for k, v in policy_params.get(path, {}).items() if k in fields})
        _put(nested, path, spec)
    return nested


def in_effect(key: str, policy: Any) -> bool:
    """Whether a policy's field is used when its group is `policy` (an option's name or a
    config with `_target_`)."""
    t = target(key)
    spec = policy_options(t.path)[policy] if isinstance(policy, str) else policy
    return t.name in _fields(_class(spec))


def _put(nested: dict, path: str, value: Any) -> None:
    *sections, name = path.split(".")
    node = nested
    for s in sections:
        node = node.setdefault(s, {})
    node[name] = value


def _lookup(nested: dict, path: str) -> Any:
    node: Any = nested
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def describe(u: Uncertainty | Categorical) -> tuple[str, str, str, str]:
    """(default, range, scale, reason) as text, for `aisim explore --list`."""
    d = default(u)
    if isinstance(u, Categorical):
        return (_fmt(d), " | ".join(_fmt(c) for c in u.choices), "categorical", u.reason)
    integer = is_integer(u)
    rng = f"[{_fmt(u.low, integer)}, {_fmt(u.high, integer)}]"
    return (_fmt(d, integer), rng, u.scale + (", integer" if integer else ""), u.reason)


def _fmt(v: Any, integer: bool = False) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, str):
        return v
    if integer:
        return str(int(round(v)))
    return f"{v:.4g}"
