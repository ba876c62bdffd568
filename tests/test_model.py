"""The model as a whole: tables, books, determinism, and each mechanism's effect inside it."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sim
from sim.mechanisms.finance import OUTSIDE_INVESTORS
from sim.config import to_params
from sim.markets.capital import Tranche
from sim.model import AIIndustry

FIRM_COLUMNS = ["month", "date", "firm", "kind", "owner", "cash_usd", "revenue_usd", "cost_usd",
                "train_flop", "capability", "market_share", "valuation_usd", "alive"]
INDUSTRY_COLUMNS = ["month", "date", "frontier_flop", "frontier_capability", "leader",
                    "hhi_revenue", "hhi_ownership", "cloud_share_of_ai_spend", "roundtrip_usd",
                    "ai_spend_usd"]
SUMMARY_KEYS = ["scenario", "seed", "horizon_months", "winner_capability", "winner_revenue",
                "winner_value", "leader_kind", "hhi_revenue_final", "lab_exits"]


def test_simulate_returns_the_documented_tables(small):
    result = sim.simulate(small(), seed=0)
    firms, industry = result.firms, result.industry
    assert set(FIRM_COLUMNS) <= set(firms.columns)
    assert set(INDUSTRY_COLUMNS) <= set(industry.columns)
    assert set(SUMMARY_KEYS) <= set(result.summary)
    # A row per firm per month, from its founding for a lab founded during the run.
    rows = firms.groupby("firm").size()
    founded = firms.groupby("firm").founded_month.first().clip(lower=0)
    assert len(industry) == 24 and (rows == 24 - founded).all()
    assert set(firms.kind) == {"hyperscaler", "independent_lab", "inhouse_lab", "open_weights"}
    assert firms.date.iloc[0] == pd.Timestamp("2024-01-01")
    assert industry.date.iloc[-1] == pd.Timestamp("2025-12-01")
    owners = firms.drop_duplicates("firm").set_index("firm").owner
    assert owners["Google DeepMind"] == "Google" and owners["OpenAI"] == ""
    shares = firms[firms.kind != "hyperscaler"].groupby("month").market_share.sum()
    assert np.allclose(shares, 1.0)
    assert result.summary["horizon_months"] == 24


def test_simulate_accepts_none_dict_and_omegaconf():
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"horizon_months": 3, "demand": {"n_customers": 500}})
    a = sim.simulate(cfg, seed=4)
    b = sim.simulate({"horizon_months": 3, "demand": {"n_customers": 500}}, seed=4)
    pd.testing.assert_frame_equal(a.firms, b.firms)
    with pytest.raises(sim.ConfigError, match="compute.doubling_months"):
        sim.simulate({"compute": {"doubling_months": 0}})


VARIANTS = [
    {},
    {"compute": {"doubling_months": 4.0}},
    {"compute": {"doubling_months": 12.0, "scarcity_price_slope": 10.0}},
    {"finance": {"us_capital_pool_usd_per_year": 0.0, "sovereign_fail_prob": 1.0}},
    {"strategy": {"partnerships": False}},
    {"strategy": {"inhouse_push": 0.1}, "talent": {"elasticity": 0.6}},
    {"finance": {"deal_figures": "article"}, "demand": {"home_cloud_bonus": 0.0}},
    {"entry": {"enabled": True, "rate_scale": 3.0}},
    {"entry": {"enabled": True, "merger_control": True, "rate_scale": 3.0,
               "type_probs": {"founder_capital": 0.0, "cloud_spinout": 0.0,
                              "open_weights": 1.0, "star_team": 0.0}}},
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("seed", [0, 7])
def test_books_balance_every_month(variant, seed):
    params = sim.to_params({"horizon_months": 60, "demand": {"n_customers": 2000},
                                   **variant})
    result = sim.simulate(params, seed=seed)
    ind = result.industry
    # Opening balances: the cash total before month 0 equals month 0's total less its flows.
    change = np.diff(ind.cash_total_usd.to_numpy())
    flows = ind.net_outside_flow_usd.to_numpy()[1:]
    scale = np.abs(ind.cash_total_usd.to_numpy()[1:])
    assert np.all(np.abs(change - flows) <= 1e-9 * scale)
    # Compute bought equals compute sold.
    np.testing.assert_allclose(ind.compute_bought_flop, ind.compute_sold_flop, rtol=1e-9)
    firms = result.firms
    assert not firms.cash_usd.isna().any()
    labs = firms[firms.kind != "hyperscaler"]
    assert (labs.cash_usd >= -1e-6).all()


def test_books_count_each_agents_cash_independently(small):
    """The firms table's cash column adds up to the ledger's total (no hidden accounts)."""
    result = sim.simulate(small(), seed=1)
    firm_cash = result.firms.groupby("month").cash_usd.sum().to_numpy()
    total = result.industry.cash_total_usd.to_numpy()
    assert np.all(firm_cash <= total * (1 + 1e-12) + 1e-6)  # investors hold the rest
    model = AIIndustry(small(), seed=1)
    model.run()
    assert sum(model.ledger.cash.values()) == pytest.approx(total[-1], rel=1e-12)


def test_same_seed_same_frames_different_seed_different(small):
    a, b = sim.simulate(small(), seed=11), sim.simulate(small(), seed=11)
    pd.testing.assert_frame_equal(a.firms, b.firms)
    pd.testing.assert_frame_equal(a.industry, b.industry)
    assert a.summary == b.summary
    c = sim.simulate(small(), seed=12)
    assert not a.firms.market_share.equals(c.firms.market_share)


DIGEST = """
import hashlib
import pandas as pd

