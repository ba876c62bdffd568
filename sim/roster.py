"""The firms of the 2024 baseline and their state at 2024-01, each number with its source.

C: = `shared/source/calibration.md`; CSV: = `shared/source/frontier_models_to_2023.csv`
(Epoch AI, CC BY 4.0); A: = claim ids. Months are relative to 2024-01 (month 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a firm is; the value is what the tables show."""

    HYPERSCALER = "hyperscaler"
    INDEPENDENT = "independent_lab"
    INHOUSE = "inhouse_lab"
    OPEN_WEIGHTS = "open_weights"


# Month 0 of a run.
START_YEAR = 2024
START_DATE = f"{START_YEAR}-01-01"


# Years at whose start summaries and reports name the leader (A30: who leads in 2026, 2030,
# 2034): "leader in Y" is the leader in the last month of Y-1.
SUMMARY_YEARS = (2026, 2030, 2034)


def month_of(year: int) -> int:
    """The month index of January of `year`."""
    return (year - START_YEAR) * 12


@dataclass(frozen=True)
class HyperscalerSpec:
    name: str
    cash_usd: float
    other_cash_flow_usd_per_year: float
    # Share of frontier effort in-house at the start (`strategy.initial_make_weight`
    # overrides it by name).
    initial_make_weight: float
    # Share of customers whose home cloud this is (`demand.home_cloud_shares` overrides it by
    # name); customers whose home is none of the hyperscalers buy elsewhere.
    home_cloud_share: float


@dataclass(frozen=True)
class Model:
    """A trained model: its compute, the month training ended, and its release month."""

    train_flop: float
    trained_month: int
    release_month: int


@dataclass(frozen=True)
class LabSpec:
    name: str
    kind: Kind
    owner: str = ""  # controlling hyperscaler (in-house labs)
    partners: tuple[str, ...] = ()  # hyperscalers with access deals, primary cloud first
    # Right on the lab's compute by partner (sim/markets/deals.py): "exclusive" (it buys only
    # there; consolidated with the partner in ownership HHI) or "rofr" (first refusal: the
    # partner supplies what it can, the rest may be bought elsewhere). Partners not named
    # have access and a revenue share only.
    compute_rights: dict = field(default_factory=dict)
    cash_usd: float = 0.0
    stakes: dict = field(default_factory=dict)  # investor -> equity share
    obligations_usd: dict = field(default_factory=dict)  # hyperscaler -> unspent cloud credit
    researcher_share: float = 0.0  # share of researchers employed at 2024-01
    skill_shift: float = 0.0  # log-skill shift of its researchers (A28)
    models: tuple[Model, ...] = ()  # released or scheduled before the run starts
    ambition: float = 1.0  # target run size as a multiple of the trend (open: a parameter)
    initial_share: float = 0.0  # share of customers' spending at 2024-01


# Order matters: it is the order of customers' home clouds and of every per-cloud loop.
# Cash and securities end-2023 and operating cash flow 2023, rounded (company reports,
# second-hand): the AI business is funded from these; the cash flow grows from 2024 at
# `money.other_cash_flow_growth_per_year`.
# Initial make weights: Microsoft and Amazon mostly partnered (A1, A2) with in-house
# programmes begun (A4, A5); Google builds (A13). Assumption.
# Home-cloud shares: Amazon 31 %, Microsoft 24 %, Google 11 % of cloud infrastructure, the
# rest elsewhere (A24; C: Synergy Research Q1 2024).
HYPERSCALERS = (
    HyperscalerSpec("Microsoft", cash_usd=8.0e10, other_cash_flow_usd_per_year=1.1e11,
                    initial_make_weight=0.2, home_cloud_share=0.24),
    HyperscalerSpec("Amazon", cash_usd=8.6e10, other_cash_flow_usd_per_year=8.5e10,
                    initial_make_weight=0.3, home_cloud_share=0.31),
    HyperscalerSpec("Google", cash_usd=1.1e11, other_cash_flow_usd_per_year=1.0e11,
                    initial_make_weight=0.9, home_cloud_share=0.11),
)



def home_cloud_shares(overrides: dict[str, float]) -> dict[str, float]:
    """Customers' home-cloud shares by hyperscaler: the roster's, overridden by name."""
    return {h.name: overrides.get(h.name, h.home_cloud_share) for h in HYPERSCALERS}


def initial_make_weights(overrides: dict[str, float]) -> dict[str, float]:
    """Starting make weights by hyperscaler: the roster's, overridden by name."""
    return {h.name: overrides.get(h.name, h.initial_make_weight) for h in HYPERSCALERS}


# Meta has no public cloud (A15): its lab is funded from this operating cash flow (2023,
# second-hand, rounded), growing as the hyperscalers' (`money.other_cash_flow_growth_per_year`).
META_CASH_FLOW_USD_PER_YEAR = 7.1e10

