"""Consumers (sim/mechanisms/demand.py, sim/markets/products.py): a share of customers
subscribe to a lab's own app. They buy direct (on no cloud), pay flat subscriptions (the
token price does not move them), re-choose less often than businesses, and have no paid
open-weights app to choose."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.markets import deals
from sim.mechanisms import demand, pricing
from sim.mechanisms.demand import CustomerPopulation
from sim.model import AIIndustry

NO_CONSUMERS = {"consumer_share": 0.0}


def _population(n, consumer_share, seed=3, price_weight=2.0):
    rng = np.random.default_rng(seed)
    pop = CustomerPopulation(n, rng, [0.24, 0.31, 0.11], 1.0, 4.0, price_weight,
                             consumer_share=consumer_share)
    return pop, rng


def test_a_share_of_customers_are_consumers_and_businesses_keep_the_cloud_shares():
    pop, _ = _population(40_000, 0.4)
    consumers = pop.home == pop.direct
    assert consumers.mean() == pytest.approx(0.4, abs=0.01)
    business_homes = np.bincount(pop.home[~consumers], minlength=pop.n_homes) / (~consumers).sum()
    np.testing.assert_allclose(business_homes[:3], [0.24, 0.31, 0.11], atol=0.01)
    assert business_homes[pop.direct] == 0.0
    # Without consumers nobody is direct, and the draws are those of the cloud shares alone.
    none, _ = _population(40_000, 0.0)
    assert not (none.home == none.direct).any()
    rng = np.random.default_rng(3)
    probs = np.array([0.24, 0.31, 0.11, 0.34])
    np.testing.assert_array_equal(none.home, rng.choice(4, size=40_000, p=probs / probs.sum()))


def test_consumers_ignore_the_token_price_and_businesses_do_not():
    pop, rng = _population(20_000, 0.5)
    pop.start_with(rng, [0.5, 0.5])
    consumers = pop.home == pop.direct
    # Two models of equal quality, the second at a third of the price; all re-choose.
    pop.choose(rng, np.array([25.0, 25.0]), np.log([3.0, 1.0]), np.ones(2, bool),
               np.zeros((2, pop.n_homes)), 0.0, 1.0, consumer_rechoose_prob=1.0)
    cheap = pop.choice == 1
    assert cheap[~consumers].mean() > 0.7
    assert cheap[consumers].mean() == pytest.approx(0.5, abs=0.03)


def test_consumers_rechoose_at_their_own_rate():
    pop, rng = _population(20_000, 0.5)
    pop.start_with(rng, [1.0, 0.0])
    consumers = pop.home == pop.direct
    better = np.array([25.0, 27.0])  # the second model is two steps better
    pop.choose(rng, better, np.zeros(2), np.ones(2, bool), np.zeros((2, pop.n_homes)), 0.0,
               rechoose_prob=0.5, consumer_rechoose_prob=0.05)
    moved = pop.choice == 1
    assert moved[~consumers].mean() == pytest.approx(0.5, abs=0.03)
    assert moved[consumers].mean() == pytest.approx(0.05, abs=0.01)
    # None: consumers re-choose at the businesses' rate.
    pop.choose(rng, better, np.zeros(2), np.ones(2, bool), np.zeros((2, pop.n_homes)), 0.0,
               rechoose_prob=1.0)
    assert (pop.choice == 1).mean() > 0.95


def test_the_share_reached_mixes_both_rates():
    reached = demand.reached_share(12.0, 0.1, 0.03, 0.4)
    assert reached == pytest.approx(0.6 * (1 - 0.9**12) + 0.4 * (1 - 0.97**12))
    assert demand.reached_share(12.0, 0.1, 0.03, 0.0) == 1 - 0.9**12


def test_consumers_start_with_and_choose_only_closed_labs(small):
    model = AIIndustry(small(demand={"consumer_share": 0.5}), seed=1)
    customers = model.customers
    consumers = customers.home == customers.direct
    open_slots = [lab.slot for lab in model.labs if lab.publishes_weights]
    assert open_slots
    assert not np.isin(customers.choice[consumers], open_slots).any()
    assert np.isin(customers.choice[~consumers], open_slots).any()  # businesses do
    for _ in range(12):
        model.step()
        assert not np.isin(customers.choice[consumers], open_slots).any()


def test_consumers_buy_direct_no_cloud_takes_a_revenue_share_and_labs_price_for_business(
        small, payments, balanced):
    model = AIIndustry(small(demand={"consumer_share": 0.5}), seed=0)
    for _ in range(6):
        model.step()
    paid = payments(model)
    model.step()
    pm, customers = model.products, model.customers
    spend = customers.spend_by_model_and_home(pm.n_products) * pm.ai_spend
    openai, azure = model.lab("OpenAI"), model.by_name["Microsoft"]
    assert spend[openai.slot, customers.direct] > 0.0
    # The partner's revenue share is on the sales on its cloud only, not on consumers'.
    assert paid["OpenAI", "Microsoft", "revenue_share"] == pytest.approx(
        deals.revenue_share(openai, "Microsoft", model.p.finance.revenue_share)
        * spend[openai.slot, azure.cloud])
    # The token price is the logit best response to the lab's share of businesses' spending.
    business = np.delete(spend, customers.direct, axis=1).sum(axis=1)
    assert pm.business_spend == pytest.approx(business, rel=1e-9)
    model.step()  # priced against month 6's shares
    d = model.p.demand
    share = business[openai.slot] / business.sum()
    markup = pricing.markup(pricing.elasticity(d.price_weight, share), d.max_markup)
    assert openai.serving_share == pytest.approx(1.0 / markup, rel=1e-9)
    assert share < float(spend[openai.slot].sum() / spend.sum())  # OpenAI's consumers
    model.run()
    _, ind = model.recorder.frames()
    assert balanced(ind)


def test_habit_keeps_the_leaders_consumers_over_2024():
    """OpenAI, the 2024-01 leader, keeps more of its sales over 2024 with consumers than
    without them, seed by seed (consumers re-choose rarely and do not follow price)."""
    def share_lost(consumer_share, seed):
        model = AIIndustry(_params(consumer_share), seed=seed)
        first = None
        for month in range(12):
            model.step()
            share = model.products.model_spend[model.lab("OpenAI").slot] / model.products.ai_spend
            first = share if month == 0 else first
        return first - share
    for seed in (0, 1, 2):
        assert share_lost(0.4, seed) < share_lost(0.0, seed) - 0.02


def _params(consumer_share):
    from sim.config import to_params
    return to_params({"horizon_months": 12, "demand": {"consumer_share": consumer_share}})


def test_without_consumers_businesses_are_the_whole_market(small):
    """With no consumers the business share is the market share, lab by lab, and labs
    price as before consumers (their markup reads the same share)."""
    model = AIIndustry(small(demand=NO_CONSUMERS), seed=0)
    model.step()
    assert model.products.business_spend.sum() == pytest.approx(model.products.ai_spend)
    for lab in model.labs:
        assert model.view.business_share(lab) == pytest.approx(model.view.market_share(lab),
                                                               rel=1e-12, abs=1e-15)
    assert not math.isnan(model.lab("OpenAI").price)
