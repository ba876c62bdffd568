"""Value captured, accounted in full (sim/value.py; docs/model.md 3.5; issue 16 item 6)."""

import math

import numpy as np
import pytest

import sim
from sim import explore, value
from sim.markets.capital import Tranche
from sim.mechanisms.finance import SALARIES
from sim.model import AIIndustry
from sim.simulation import result

OPEN_ENTRY = {"entry": {"rate_scale": 3.0, "max_entrants": 30},
              "finance": {"us_capital_pool_usd_per_year": 1.6e11, "sovereign_fail_prob": 0.1}}
CLOSURES = {"entry": {"merger_control": True, "rate_scale": 3.0},  # failing labs close
            "finance": {"us_capital_pool_usd_per_year": 1e10, "sovereign_fail_prob": 0.8}}


def revaluation(firms):
    """Change in labs' marked values per month since each lab's first row (the opening is
    marked at month 0's valuations; a lab founded in the run starts at 0)."""
    labs = firms[firms.kind != "hyperscaler"]
    v = labs.pivot(index="month", columns="firm", values="valuation_usd").fillna(0.0)
    return v.sum(axis=1) - labs.groupby("firm").valuation_usd.first().sum()


@pytest.mark.parametrize("variant,seed", [({}, 0), (OPEN_ENTRY, 3), (CLOSURES, 2)])
def test_value_groups_add_up_to_the_industrys_profit_and_revaluation(variant, seed):
    """The groups add up to the total every month, and the total is the industry's accrual
    profit plus the chip vendor's gross profit plus the change in labs' marked values:
    investment for equity, round-tripped cloud spend, revenue share, acquisitions and
    liquidations move value between groups but create none."""
    r = sim.simulate(variant, seed=seed)
    ind, s = r.industry, r.summary
    groups = ind[[f"value_{g}_usd" for g in value.GROUPS]].sum(axis=1)
    np.testing.assert_allclose(groups, ind.value_total_usd, rtol=1e-9, atol=1.0)
    vendor = (ind.chip_vendor_revenue_usd * ind.chip_vendor_margin).cumsum().to_numpy()
    created = (r.firms.groupby("month").profit_usd.sum().cumsum() + revaluation(r.firms)
               + vendor)
    np.testing.assert_allclose(ind.value_total_usd, created.to_numpy(), rtol=1e-9,
                               atol=1e-9 * np.abs(created).max())
    assert s["value_total_usd"] == pytest.approx(sum(s[f"value_{g}_usd"]
                                                     for g in value.GROUPS), rel=1e-12)
    # Chip vendors sell at a margin and invest (sim/roster.py INVESTORS).
    assert s["value_chip_vendors_usd"] != 0.0 and vendor[-1] > 0
    if variant:  # the variants exercise the roster: founding, sales or closures
        assert s["entrants"] > 0 and s["lab_exits"] > 0


def test_winner_value_is_the_holder_with_most_value_captured():
    r = sim.simulate({"horizon_months": 36, "demand": {"n_customers": 2000}}, seed=2)
    s, last = r.summary, r.firms[r.firms.month == 35]
    assert s["winner_value_group"] in value.GROUPS
    if s["winner_value_group"] in ("clouds", "labs"):
        best = last.loc[last.value_usd.idxmax()]
        assert s["winner_value"] == best.firm
    # In-house labs' value is their owners' (an acquired lab's founders keep what they had).
    assert (last[(last.kind == "inhouse_lab") & (last.exit_kind == "")].value_usd == 0).all()


def test_an_open_weights_labs_value_is_its_profit(small):
    """Meta's lab: no stakes, valued at 0 (no sales), funded from Meta's other business (money
    put in, not value): what it captures is its cumulative profit, a loss."""
    r = sim.simulate(small(), seed=4)
    meta = r.firms[r.firms.firm == "Meta"]
    assert meta.value_usd.iloc[-1] == pytest.approx(meta.profit_usd.sum(), rel=1e-9)
    assert meta.value_usd.iloc[-1] < 0