def digest(result):
    h = hashlib.sha256()
    for frame in (result.firms, result.industry):
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()
"""


@pytest.mark.slow
def test_same_seed_same_frames_in_another_process():
    """Bit-identical frames in a fresh interpreter (with another string-hash seed, too)."""
    code = DIGEST + "import sim\nprint(digest(sim.simulate({'horizon_months': 36}, seed=5)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    scope = {}
    exec(DIGEST, scope)
    assert out == scope["digest"](sim.simulate({"horizon_months": 36}, seed=5))


# --- mechanisms inside the model ----------------------------------------------------------

def _run(model, months):
    for _ in range(months):
        model.step()


def test_cloud_spend_obligation_returns_as_the_investors_cloud_revenue(small):
    """A17: money a cloud invests comes back as its cloud revenue."""
    revenue = {}
    for owed in (0.0, 3e9):
        model = AIIndustry(small(), seed=2)
        model.lab("Anthropic").obligations = {"Google": owed} if owed else {}
        _run(model, 12)
        firms, _ = model.recorder.frames()
        google = firms[(firms.firm == "Google") & (firms.month < 12)]
        revenue[owed] = google.revenue_usd.sum()
        if owed:
            roundtrip = model.recorder.industry["roundtrip_usd"][:12].sum()
            assert roundtrip == pytest.approx(model.compute.roundtrip_cum)
            paid_back = owed - model.lab("Anthropic").obligations.get("Google", 0.0)
            assert paid_back > 0.5e9
    assert revenue[3e9] - revenue[0.0] > 0.5e9


def test_roundtrip_equals_obligations_drawn_down(small):
    model = AIIndustry(small(), seed=3)
    start = sum(sum(lab.obligations.values()) for lab in model.labs)
    model.run()
    left = sum(sum(lab.obligations.values()) for lab in model.labs if lab.alive)
    # An exit drops a lab's unspent obligations: equal when no lab a cloud invested in
    # exited, at most that otherwise.
    exited = [lab for lab in model.labs if not lab.alive and not lab.dormant]
    # Compute for equity is a strategic investment owed back in full.
    in_kind = model.capital.compute_for_equity_cum
    new = (model.p.finance.cloud_spend_obligation * (model.capital.strategic_cum - in_kind)
           + in_kind)
    if all(h not in lab.stakes for lab in exited for h in model.by_name):
        assert model.compute.roundtrip_cum == pytest.approx(start + new - left, rel=1e-9)
    assert model.compute.roundtrip_cum <= (start + new - left) * (1 + 1e-9)
    assert model.compute.roundtrip_cum > 0


def test_lab_that_cannot_raise_exits_and_its_researchers_move(small):
    """A22: with no capital to raise, a lab burning cash exits; its researchers leave."""
    params = small(horizon_months=48,  # it lives on its sales for about two years
                   finance={"us_capital_pool_usd_per_year": 0.0,
                            "sovereign_pool_usd_per_year": 0.0,
                            "strategic_pool_usd_per_year": 0.0},
                   money={"growth_pool_usd_per_year": 0.0, "chip_vendor_pool_usd_per_year": 0.0},
                   strategy={"partnerships": False},
                   entry={"merger_control": True},  # nobody may buy it: it closes
                   # spending flat at equal quality and no subscribers who stay out of
                   # habit: sales alone do not carry it
                   demand={"adoption_growth_2024_per_year": 0.0, "consumer_share": 0.0},
                   # a lab that commits to trend-sized runs on money it cannot raise (a
                   # returns lab sizes runs within its cash and lives longer on its sales)
                   policy={"lab": {"_target_": "sim.policies.lab.RacingLab"}})
    model = AIIndustry(params, seed=0)
    openai = model.lab("OpenAI")
    model.ledger.pay("OpenAI", OUTSIDE_INVESTORS, openai.cash - 5e8, "test")
    index = model.labs.index(openai)
    assert model.talent.researchers.headcount()[index] > 0
    model.run()
    assert not openai.alive and openai.exit_month is not None
    assert model.talent.researchers.headcount()[index] == 0
    sold = np.isin(model.customers.choice, [index, index + len(model.labs)])  # both tiers
    assert model.customers.choice.size and not sold.any()
    # With capital to raise, the same lab survives.
    funded = AIIndustry(small(demand={"consumer_share": 0.0}), seed=0)
    funded.ledger.pay("OpenAI", OUTSIDE_INVESTORS, funded.lab("OpenAI").cash - 5e8, "test")
    funded.run()
    assert funded.lab("OpenAI").alive
    assert funded.recorder.firm["raised_usd"][:, funded.lab("OpenAI").index].sum() > 0


def test_home_cloud_partner_model_is_chosen_more_often(small):
    """A27: customers whose home cloud carries a partner's model choose it more often."""
    def azure_lead(partnerships, seed):
        """OpenAI's share among businesses on Azure less among those elsewhere (enough
        customers that both groups, 60 % of them beside consumers, are large)."""
        model = AIIndustry(small(strategy={"partnerships": partnerships},
                                 demand={"n_customers": 10_000}), seed=seed)
        _run(model, 12)
        c = model.customers
        index = model.labs.index(model.lab("OpenAI"))
        tiers = [index, index + len(model.labs)]  # its frontier model or its cheap tier
        on_azure = np.isin(c.choice[c.home == 0], tiers)
        elsewhere = np.isin(c.choice[c.home == 3], tiers)
        return on_azure.mean() - elsewhere.mean()

    # The pull of the home cloud is a few share points a seed (0.04-0.09 over seeds 4-8):
    # its mean over three seeds, against the same seeds without partnerships.
    seeds = (4, 5, 6)
    carried = np.mean([azure_lead(True, seed) for seed in seeds])
    not_carried = np.mean([azure_lead(False, seed) for seed in seeds])
    assert carried > 0.05
    assert carried > not_carried + 0.04


