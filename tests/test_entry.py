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



def test_abundant_capital_brings_entrants_with_star_founders(small):
    model = AIIndustry(small(entry={"enabled": True, "rate_per_year": 12.0},
                             finance=ABUNDANT), seed=0)
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
    team = model.p.entry.team_share * model.p.talent.n_researchers
    assert model.recorder.firm["researchers"][first.founded_month, first.index] >= team
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
    assert not np.any(model.customers.choice == openai.slot)  # its model is no longer sold


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
                   finance={**EXHAUSTED, "strategic_pool_usd_per_year": 0.0})
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
    model, founded = run_with_entrants(small, 3, open_prob=1.0)
    assert founded and all(lab.open_weights and lab.publishes_weights for lab in founded)
    assert all(model.products.carries(h, founded[0]) for h in model.hyperscalers)


def test_entry_disabled_leaves_the_fixed_roster_unchanged(small):
    base = sim.simulate(small(entry={"enabled": False}), seed=5)
    off = sim.simulate(small(entry={"enabled": False, "rate_scale": 50.0, "merger_control": True,
                                    "open_prob": 1.0, "other_cloud_prob": 1.0,
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
    model, founded = run_with_entrants(small, 1, other_cloud_prob=1.0)
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