def _opened(small, **sections):
    """A model after month 0 (the opening is marked), its value books, and month 1's row
    filled with month 0's valuations: the changes a test makes are the only ones."""
    m = AIIndustry(small(horizon_months=3, entry={"enabled": False}, **sections), seed=0)
    m.step()
    f = m.recorder.firm
    f["valuation_usd"][1] = f["valuation_usd"][0]
    return m, m.recorder.value


def _record(m):
    flows, _ = m.ledger.close_month()
    m.recorder.value.record(1, flows, m.recorder.firm, m.recorder.industry)
    return dict(m.recorder.value.captured), {g: m.recorder.industry[f"value_{g}_usd"][1]
                                             for g in value.GROUPS}


def test_a_stake_in_a_lab_whose_value_rises_is_a_marked_gain_for_the_cloud(small):
    """Amazon invests $4B in Anthropic at its valuation. The investment alone moves value
    between holders but creates none; when Anthropic's value then doubles, each holder
    gains its stake in the rise - Amazon's shows in value_clouds."""
    results = {}
    for case in ("none", "invest", "invest_and_rise"):
        m, books = _opened(small)
        lab = m.lab("Anthropic")
        v = m.recorder.firm["valuation_usd"][0, lab.index]
        if case != "none":
            m.capital.invest_strategic(Tranche("Amazon", lab, 4e9, v))
        if case == "invest_and_rise":
            m.recorder.firm["valuation_usd"][1, lab.index] = 2 * v
        results[case] = (*_record(m), dict(lab.stakes), v)
    (h0, g0, _, _), (h1, g1, _, _), (h2, g2, stakes, v) = results.values()
    assert sum(g1.values()) == pytest.approx(sum(g0.values()), abs=1.0)  # no value made
    assert h2["Amazon"] - h1["Amazon"] == pytest.approx(stakes["Amazon"] * v, rel=1e-9)
    assert g2["clouds"] - g1["clouds"] == pytest.approx(
        (stakes["Amazon"] + stakes["Google"]) * v, rel=1e-9)
    assert g2["investors"] - g1["investors"] == pytest.approx(stakes["Salesforce"] * v,
                                                              rel=1e-9)
    residual = 1.0 - sum(stakes.values())
    assert h2["Anthropic"] - h1["Anthropic"] == pytest.approx(residual * v, rel=1e-9)
    assert sum(g2.values()) - sum(g1.values()) == pytest.approx(v, rel=1e-9)


def test_an_inhouse_labs_losses_reduce_its_owners_value(small):
    """Microsoft funds Microsoft AI, which spends it on salaries: the loss is Microsoft's
    (value_clouds falls by it), though the cloud's own profit never shows it."""
    captured = {}
    for spend in (0.0, 3e9):
        m, _ = _opened(small)
        if spend:
            m.ledger.pay("Microsoft", "Microsoft AI", spend, "internal")
            m.ledger.pay("Microsoft AI", SALARIES, spend, "salaries")
        captured[spend] = _record(m)
    (h0, g0), (h1, g1) = captured.values()
    assert h0["Microsoft"] - h1["Microsoft"] == pytest.approx(3e9, rel=1e-9)
    assert g0["clouds"] - g1["clouds"] == pytest.approx(3e9, rel=1e-9)
    assert g0["labs"] == pytest.approx(g1["labs"]) and h1.get("Microsoft AI", 0.0) == 0.0


def test_money_put_in_from_outside_is_not_value(small):
    """Big tech's other cash flow and investors' commitments raise cash, not value."""
    m, _ = _opened(small)
    base = _record(m)[1]
    m, _ = _opened(small)
    m.ledger.pay("other_business", "Google", 5e9, "other_business")
    m.ledger.pay("outside_investors", m.investors[0].name, 7e9, "commitment")
    after = _record(m)[1]
    assert after == pytest.approx(base, abs=1.0)


