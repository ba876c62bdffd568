"""Money that grows and responds (docs/model.md 3.3.4): big tech's cash flows grow, investors'
appetite follows the sector's returns, vendor credit is lent and repaid or written off, and
new classes of investor lead rounds."""

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.markets.capital import CapitalMarket
from sim.markets.credit import VendorCredit
from sim.mechanisms import finance
from sim.model import AIIndustry
from sim.params import Params


def _run(model, months):
    for _ in range(months):
        model.step()


# --- the rules in isolation ---------------------------------------------------------------

def test_appetite_follows_sector_revenue_falls_after_losses_within_bounds():
    assert finance.appetite(4.0, 0.0, 0.5, 2.0, 0.25, 5.0) == pytest.approx(2.0)
    assert finance.appetite(1.0, 0.0, 0.5, 2.0, 0.25, 5.0) == 1.0  # revenue as in 2024
    assert finance.appetite(0.5, 0.0, 0.5, 2.0, 0.25, 5.0) < 1.0  # revenue fell
    bust = finance.appetite(4.0, 0.5, 0.5, 2.0, 0.25, 5.0)
    assert bust == pytest.approx(2.0 * np.exp(-1.0))
    assert finance.appetite(1e6, 0.0, 1.0, 2.0, 0.25, 5.0) == 5.0
    assert finance.appetite(1.0, 10.0, 1.0, 2.0, 0.25, 5.0) == 0.25


def test_valuation_multiple_follows_growth_against_the_reference():
    assert finance.multiple_factor(2.0, 2.0, 0.0, 1.0, 2.0, 0.25, 5.0) == 1.0
    assert finance.multiple_factor(0.5, 2.0, 0.0, 1.0, 2.0, 0.25, 5.0) == pytest.approx(0.5)
    assert finance.multiple_factor(5.0, 2.0, 0.0, 1.0, 2.0, 0.25, 5.0) == pytest.approx(2.0)
    assert finance.multiple_factor(2.0, 2.0, 0.2, 1.0, 2.0, 0.25, 5.0) < 1.0  # after losses
    assert finance.multiple_factor(-0.9, 2.0, 0.0, 1.0, 2.0, 0.25, 5.0) == 0.25


class FakeInvestor:
    def __init__(self, pool):
        self.pool_per_year, self.appetite = pool, None

    def refill(self, appetite):
        self.appetite = appetite
        self.pool_per_year = 1e10 * appetite


def fake_market(spend_last_year, exits=()):
    """A capital market on a fake model in January 2026: customers' spending on models over
    two years (flat at 1 in 2024, then growing by `spend_last_year` in 2025), and labs that
    exited (name, month, kind, money investors put in)."""
    month = 24
    spend = np.ones(month)
    spend[month - 13:month] = np.geomspace(1.0, spend_last_year, 13)
    labs = [SimpleNamespace(name=n, exit_month=t, exit_kind=k) for n, t, k, _ in exits]
    model = SimpleNamespace(p=Params(), month=month, hyperscalers=[], labs=labs,
                            investors=[FakeInvestor(1e10), FakeInvestor(1e10)],
                            recorder=SimpleNamespace(industry={"ai_spend_usd": spend}))
    model.credit = VendorCredit(model)
    market = CapitalMarket(model)
    market.outside_invested = {n: amount for n, _, _, amount in exits}
    return market, model