LABS = (
    LabSpec(
        "OpenAI", Kind.INDEPENDENT, partners=("Microsoft",),
        # Compute supplied on Azure (A1; C), exclusively (C: FTC 6(b): "exclusivity").
        compute_rights={"Microsoft": "exclusive"},
        # Cash at 2024-01: assumption (after the $10B Jan-2023 round, A1, much of it in Azure).
        cash_usd=5e9,
        # Microsoft's ~49 % profit share (second-hand) standing in for equity (A1).
        stakes={"Microsoft": 0.49},
        # Unspent Azure credit from the $13B (A1): assumption.
        obligations_usd={"Microsoft": 3e9},
        researcher_share=0.18, skill_shift=0.3,
        # ~$1.6B annualised early 2024 (C) of ~$3B spent on models (assumption).
        initial_share=0.55,
        # GPT-4 2.1e25 FLOP, trained by Aug 2022 (CSV, A11, A21); GPT-4 Turbo (Nov 2023)
        # counted as the same compute post-trained to Oct 2023 (assumption).
        models=(
            Model(2.1e25, trained_month=-3, release_month=-2),
            # GPT-4o, released May 2024 (public record); trained before the model's first
            # own run ends. Compute not public: assumption 4e25 (GPT-4 class, ~2x).
            Model(4e25, trained_month=1, release_month=4),
        ),
    ),
    LabSpec(
        "Anthropic", Kind.INDEPENDENT, partners=("Amazon", "Google"),
        # AWS "primary cloud and training partner", Amazon a minority holder (C24 section 3):
        # first refusal, not exclusivity; Google has access and a revenue share (C).
        compute_rights={"Amazon": "rofr"},
        cash_usd=2e9,  # assumption
        # Amazon $1.25B (Sep 2023) and Google ~$2B (2023) at ~$18-20B valuations (C; second-hand);
        # Salesforce a small holder (A3). Shares: assumption.
        stakes={"Amazon": 0.07, "Google": 0.10, "Salesforce": 0.01},
        obligations_usd={"Amazon": 1e9, "Google": 1e9},  # assumption
        researcher_share=0.10, skill_shift=0.3,
        initial_share=0.05,  # assumption (~$0.1-0.2B annualised at end-2023, second-hand)
        models=(
            # Claude 2: 3.9e24 FLOP, July 2023 (CSV).
            Model(3.9e24, trained_month=-8, release_month=-6),
            # Claude 3 Opus, released Mar 2024 (A14); compute not public: GPT-4 class
            # (assumption).
            Model(2.5e25, trained_month=-2, release_month=2),
            # Claude 3.5 Sonnet, released June 2024 (public record); compute not public:
            # assumption 4e25, as GPT-4o.
            Model(4e25, trained_month=2, release_month=5),
        ),
    ),
    LabSpec(
        "Google DeepMind", Kind.INHOUSE, owner="Google", partners=("Google",),
        researcher_share=0.30,
        initial_share=0.15,  # assumption
        # Gemini 1.0 Ultra: 5e25 FLOP, Dec 2023 (CSV, A14).
        models=(Model(5e25, trained_month=-3, release_month=-1),),
    ),
    LabSpec(
        "Microsoft AI", Kind.INHOUSE, owner="Microsoft", partners=("Microsoft",),
        researcher_share=0.07,
        initial_share=0.02,  # assumption
        # Microsoft's own models were small before MAI-1 (A5): assumption 1e24 FLOP.
        models=(Model(1e24, trained_month=-6, release_month=-4),),
    ),
    LabSpec(
        "Amazon AGI", Kind.INHOUSE, owner="Amazon", partners=("Amazon",),
        researcher_share=0.07,
        initial_share=0.03,  # assumption
        # Amazon Titan: 4.8e24 FLOP, Sep 2023 (CSV).
        models=(Model(4.8e24, trained_month=-6, release_month=-4),),
    ),
    LabSpec(
        "Meta", Kind.OPEN_WEIGHTS,
        researcher_share=0.18,
        initial_share=0.20,  # Llama served by clouds: assumption
        # Run size: training.open_weights_ambition (A20).
        models=(
            # Llama 2 70B: 8.1e23 FLOP, July 2023 (CSV).
            Model(8.1e23, trained_month=-8, release_month=-6),
            # Llama 3.1 405B: 3.8e25 FLOP (C, second-hand), released July 2024; trained by
            # early 2024 (assumption).
            Model(3.8e25, trained_month=0, release_month=6),
        ),
    ),
)

# The share of researchers outside the frontier firms (academia, smaller labs) is the rest.

# Strategic investments in the run's first year, from the public record (C: Amazon's second
# $2.75B tranche, Mar 2024; a further $4B, Nov 2024). The article's own figure for the
# Anthropic deals is "$100-500M from each" (A2): `finance.deal_figures: article` drops these
# tranches and caps Anthropic's opening cloud-spend obligations at ARTICLE_ANTHROPIC_DEAL_USD
# per cloud (stakes stay as above). (investor, lab, month, amount_usd)
SCHEDULED_DEALS = (
    ("Amazon", "Anthropic", 2, 2.75e9),
    ("Amazon", "Anthropic", 10, 4.0e9),
)