def test_costly_partnership_shifts_a_hyperscaler_toward_making(small):
    """A18: a hyperscaler whose partnership costs more than its own programme makes more."""
    weights = {}
    for extra in (0.0, 1e12):
        model = AIIndustry(small(), seed=5)
        microsoft = model.by_name["Microsoft"]
        _run(model, 5)
        microsoft.invested_12m.append(extra)
        _run(model, 2)  # the month-6 review
        weights[extra] = microsoft.make_weight
    assert weights[1e12] > weights[0.0]
    pushed = AIIndustry(small(strategy={"inhouse_push": 0.2}), seed=5)
    _run(pushed, 7)
    assert pushed.by_name["Microsoft"].make_weight > weights[0.0]


def test_scarcity_raises_the_price_in_the_market(small):
    model = AIIndustry(small(), seed=6)
    _run(model, 2)
    price = model.by_name["Amazon"].price
    model.by_name["Amazon"].capacity.added *= 0.3  # a shock: most capacity lost
    _run(model, 1)
    assert model.by_name["Amazon"].pressure > 1.0  # demand beyond capacity...
    _run(model, 1)
    assert model.by_name["Amazon"].price > 1.5 * price  # ...raises the next month's price


def test_talent_raises_capability_of_the_next_model(small):
    """A29: the same compute with more talent gives a better model."""
    caps = {}
    for elasticity in (0.0, 0.6):
        model = AIIndustry(small(talent={"elasticity": elasticity}), seed=8)
        lab = model.lab("OpenAI")
        caps[elasticity] = model.capability(1e26, 0, lab)
    assert caps[0.6] > caps[0.0]  # OpenAI's staff is above the mean firm's