def test_pools_rise_after_a_year_of_sector_growth_and_fall_after_losses_isolated():
    grown, model = fake_market(3.0)  # spending tripled
    grown.refill()
    assert grown.sector_growth == pytest.approx(2.0)
    mo = model.p.money
    assert grown.appetite == pytest.approx(3.0**mo.appetite_elasticity)  # revenue 3x 2024's
    assert all(i.appetite == grown.appetite for i in model.investors)
    # Growth at the reference: 2024's multiple.
    assert grown.revenue_multiple == pytest.approx(model.p.finance.revenue_multiple)
    flat, _ = fake_market(1.0)
    flat.refill()
    assert flat.appetite == 1.0 and flat.revenue_multiple < grown.revenue_multiple
    # The same growth after a lab that took $8B of a $20B pool closed, and one acquired whole
    # (bought at its value: no loss).
    hit, _ = fake_market(3.0, exits=[("A", 15, "closed", 8e9), ("B", 20, "acquired", 9e9),
                                     ("C", 5, "closed", 9e9)])  # C: over a year ago
    hit.refill()
    assert hit.investor_losses == pytest.approx(8e9)
    assert hit.appetite == pytest.approx(grown.appetite * np.exp(-mo.loss_weight * 0.4))
    assert hit.revenue_multiple < grown.revenue_multiple


# --- in the model ------------------------------------------------------------------------

def test_cash_flows_grow_every_year(small):
    model = AIIndustry(small(horizon_months=30), seed=0)
    g = model.p.money.other_cash_flow_growth_per_year
    assert g > 0
    ms = model.by_name["Microsoft"]
    start = ms.other_cash_flow_per_month
    _run(model, 25)  # the last step is month 24
    assert ms.other_cash_flow_per_month == pytest.approx(start * (1 + g) ** 2)
    meta = model.lab("Meta")
    assert model.ledger.cash[meta.name] >= 0
    flat = AIIndustry(small(horizon_months=30, money={"other_cash_flow_growth_per_year": 0.0}),
                      seed=0)
    _run(flat, 25)
    assert flat.by_name["Microsoft"].other_cash_flow_per_month == pytest.approx(start)


def test_pools_follow_the_sector_in_the_model(small):
    """After 2024 the pools are 2024's times (1 + growth) ** elasticity; a lab that fails
    with investors' money in it shrinks next year's pools."""
    model = AIIndustry(small(), seed=0)
    _run(model, 13)  # through January 2025's refill
    growth = model.capital.sector_growth
    assert growth > 0  # customers spent more on models at the end of 2024
    us = model.investors[0]
    spend = model.recorder.industry["ai_spend_usd"]
    assert us.pool_per_year == pytest.approx(
        us.pool_2024 * (spend[11] / spend[0]) ** model.p.money.appetite_elasticity)
    assert us.pool_per_year > us.pool_2024
    assert model.capital.revenue_multiple != model.p.finance.revenue_multiple
    pools = model.recorder.industry["investor_pools_usd"]
    assert pools[12] == pytest.approx(pools[0] * model.capital.appetite)
    assert model.recorder.industry["valuation_multiple"][12] == model.capital.revenue_multiple
    # The same run with OpenAI closed in December 2024, investors' money in it lost.
    bust = AIIndustry(small(), seed=0)
    _run(bust, 11)
    openai = bust.lab("OpenAI")
    bust.capital.outside_invested["OpenAI"] = 3e10
    openai.close(bust.month)
    bust.update_frontier()
    _run(bust, 2)
    assert bust.capital.investor_losses == pytest.approx(3e10)
    assert bust.investors[0].pool_per_year < us.pool_per_year


def spy_on(ledger, tags):
    """Count the ledger's payments with these tags, (payer, payee, tag) -> USD."""
    seen, pay = {}, ledger.pay

    def spy(payer, payee, amount, tag):
        if tag in tags:
            seen[payer, payee, tag] = seen.get((payer, payee, tag), 0.0) + amount
        return pay(payer, payee, amount, tag)

    ledger.pay = spy
    return seen