# The article's figure (A2), midpoint of "$100-500M" from each of Amazon and Google.
ARTICLE_ANTHROPIC_DEAL_USD = 3e8



@dataclass(frozen=True)
class InvestorSpec:
    """A pool of outside capital. Its 2024 size, friction and discount are scenario knobs:
    the names of parameters, `finance.*` unless dotted (`money.growth_pool_usd_per_year`;
    empty: none). After the first simulated year the pool follows investors' appetite (`money.*`)."""

    name: str
    pool_param: str
    fail_prob_param: str = ""
    discount_param: str = ""
    max_share_of_raise: float = 1.0  # most of one raise it takes
    funds_startups: bool = False  # leads first rounds of labs founded in the run
    late_stage: bool = False  # funds only labs with sales (growth investors)


# Non-hyperscaler investors (A3, A22, A23; C24 section 2). A raising lab asks its partner
# clouds first, then these, the one offering most first (it leads the round); on a tie, in
# this order.
INVESTORS = (
    InvestorSpec("US private capital", "us_capital_pool_usd_per_year", funds_startups=True),
    # A small co-investor (A3); its share of a raise: assumption.
    InvestorSpec("Salesforce", "strategic_pool_usd_per_year", max_share_of_raise=0.1),
    InvestorSpec("Sovereign funds", "sovereign_pool_usd_per_year",
                 fail_prob_param="sovereign_fail_prob", discount_param="sovereign_discount",
                 funds_startups=True),
    # Crossover and growth funds (Thrive, Fidelity, Altimeter, Tiger Global, BlackRock; C24
    # section 2): late-stage rounds only.
    InvestorSpec("Growth funds", "money.growth_pool_usd_per_year", late_stage=True),
    # Chip vendors investing in customers (Nvidia, AMD; C24 sections 2, 5): small shares of
    # rounds of labs with sales (Nvidia's ~$100M of OpenAI's $6.6B; share: assumption).
    InvestorSpec("Chip vendors", "money.chip_vendor_pool_usd_per_year",
                 max_share_of_raise=0.1, late_stage=True),
)
US_CAPITAL = INVESTORS[0].name  # the pool reported as `us_capital_left_usd`


# Founder types of labs founded during the run (entry.enabled; docs/model.md 3.3.7). Counted
# from the record to the end of 2024: the start-ups whose first model within 10x of the
# trend-sized frontier run of its month came out in 2023-24 (CSV, frontier_models_to_2023.csv
# and frontier_models_2024.csv) are four, one of each type: xAI (Grok-1.5, Grok-2), Inflection
# AI (Inflection-2, -2.5), Mistral AI (Mistral Large, Large 2, Mixtral) and Reka AI (Reka
# Core). Their numbers (capital, reputation, team, ambition) are `entry.type_*` parameters
# keyed by these names; what they are is here.
class EntrantType(StrEnum):
    # A founder who brings billions and a cluster of its own: xAI raised $6B at $24B in May
    # 2024 and $6B more in December (C24 section 2) and built Colossus, 100,000 H100 (C24
    # section 6). Trains at cost on its own cluster and serves outside the three clouds.
    FOUNDER_CAPITAL = "founder_capital"
    # A team backed by a cloud: Inflection AI, with Microsoft among its investors, licensed
    # to and staffed Microsoft AI in 2024 (C24 section 3). A hyperscaler leads its rounds.
    CLOUD_SPINOUT = "cloud_spinout"
    # An open-weights lab: Mistral AI (Mixtral 8x22B, Mistral Large 2 open; CSV 2024).
    OPEN_WEIGHTS = "open_weights"
    # A small team of star researchers with small capital, raising on reputation: Reka AI
    # (ex-DeepMind founders, Reka Core 8.4e24 FLOP; CSV 2024).
    STAR_TEAM = "star_team"


ENTRANT_TYPES = tuple(t.value for t in EntrantType)


@dataclass(frozen=True)
class EntrantTraits:
    """What a founder type is, as opposed to how much (the `entry.type_*` numbers)."""

    own_cluster: bool = False  # trains on its own cluster, at cost (and outside the three)
    cloud_partner: bool = False  # a hyperscaler leads its first round and becomes its partner
    open_weights: bool = False  # publishes its weights


ENTRANT_TRAITS = {
    EntrantType.FOUNDER_CAPITAL: EntrantTraits(own_cluster=True),
    EntrantType.CLOUD_SPINOUT: EntrantTraits(cloud_partner=True),
    EntrantType.OPEN_WEIGHTS: EntrantTraits(open_weights=True),
    EntrantType.STAR_TEAM: EntrantTraits(),
}


def entrant_spec(number: int) -> LabSpec:
    """A slot for a lab founded during the run (entry.enabled): no cash, staff or model until
    it is founded."""
    return LabSpec(f"Entrant {number}", Kind.INDEPENDENT)