def test_baseline_reproduces_the_2024_start_and_trend():
    """Default run: a six-month doubling of frontier compute while it is paid for (A9), the
    GPT-4-class frontier tier in 2024 (A14, A20), labs losing money and raising (A22)."""
    result = sim.simulate(seed=0)
    ind = result.industry.set_index("month")
    months = 36
    doubling = months * np.log(2) / np.log(ind.frontier_flop[months] / ind.frontier_flop[0])
    assert 4.5 < doubling < 8.0
    firms = result.firms
    y2024 = firms[firms.month < 12]
    leaders = set(result.industry.leader[:12])
    assert leaders <= {"OpenAI", "Anthropic", "Google DeepMind", "Meta"}
    cap = y2024[y2024.month == 3].set_index("firm").capability
    assert cap["Meta"] < cap[["OpenAI", "Google DeepMind"]].max()
    independent = y2024[y2024.kind == "independent_lab"]
    assert (independent.groupby("firm").profit_usd.sum() < 0).all()
    raised = firms[(firms.kind == "independent_lab") & (firms.month < 36) & firms.alive]
    assert (raised.groupby("firm").raised_usd.sum() > 0).all()
    assert not firms[["cash_usd", "revenue_usd", "valuation_usd"]].isna().any().any()
    # A GPT-4-sized run (2.1e25 FLOP) at the model's 2024-01 market price: "more than $100M"
    # by Altman's word (A11), $78-81M by Epoch's cloud-rental estimate.
    gpt4_cost = 2.1e25 * result.industry.market_price_usd_per_flop.iloc[0]
    assert 5e7 < gpt4_cost < 2e8


def test_make_weight_stays_within_bounds_under_a_negative_push(small):
    params = small(strategy={"partnerships": False, "inhouse_push": -0.5})
    result = sim.simulate(params, seed=0)
    weights = result.firms[result.firms.kind == "hyperscaler"].make_weight
    assert weights.min() >= params.strategy.min_make_weight
    assert (result.firms.run_flop >= 0).all()


def test_summary_reports_leaders_at_the_start_of_2026_2030_2034():
    result = sim.simulate(seed=0)
    summary, firms = result.summary, result.firms
    labs = set(firms[firms.kind != "hyperscaler"].firm)  # an entrant may lead
    for year in (2026, 2030, 2034):
        assert summary[f"leader_{year}"] in labs
    assert summary["leader_2034"] == summary["winner_capability"]
    assert summary["winner_revenue"] != "Meta"  # open weights earn the lab no sales


def test_researcher_count_sets_resolution_not_the_salary_bill(small):
    bills = []
    for n in (1000, 4000):
        model = AIIndustry(small(talent={"n_researchers": n}), seed=3)
        bills.append(sum(model.talent.monthly_salaries(lab) for lab in model.labs))
    assert bills[0] == pytest.approx(bills[1], rel=0.1)