def test_vendor_credit_is_repaid_from_sales_with_interest(small):
    model = AIIndustry(small(money={"credit_repayment_share_of_sales": 0.5}), seed=0)
    _run(model, 6)
    openai = model.lab("OpenAI")
    assert model.credit.credit_limit(openai) > 2e8
    ms_cash = model.by_name["Microsoft"].cash
    seen = spy_on(model.ledger, ("vendor_credit", "interest", "repayment"))
    assert model.credit.lend(openai, 2e8) == pytest.approx(2e8)
    assert model.by_name["Microsoft"].cash == pytest.approx(ms_cash - 2e8)
    assert seen["Microsoft", "OpenAI", "vendor_credit"] == pytest.approx(2e8)
    balance = model.credit.loans["OpenAI"].balance
    model.step()
    interest = balance * model.p.money.credit_interest_per_year / 12
    assert seen["OpenAI", "Microsoft", "interest"] == pytest.approx(interest)
    assert 0 < model.credit.loans["OpenAI"].balance < balance
    _run(model, 8)
    # Half of OpenAI's sales (~$0.1B+ a month) pays it back within months, with interest.
    assert "OpenAI" not in model.credit.loans
    assert seen["OpenAI", "Microsoft", "repayment"] == pytest.approx(2e8, rel=1e-6)
    assert seen["OpenAI", "Microsoft", "interest"] > interest
    assert model.credit.credit_defaults_cum == 0.0
    assert "interest" in finance.COST_TAGS and "repayment" not in finance.COST_TAGS


def test_a_default_books_the_lenders_loss(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 6)
    openai = model.lab("OpenAI")
    lent = model.credit.lend(openai, 1e9)
    assert lent > 0
    openai.close(model.month)
    model.update_frontier()
    model.step()
    assert "OpenAI" not in model.credit.loans
    assert model.credit.credit_defaults_cum == pytest.approx(lent)
    assert model.credit.credit_losses["Microsoft"] == pytest.approx(lent)
    assert model.capital.last_year_losses() == pytest.approx(
        lent + model.capital.outside_invested.get("OpenAI", 0.0))


def test_no_vendor_credit_without_sales_or_partner(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 2)
    dormant = next(lab for lab in model.labs if lab.dormant)
    assert model.credit.credit_limit(dormant) == 0.0
    assert model.credit.lend(dormant, 1e9) == 0.0
    meta = model.lab("Meta")  # no partner cloud
    assert model.credit.lend(meta, 1e9) == 0.0


def test_the_largest_offer_leads_and_growth_funds_fund_only_labs_with_sales(small):
    model = AIIndustry(small(), seed=0)
    model.step()  # January's pools are in
    by = {i.name: i for i in model.investors}
    openai = model.lab("OpenAI")
    order = [i.name for i in model.capital.by_offer(openai, 1e12)]
    # 2024: US venture $40B > sovereigns' $30B x (1 - 0.2) > growth funds' $15B.
    assert by["US private capital"].cash > 0.8 * by["Sovereign funds"].cash > \
        by["Growth funds"].cash
    assert order[:3] == ["US private capital", "Sovereign funds", "Growth funds"]
    assert order[-1] == "Salesforce"  # 10 % of a raise, of a $1B pool
    young = next(lab for lab in model.labs if lab.dormant)
    assert by["Growth funds"].capacity(young, 1e9) == 0.0
    assert by["US private capital"].capacity(young, 1e9) > 0.0


def test_a_new_investor_class_leads_rounds_in_the_model(small):
    """With little venture or sovereign money, growth funds offer most and lead rounds."""
    params = small(horizon_months=36,
                   finance={"us_capital_pool_usd_per_year": 1e9,
                            "sovereign_pool_usd_per_year": 1e9},
                   money={"growth_pool_usd_per_year": 5e10})
    model = AIIndustry(params, seed=1)
    model.run()
    growth = next(i for i in model.investors if i.name == "Growth funds")
    assert growth.rounds_led > 0
    assert any(leader == "Growth funds" for leader, _ in model.capital.round_leader.values())
    assert any(lab.stakes.get("Growth funds", 0) > 0 for lab in model.labs if lab.independent)


