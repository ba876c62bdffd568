"""Entry, acqui-hires and acquisitions (issue #7; A12, A13, A22, A31): each mechanism in
isolation, determinism, and the fixed roster unchanged when entry is off."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim import roster
from sim.mechanisms.finance import OUTSIDE_INVESTORS
from sim.model import AIIndustry

ABUNDANT = {"us_capital_pool_usd_per_year": 1e12, "sovereign_fail_prob": 0.0}
EXHAUSTED = {"us_capital_pool_usd_per_year": 0.0, "sovereign_pool_usd_per_year": 0.0}


def only(kind: str) -> dict[str, float]:
    """entry.type_probs drawing one founder type."""
    return {t: float(t == kind) for t in roster.ENTRANT_TYPES}



def test_abundant_capital_brings_entrants_with_star_founders(small):
    model = AIIndustry(small(entry={"enabled": True, "rate_per_year": 12.0},
                             finance=ABUNDANT), seed=0)
    record_founding_team(model)
    mean_skill = model.talent.researchers.skill.mean()
    while model.roster.entrants == 0:  # to the first founding: its team is the founders
        model.step()
    first = next(lab for lab in model.labs if lab.founded_month >= 0)
    founders = np.flatnonzero(model.talent.researchers.employer == first.slot)
    # Founders are drawn with weight skill^2: on average far above the mean researcher.
    assert founders.size and model.talent.researchers.skill[founders].mean() > 1.2 * mean_skill
    model.run()
    founded = [lab for lab in model.labs if lab.founded_month >= 0]
    assert len(founded) >= 3 and model.roster.entrants == len(founded)
    assert model.recorder.firm["raised_usd"][first.founded_month, first.index] > 0
    e = model.p.entry
    team = round(e.team_share * e.type_team_multiple[first.entrant_type]
                 * model.p.talent.n_researchers)
    assert model.founding_team[first.name] == team
    assert model.recorder.industry["entrants"][-1] == len(founded)


def test_no_entrants_when_capital_is_exhausted(small):
    params = small(entry={"enabled": True, "rate_per_year": 100.0}, finance=EXHAUSTED,
                   strategy={"partnerships": False})
    model = AIIndustry(params, seed=0)
    model.run()
    assert model.roster.entrants == 0
    assert all(lab.dormant for lab in model.labs if lab.name.startswith("Entrant"))


def test_acquihire_moves_researchers_and_skill_and_closes_the_lab(small):
    # OpenAI trails Gemini Ultra at 2024-01, so with acquire_max_gap 0 its buyer takes the
    # people, not the company. Microsoft (its largest shareholder) buys.
    model = AIIndustry(small(entry={"enabled": True, "acquire_max_gap": 0.0}), seed=0)
    openai, msft_ai = model.lab("OpenAI"), model.lab("Microsoft AI")
    staff = model.talent.researchers.employer == openai.slot
    skill = model.talent.researchers.skill[staff].sum()
    before = model.talent.researchers.talent(1.0)[msft_ai.slot]
    paid = model.ledger.cash["Microsoft"]
    model.roster.fail(openai)
    assert not openai.alive and openai.exit_kind == "acqui-hired" and not openai.sells
    assert np.all(model.talent.researchers.employer[staff] == msft_ai.slot)
    assert model.talent.researchers.talent(1.0)[msft_ai.slot] == pytest.approx(before + skill)
    assert model.ledger.cash["Microsoft"] < paid  # the buyer paid
    model.run()
    # Its models (frontier and cheap tier) are no longer sold.
    assert not np.isin(model.customers.choice, [openai.slot, openai.slot + len(model.labs)]).any()


def test_acquisition_turns_a_frontier_lab_into_an_inhouse_lab(small):
    model = AIIndustry(small(entry={"enabled": True, "acquire_max_gap": 5.0}), seed=0)
    anthropic = model.lab("Anthropic")
    model.roster.fail(anthropic)
    assert anthropic.alive and anthropic.exit_kind == "acquired"
    assert anthropic.kind == "inhouse_lab" and anthropic.owner in ("Amazon", "Google")
    model.run()
    firms, _ = model.recorder.frames()
    rows = firms[firms.firm == "Anthropic"]
    assert set(rows.kind) == {"inhouse_lab"}  # from the month it was bought
    assert rows.cash_usd.iloc[-1] == 0.0  # in-house labs' cash returns to the owner
    assert rows.capability.iloc[-1] >= rows.capability.iloc[0]  # the owner keeps training it


def test_merger_control_closes_failing_labs_instead(small):
    model = AIIndustry(small(entry={"enabled": True, "merger_control": True}), seed=0)
    openai = model.lab("OpenAI")
    cash = {h.name: model.ledger.cash[h.name] for h in model.hyperscalers}
    model.roster.fail(openai)
    assert openai.exit_kind == "closed" and not openai.alive
    assert np.all(model.talent.researchers.employer != openai.slot)
    assert {h.name: model.ledger.cash[h.name] for h in model.hyperscalers} == cash


def test_a_failing_lab_is_bought_in_a_run(small):
    """In a run: a lab that cannot pay its staff is acqui-hired or acquired, not closed."""
    params = small(entry={"enabled": True}, strategy={"partnerships": False},
                   finance={**EXHAUSTED, "strategic_pool_usd_per_year": 0.0},
                   money={"growth_pool_usd_per_year": 0.0, "chip_vendor_pool_usd_per_year": 0.0})
    model = AIIndustry(params, seed=0)
    # Left with less than a month of salaries and nobody to raise from.
    model.ledger.pay("OpenAI", OUTSIDE_INVESTORS, model.lab("OpenAI").cash - 1e7, "test")
    model.run()
    openai = model.lab("OpenAI")
    assert openai.exit_month == 0
    assert openai.exit_kind in ("acqui-hired", "acquired")
    counts = {k: sum(lab.exit_kind == k for lab in model.labs)
              for k in ("closed", "acqui-hired", "acquired")}
    assert counts["closed"] == 0 and counts["acqui-hired"] + counts["acquired"] >= 1


def run_with_entrants(small, seed: int, **entry) -> tuple[AIIndustry, list]:
    """A short run with abundant capital and a founding a month or so; the labs founded."""
    model = AIIndustry(small(entry={"enabled": True, "rate_per_year": 12.0, **entry},
                             finance=ABUNDANT), seed=seed)
    model.run()
    return model, [lab for lab in model.labs if lab.founded_month >= 0]


def test_open_entrants_publish_weights(small):
    model, founded = run_with_entrants(small, 3, type_probs=only("open_weights"))
    assert founded and all(lab.open_weights and lab.publishes_weights for lab in founded)
    assert all(model.products.carries(h, founded[0]) for h in model.hyperscalers)


def test_entry_disabled_leaves_the_fixed_roster_unchanged(small):
    base = sim.simulate(small(entry={"enabled": False}), seed=5)
    off = sim.simulate(small(entry={"enabled": False, "rate_scale": 50.0, "merger_control": True,
                                    "type_probs": only("star_team"), "other_cloud_prob": 1.0,
                                    "talent_buy_prob": 1.0}), seed=5)
    pd.testing.assert_frame_equal(base.firms, off.firms)
    pd.testing.assert_frame_equal(base.industry, off.industry)
    assert set(base.firms.firm) == {"Microsoft", "Amazon", "Google", "OpenAI", "Anthropic",
                                    "Google DeepMind", "Microsoft AI", "Amazon AGI", "Meta"}
    assert (base.firms.founded_month == -1).all() and (base.firms.exit_kind == "").all()


def test_entry_is_deterministic_and_rows_start_at_founding(small):
    params = small(entry={"enabled": True, "rate_per_year": 12.0}, finance=ABUNDANT)
    a, b = sim.simulate(params, seed=2), sim.simulate(params, seed=2)
    pd.testing.assert_frame_equal(a.firms, b.firms)
    assert a.summary == b.summary and a.summary["entrants"] > 0
    entrants = a.firms[a.firms.founded_month >= 0]
    assert (entrants.month >= entrants.founded_month).all()
    assert entrants.groupby("firm").month.min().eq(entrants.groupby("firm").founded_month.first()).all()


def test_an_entrant_on_other_clouds_takes_no_hyperscaler_money_and_rents_outside(small):
    model, founded = run_with_entrants(small, 1, other_cloud_prob=1.0,
                                       type_probs=only("star_team"))
    params = model.p
    assert founded and all(lab.other_cloud for lab in founded)
    clouds = {h.name for h in model.hyperscalers}
    assert all(not lab.partners and not clouds & set(lab.stakes) for lab in founded)
    firms, industry = model.recorder.frames()
    rows = firms[firms.firm.isin([lab.name for lab in founded])]
    assert rows.other_cloud.all() and rows.compute_bought_flop.sum() > 0
    rented = industry.other_clouds_ai_revenue_usd
    assert rented.sum() > 0
    # The three clouds' whole-market shares leave room for the clouds the entrants rent from.
    month = int(rented.idxmax())
    three = firms[(firms.month == month) & firms.firm.isin(clouds)].cloud_share.sum()
    others = 1.0 - sum(roster.home_cloud_shares(params.demand.home_cloud_shares).values())
    assert three < 1.0 - others * 0.5
    # Sellers' and buyers' sides of the compute market still agree.
    np.testing.assert_allclose(industry.compute_sold_flop, industry.compute_bought_flop,
                               rtol=1e-9)


def test_a_hyperscaler_hires_away_a_lab_worth_less_than_its_people(small):
    """Microsoft/Inflection: at a review, a hyperscaler building its own models pays more
    than a small lab is worth and takes its researchers; a valuable lab is not for sale."""
    model = AIIndustry(small(entry={"enabled": True, "talent_buy_prob": 1.0}), seed=0)
    for h in model.hyperscalers:
        h.make_weight = 1.0
    anthropic, openai = model.lab("Anthropic"), model.lab("OpenAI")
    model.ledger.pay("Anthropic", OUTSIDE_INVESTORS, anthropic.cash - 1e6, "test")
    real_valuation = model.capital.valuation
    model.capital.valuation = lambda lab: 0.0 if lab is anthropic else real_valuation(lab)
    staff = model.talent.researchers.employer == anthropic.slot
    price = model.roster.acquihire_price(anthropic)
    cash = {h.name: model.ledger.cash[h.name] for h in model.hyperscalers}
    model.roster.buy_talent()
    assert anthropic.exit_kind == "acqui-hired" and not anthropic.alive
    assert openai.alive and openai.exit_kind == ""  # worth far more than its people
    buyer = next(h for h in model.hyperscalers if model.ledger.cash[h.name] < cash[h.name])
    assert cash[buyer.name] - model.ledger.cash[buyer.name] == pytest.approx(price)
    own = {lab.slot for lab in model.inhouse_labs(buyer)}
    assert set(model.talent.researchers.employer[staff]) <= own


def test_merger_control_blocks_hiring_away_a_lab(small):
    model = AIIndustry(small(entry={"enabled": True, "talent_buy_prob": 1.0,
                                    "merger_control": True}), seed=0)
    for h in model.hyperscalers:
        h.make_weight = 1.0
    model.capital.valuation = lambda lab: 0.0
    model.roster.buy_talent()
    assert all(lab.exit_kind == "" for lab in model.labs)


def test_a_young_lab_raises_on_its_team_before_its_first_model(small):
    model = AIIndustry(small(entry={"enabled": True, "rate_per_year": 100.0},
                             finance=ABUNDANT), seed=0)
    model.step()  # 100 a year: a founding attempt every month
    lab = next(x for x in model.labs if x.founded_month == 0)
    assert not lab.sells and lab.invested_total > 0
    model.ledger.pay(lab.name, OUTSIDE_INVESTORS, lab.cash - 1e6, "test")
    before = lab.invested_total
    model.capital.raise_rounds()
    assert lab.invested_total > before and lab.cash > 1e6


# ---------------------------------------------------------------- founder types (issue #16)
def first_founding(small, kind: str, seed: int = 0, **sections) -> tuple[AIIndustry, object]:
    """A model stepped to its first founding of type `kind` (abundant capital)."""
    entry = {"enabled": True, "rate_per_year": 100.0, "type_probs": only(kind),
             **sections.pop("entry", {})}
    model = AIIndustry(small(entry=entry, finance={**ABUNDANT, **sections.pop("finance", {})},
                             **sections), seed=seed)
    record_founding_team(model)
    while model.roster.entrants == 0:
        model.step()
    return model, next(lab for lab in model.labs if lab.founded_month >= 0)


def record_founding_team(model) -> None:
    """Keep each founded lab's headcount right after its founding in `model.founding_team`
    (the month's talent market moves people before the month is recorded)."""
    found, model.founding_team = model.roster._found, {}

    def spy(lab, *args):
        found(lab, *args)
        model.founding_team[lab.name] = int(model.talent.heads[lab.slot])

    model.roster._found = spy


def test_types_are_drawn_with_their_probabilities(small):
    model = AIIndustry(small(entry={"enabled": True, "type_probs": {
        "founder_capital": 0.1, "cloud_spinout": 0.2, "open_weights": 0.3, "star_team": 0.4}}),
        seed=0)
    draws = [model.roster.draw_type() for _ in range(4000)]
    shares = {t: draws.count(t) / len(draws) for t in roster.ENTRANT_TYPES}
    assert shares == pytest.approx({"founder_capital": 0.1, "cloud_spinout": 0.2,
                                    "open_weights": 0.3, "star_team": 0.4}, abs=0.03)


@pytest.mark.parametrize("kind", roster.ENTRANT_TYPES)
def test_each_founder_type_gets_its_capital_team_and_compute(small, kind):
    model, lab = first_founding(small, kind)
    e, tr = model.p.entry, model.p.training
    traits = roster.ENTRANT_TRAITS[kind]
    month = lab.founded_month
    run_cost = (1.0 + tr.research_compute_multiple) * model.trend_flop(month) * \
        model.recorder.firm["price_usd_per_flop"][month, :3].mean()
    # The first round: the type's trend-sized runs' cost, every dollar of it committed.
    assert lab.invested_total == pytest.approx(e.type_round_runs[kind] * run_cost, rel=1e-6)
    # Sold at the type's reputation: outside holders own round / (round + pre-money) or a
    # little more (a sovereign tranche comes at a discount).
    outside = sum(lab.stakes.values())
    floor = 1.0 / (1.0 + e.type_pre_money_multiple[kind])
    assert floor * (1 - 1e-9) <= outside <= floor * 1.35
    team = round(e.team_share * e.type_team_multiple[kind] * model.p.talent.n_researchers)
    assert model.founding_team[lab.name] == team
    assert lab.entrant_type == kind and lab.ambition == e.type_ambition[kind]
    assert lab.own_cluster == traits.own_cluster and lab.publishes_weights == traits.open_weights
    if traits.own_cluster:  # its own cluster: compute at cost, outside the three clouds
        assert lab.other_cloud and not lab.partners
        assert model.compute.run_price(lab) == model.compute.replacement_cost
        assert model.compute.run_price(lab) < model.compute.market_price()
    if traits.cloud_partner:  # a cloud leads: its partner, with a stake
        assert lab.partners and lab.partners[0] in lab.stakes and not lab.other_cloud
    firms, _ = model.recorder.frames()
    assert set(firms[firms.firm == lab.name].entrant_type) == {kind}


def test_star_founders_are_drawn_harder_from_the_top(small):
    skills = {}
    for kind in ("star_team", "cloud_spinout"):
        model, lab = first_founding(small, kind, seed=3)
        r = model.talent.researchers
        skills[kind] = r.skill[r.employer == lab.slot].mean()
    assert skills["star_team"] > skills["cloud_spinout"]


def test_own_cluster_pays_chip_vendors_at_cost(small):
    model, lab = first_founding(small, "founder_capital")
    paid, pay = [], model.ledger.pay
    model.ledger.pay = lambda payer, payee, amount, tag: (
        paid.append((payer, payee, tag)) or pay(payer, payee, amount, tag))
    model.step()
    # Its compute: bought at cost from chip vendors, none rented from any cloud.
    assert lab.run_target_flop > 0 and lab.name not in model.compute.other_clouds_flop
    assert (lab.name, "chip_vendors", "self_compute") in paid
    assert not [p for p in paid if p[0] == lab.name and p[2] == "compute"]


def test_entrants_runs_go_through_the_lab_policy(small):
    """The lab policy plans an entrant's runs (no rule of its own in the roster): what the
    policy answers is the run the entrant trains, and RacingLab reads its type's ambition."""
    model = AIIndustry(small(entry={"enabled": True, "rate_per_year": 100.0},
                             finance=ABUNDANT), seed=1)
    policy = model.labs[0].policy
    plans, real = {}, policy.plan_run

    def spy(lab, view):
        plans[lab.name] = plan = real(lab, view)
        return plan

    policy.plan_run = spy
    for _ in range(8):
        model.step()
    entrants = [lab for lab in model.labs if lab.founded_month >= 0 and lab.alive]
    assert entrants
    for lab in entrants:
        assert lab.name in plans and lab.run_target_flop == plans[lab.name].target_flop
        # RacingLab: the type's ambition x the trend, unless the budget binds.
        assert plans[lab.name].target_flop <= lab.ambition * model.trend_flop(lab.run_start) \
            * (1 + 1e-9)


def test_no_lab_is_founded_without_its_round(small):
    """A founding whose investors fall through does not happen (before: a lab with no money
    that failed in its founding month)."""
    params = small(entry={"enabled": True, "rate_per_year": 100.0},
                   strategy={"partnerships": False},
                   finance={"us_capital_pool_usd_per_year": 0.0, "sovereign_fail_prob": 1.0})
    model = AIIndustry(params, seed=0)
    model.run()
    assert model.roster.entrants == 0


def test_a_young_lab_is_priced_on_reputation_until_reputation_months(small):
    model, lab = first_founding(small, "star_team", entry={"reputation_months": 12.0})
    pre = model.roster.reputation[lab.name]
    assert pre == pytest.approx(model.p.entry.type_pre_money_multiple["star_team"]
                                * lab.invested_total)
    assert model.roster.reputation_value(lab) == pytest.approx(pre + lab.invested_total)
    model.month = lab.founded_month + 12
    assert model.roster.reputation_value(lab) == 0.0
    # A young lab far behind the frontier still raises, at least at its reputation.
    model.month = lab.founded_month + 6
    lab.capability = model.frontier()[0] - 10.0  # far beyond finance.max_fundable_gap
    model.ledger.pay(lab.name, OUTSIDE_INVESTORS, lab.cash - 1e6, "test")
    before = lab.invested_total
    model.capital.raise_rounds()
    assert lab.invested_total > before
    # Past its reputation months it is priced on revenue: nobody funds it this far behind.
    model.month = lab.founded_month + 12
    model.ledger.pay(lab.name, OUTSIDE_INVESTORS, lab.cash - 1e6, "test")
    before = lab.invested_total
    model.capital.raise_rounds()
    assert lab.invested_total == before


def test_a_well_funded_entrant_outlives_two_years(small):
    """A founder with capital (xAI-like: ten trend-sized runs at 3x pre-money, its own
    cluster) founded in 2024 is still independent and selling after two years."""
    model, lab = first_founding(small, "founder_capital", horizon_months=40)
    assert lab.founded_month <= 2
    model.run()
    assert lab.alive and lab.independent and lab.sells and lab.exit_kind == ""
    assert model.month - lab.founded_month > 24


@pytest.mark.slow
def test_baseline_median_entrant_lives_longer_than_two_years():
    lives = []
    for seed in range(5):
        firms = sim.simulate(seed=seed).firms
        last = firms.groupby("firm", observed=True).last()
        for _, row in last[last.founded_month >= 0].iterrows():
            end = row.exit_month if row.exit_month >= 0 else 120
            lives.append(end - row.founded_month)
    assert len(lives) >= 10 and np.median(lives) > 24


def test_bad_founder_types_are_a_config_error(small):
    from sim.params import ConfigError
    with pytest.raises(ConfigError, match="entry.type_probs.bogus: unknown name bogus \\(allowed: "):
        small(entry={"type_probs": {"bogus": 1.0}})
    with pytest.raises(ConfigError, match="entry.type_probs"):
        small(entry={"type_probs": {t: 0.0 for t in roster.ENTRANT_TYPES}})
    with pytest.raises(ConfigError, match="entry.type_ambition"):
        small(entry={"type_ambition": {"star_team": -1.0}})