def test_mesa_datacollector_gives_the_run_tables_and_batch_run_runs_it():
    """Mesa's own tools work on the model: its datacollector's frames are the run's tables,
    and mesa.batch_run drives it with keyword sections and seeds."""
    import mesa

    model = AIIndustry(seed=7, horizon_months=12, demand={"n_customers": 1000})
    model.run()
    result = sim.simulate({"horizon_months": 12, "demand": {"n_customers": 1000}}, seed=7)
    pd.testing.assert_frame_equal(model.datacollector.get_model_vars_dataframe(),
                                  result.industry)
    pd.testing.assert_frame_equal(model.datacollector.get_agent_vars_dataframe(),
                                  result.firms)
    partial = AIIndustry(seed=7, horizon_months=12, demand={"n_customers": 1000})
    for _ in range(5):
        partial.step()
    assert len(partial.datacollector.get_model_vars_dataframe()) == 5
    assert partial.datacollector.get_agent_vars_dataframe().month.max() == 4
    rows = pd.DataFrame(mesa.batch_run(
        AIIndustry, {"seed": [0, 1], "horizon_months": 12, "demand": [{"n_customers": 1000}]},
        iterations=2, number_processes=1, display_progress=False))
    last = rows[rows.Step == 11]
    assert set(last.seed) == {0, 1} and len(last.drop_duplicates(["RunId", "AgentID"])) == \
        len(last)
    assert {"frontier_capability", "leader", "firm", "capability", "cash_usd"} <= set(rows)
    direct = sim.simulate({"horizon_months": 12, "demand": {"n_customers": 1000}}, seed=1)
    got = last[(last.seed == 1) & (last.iteration == 0)].set_index("firm").capability
    want = direct.firms[direct.firms.month == 11].set_index("firm").capability
    np.testing.assert_array_equal(got.loc[want.index].to_numpy(), want.to_numpy())


def test_a_fourth_cloud_and_another_investor_need_only_the_roster(monkeypatch):
    """Per-firm values live in the roster and are keyed by name: a new hyperscaler and a
    new investor pool are a roster entry each, and the model runs with them, books balanced."""
    from sim import roster

    oracle = roster.HyperscalerSpec("Oracle", cash_usd=1e10, other_cash_flow_usd_per_year=2e10,
                                    initial_make_weight=0.1, home_cloud_share=0.05)
    growth = roster.InvestorSpec("Pension funds", "us_capital_pool_usd_per_year")
    monkeypatch.setattr(roster, "HYPERSCALERS", (*roster.HYPERSCALERS, oracle))
    monkeypatch.setattr(roster, "INVESTORS", (*roster.INVESTORS, growth))
    params = sim.to_params({"horizon_months": 24, "demand": {"n_customers": 2000},
                                   "strategy": {"initial_make_weight": {"Oracle": 0.2}}})
    model = AIIndustry(params, seed=0)
    assert [h.name for h in model.hyperscalers][-1] == "Oracle"
    assert model.by_name["Oracle"].make_weight == 0.2
    assert (model.customers.home == 3).any()  # Oracle's home customers
    model.run()
    firms, industry = model.recorder.frames()
    assert set(firms[firms.kind == "hyperscaler"].firm) == {"Microsoft", "Amazon", "Google",
                                                             "Oracle"}
    assert firms[firms.firm == "Oracle"].capacity_flop_per_month.iloc[-1] > 0
    change = np.diff(industry.cash_total_usd.to_numpy())
    flows = industry.net_outside_flow_usd.to_numpy()[1:]
    assert np.all(np.abs(change - flows) <= 1e-9 * np.abs(industry.cash_total_usd.to_numpy()[1:]))
    with pytest.raises(sim.params.ConfigError, match="home_cloud_shares.Azure: unknown name Azure"):
        sim.to_params({"demand": {"home_cloud_shares": {"Azure": 0.1}}})