MONEY_VARIANTS = [
    {},  # the baseline: appetite moves, rounds are led by the largest offer
    {"money": {"credit_sales_multiple": 3.0, "credit_valuation_share": 0.5,
               "credit_repayment_share_of_sales": 0.05}},  # much vendor credit
    {"money": {"appetite_elasticity": 2.0, "loss_weight": 20.0, "min_appetite": 0.05}},
    # Clouds overbuild (chips and power do not stop them) and no outside investor has money:
    # partners pay in idle compute.
    {"compute": {"max_planned_growth_per_month": 1.3},
     "power": {"max_growth_per_year": 20.0, "reserve": 1.0},
     "chips": {"supply_headroom": 3.0, "initial_supply_headroom": 5.0,
               "max_supply_growth_per_year": 10.0},
     "finance": {"us_capital_pool_usd_per_year": 0.0, "sovereign_pool_usd_per_year": 0.0},
     "money": {"compute_for_equity_months": 6.0, "growth_pool_usd_per_year": 0.0,
               "chip_vendor_pool_usd_per_year": 0.0}},
]


@pytest.mark.parametrize("variant", MONEY_VARIANTS)
def test_books_balance_with_credit_and_moving_pools(variant):
    params = sim.to_params({"horizon_months": 60, **variant,
                            "demand": {"n_customers": 2000, **variant.get("demand", {})}})
    model = AIIndustry(params, seed=0)
    model.run()
    firms, ind = model.recorder.frames()
    change = np.diff(ind.cash_total_usd.to_numpy())
    flows = ind.net_outside_flow_usd.to_numpy()[1:]
    assert np.all(np.abs(change - flows) <= 1e-9 * np.abs(ind.cash_total_usd.to_numpy()[1:]))
    assert sum(model.ledger.cash.values()) == pytest.approx(ind.cash_total_usd.iloc[-1],
                                                            rel=1e-12)
    labs = firms[firms.kind != "hyperscaler"]
    assert (labs.cash_usd >= -1e-6).all()
    if variant:
        assert model.credit.credit_cum > 0 or model.capital.appetite != 1.0
    if "compute_for_equity_months" in variant.get("money", {}):
        assert model.capital.compute_for_equity_cum > 0


def test_a_partner_with_idle_capacity_supplies_compute_for_equity(small):
    """Compute for equity: a cloud below its target utilisation takes shares for up to
    `compute_for_equity_months` of its idle capacity a year, all owed back as its compute."""
    model = AIIndustry(small(), seed=0)
    _run(model, 6)
    anthropic, amazon = model.lab("Anthropic"), model.by_name["Amazon"]
    amazon.utilisation = model.p.compute.target_utilisation - 0.2  # idle capacity
    idle_value = amazon.capacity.in_service(model.month) * 0.2 * amazon.price
    owed, stake = anthropic.obligations.get("Amazon", 0.0), anthropic.stakes["Amazon"]
    seen = spy_on(model.ledger, ("compute_for_equity",))
    pre = model.capital.valuation(anthropic)
    got = model.capital.compute_for_equity(anthropic, 1e13, pre)
    assert got >= idle_value * model.p.money.compute_for_equity_months * 0.999
    assert seen["Amazon", "Anthropic", "compute_for_equity"] >= idle_value * 0.999
    assert anthropic.obligations["Amazon"] == pytest.approx(owed + seen[
        "Amazon", "Anthropic", "compute_for_equity"])
    assert anthropic.stakes["Amazon"] > stake
    assert model.capital.compute_for_equity_cum == pytest.approx(got)
    # A year's allowance is spent: nothing more this month, and nothing at full utilisation.
    assert model.capital.compute_for_equity(anthropic, 1e13, pre) == 0.0
    amazon.utilisation = model.by_name["Microsoft"].utilisation = model.p.compute.target_utilisation
    assert model.capital.compute_for_equity(model.lab("OpenAI"), 1e13, pre) == 0.0
    off = AIIndustry(small(money={"compute_for_equity_months": 0.0}), seed=0)
    _run(off, 6)
    off.by_name["Amazon"].utilisation = 0.1
    assert off.capital.compute_for_equity(off.lab("Anthropic"), 1e13, pre) == 0.0