def test_explore_has_the_value_outcomes():
    s = sim.simulate({"horizon_months": 24, "demand": {"n_customers": 1000}}, seed=0).summary
    values = explore.outcome_values(s)
    for name in ("value_clouds_usd", "value_labs_usd", "value_investors_usd",
                 "value_chip_vendors_usd", "value_labs_share", "labs_capture_more"):
        assert name in explore.OUTCOMES and math.isfinite(values[name])
    assert values["value_labs_share"] == pytest.approx(s["value_labs_usd"] / s["value_total_usd"])
    assert values["labs_capture_more"] == float(s["value_labs_usd"] > s["value_clouds_usd"])


def test_credit_is_the_lenders_asset_and_the_borrowers_debt(small):
    """A cloud lending cash to a lab (vendor credit: `model.credit.loans`)
    moves no value: the lender's cash becomes its loan, the lab's new cash is owed."""
    from types import SimpleNamespace

    m, _ = _opened(small)
    base = _record(m)
    m, _ = _opened(small)
    m.ledger.pay("Microsoft", "OpenAI", 2e9, "vendor_credit")
    m.credit.loans = {"OpenAI": SimpleNamespace(lender="Microsoft", balance=2e9)}
    lent = _record(m)
    assert lent[1] == pytest.approx(base[1], abs=1.0)
    for holder in ("Microsoft", "OpenAI"):
        assert lent[0][holder] == pytest.approx(base[0][holder], abs=1.0)


def test_a_chip_vendor_that_invests_is_its_own_group(small):
    """Chip vendors are an outside sink until one holds stakes: an investor of that name (or
    one saying `value_group`) counts as chip vendors."""
    m, _ = _opened(small)
    first, second = m.investors[:2]
    assert value.group_of(m, first.name) == "investors"
    first.value_group = "chip_vendors"
    assert value.group_of(m, first.name) == "chip_vendors"
    second.name = "Chip vendors"  # the pool of that name (issue 16 item 3)
    assert value.group_of(m, "Chip vendors") == "chip_vendors"
    assert value.group_of(m, "Amazon") == "clouds" and value.group_of(m, "OpenAI") == "labs"


def test_in_the_model_a_clouds_value_is_its_profit_and_its_own_labs(small):
    """Without stakes (partnerships off, the 2024 stakes cleared) and without entry, the
    clouds' value is their AI clouds' profit plus their in-house labs' results and the
    change in those labs' values: in-house losses are charged to the owners."""
    m = AIIndustry(small(horizon_months=48, strategy={"partnerships": False},
                         entry={"enabled": False}), seed=3)
    for lab in m.labs:
        lab.stakes = {}
    m.recorder.value.holdings_open = {lab.name: value.holdings(lab) for lab in m.labs}
    m.run()
    firms = result(m.recorder.snapshot(), {}, m.p).firms
    clouds = firms[firms.kind == "hyperscaler"]
    own = firms[firms.kind == "inhouse_lab"]
    v = own.pivot(index="month", columns="firm", values="valuation_usd")
    expected = clouds.profit_usd.sum() + own.profit_usd.sum() + (v.iloc[-1] - v.iloc[0]).sum()
    got = m.recorder.industry["value_clouds_usd"][-1]
    assert got == pytest.approx(expected, rel=1e-9)
    # The in-house labs' results are material (they earn or lose billions), so the identity
    # above would fail if the owners' value left them out.
    assert abs(own.profit_usd.sum()) > 1e9


def test_the_printed_value_line_names_the_single_holder_and_every_groups_total():
    """One chip vendor can out-capture each cloud while the clouds together capture more: the
    line says which is which."""
    s = {"winner_value": "chip_vendors", "winner_value_group": "chip_vendors",
         "value_clouds_usd": 9e11, "value_labs_usd": -2e9, "value_investors_usd": 1e11,
         "value_chip_vendors_usd": 5e11}
    line = value.words(s)
    assert line.startswith("largest single holder of value captured chip_vendors (chip vendors)")
    assert "clouds 900, labs -2, investors 100, chip vendors 500 (most: clouds)" in line
    assert "\n" not in line