def test_sf4_a_hyperscaler_whose_lab_nears_its_partner_shifts_toward_making():
    """Stylized fact 4 (calibration.md): Microsoft's own lab put level with OpenAI's model
    (and its experience of large runs) at the start makes Microsoft shift from buying to
    making over its reviews; left far behind (the roster's 1.6 steps), its weight stays
    lower but does not collapse to the floor."""
    params = to_params({"horizon_months": 36, "demand": {"n_customers": 2000}})
    floor = params.strategy.min_make_weight
    weights = {False: [], True: []}
    for seed in range(3):
        for near in (False, True):
            model = AIIndustry(params, seed=seed)
            if near:
                own, partner = model.lab("Microsoft AI"), model.lab("OpenAI")
                own.capability, own.train_flop = partner.capability, partner.train_flop
                model.update_frontier()
            path = []
            for _ in range(36):
                model.step()
                path.append(model.by_name["Microsoft"].make_weight)
            weights[near].append(path)
    near, far = np.array(weights[True])[:, 6:], np.array(weights[False])[:, 6:]
    # After the first review. With prices (issue 17) a trailing in-house model is smaller,
    # so cheaper, and sells more even far behind: the gap narrowed from ~0.14 to ~0.07.
    assert near.mean() > far.mean() + 0.05  # one model a lab: 0.10; cheap tiers on: ~0.05
    assert near.mean() > 0.2 + 0.05  # up from the roster's 0.2
    assert far.min() > floor and far.mean() > floor + 0.05


def test_investing_in_a_partner_does_not_by_itself_move_the_make_weight(small):
    """Limitation 4 fixed: money put into a partner buys equity marked to the partner's
    value, so a hyperscaler that invests more is not pushed toward buying or making by the
    investment itself (only by what the stake gains or loses: here the dilution of marking
    at the pre-money value, a few per cent of the money)."""
    weights = {}
    for extra in (0.0, 2e9):
        model = AIIndustry(small(), seed=5)
        _run(model, 5)
        if extra:
            lab = model.lab("OpenAI")
            model.capital.invest_strategic(Tranche("Microsoft", lab, extra,
                                                   model.capital.valuation(lab)))
        _run(model, 2)  # the month-6 review
        weights[extra] = model.by_name["Microsoft"].make_weight
    assert weights[2e9] == pytest.approx(weights[0.0], abs=0.02)


def test_make_weights_do_not_drift_to_the_floor_in_the_baseline():
    """The old rule booked partner investment as a cost: a cloud that made more invested
    less, buying looked cheaper and every weight drifted to the floor. Now each cloud keeps
    a programme well above the floor over the decade, in each of three seeds."""
    floor = to_params({}).strategy.min_make_weight
    for seed in range(3):
        f = sim.simulate(seed=seed).firms
        late = f[(f.kind == "hyperscaler") & (f.month >= 60)]
        assert (late.groupby("firm").make_weight.mean() > floor + 0.1).all(), seed


def test_clouds_ai_revenue_grows_through_2024_and_they_build_for_it(small):
    """A16: Microsoft and Amazon reported record quarters, partly from AI. In the model the
    three clouds' AI revenue in the last quarter of 2024 exceeds the first's, and they
    spend on AI capacity in 2024 (calibration_2024.md section 4: capex grew ~57 % at
    Amazon)."""
    result = sim.simulate(small(), seed=0)
    firms = result.firms.set_index("month")
    for cloud in ("Microsoft", "Amazon"):
        own = firms[firms.firm == cloud]
        first, last = own.revenue_usd.loc[0:2].sum(), own.revenue_usd.loc[9:11].sum()
        assert last > 1.5 * first > 0
        assert own.capex_usd.loc[0:11].sum() > 0


def test_remembered_scaling_law_follows_the_talent_multiplier(small):
    """Model.capability remembers its values by (flop, month, talent multiplier): the same
    as the scaling law computed afresh, and a new multiplier gives a new value."""
    from sim.mechanisms import training

    model = AIIndustry(to_params(small()), seed=3)
    model.step()
    lab, tr = model.labs[0], model.p.training

    def afresh(flop, month):
        eff = training.effective_flop(flop, month, tr.algorithmic_halving_months,
                                      model.talent.multiplier[lab.slot])
        return training.capability(eff, tr.capability_per_decade)

    first = model.capability(3e25, 7, lab)
    assert first == afresh(3e25, 7) and model.capability(3e25, 7, lab) == first
    model.talent.multiplier[lab.slot] *= 2.0  # more talent: more effective compute
    assert model.capability(3e25, 7, lab) == afresh(3e25, 7) > first
