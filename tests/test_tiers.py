"""Cheap tiers (limitation 18; sim/markets/products.py): every closed lab that sells also
offers a small model distilled from its frontier model; customers choose among products,
the lab gets the money of both tiers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.markets import deals
from sim.mechanisms import pricing
from sim.mechanisms.demand import CustomerPopulation
from sim.mechanisms.finance import CUSTOMERS
from sim.model import AIIndustry

TIERS = {"cheap_tier": True}  # off by default (sim/params.py demand.cheap_tier)


def _run(model, months):
    for _ in range(months):
        model.step()


def test_the_cheap_tiers_gap_follows_the_overtraining_law():
    gap = pricing.cheap_tier_gap
    # At one practice a tier of 1/100 the parameters is the optimal model of 1/10,000 the
    # compute: 4 decades, 4 steps (8 at two steps a decade).
    assert gap(0.01, 30.0, 30.0, 1.0) == pytest.approx(4.0)
    assert gap(0.01, 30.0, 30.0, 2.0) == pytest.approx(8.0)
    # Training the small model longer narrows the gap; over-training the frontier model
    # too widens it back to the size alone.
    assert gap(0.06, 30.0, 3200.0, 1.0) < gap(0.06, 30.0, 30.0, 1.0)
    assert gap(0.06, 3200.0, 3200.0, 1.0) == pytest.approx(2.0 * math.log10(1.0 / 0.06))
    # The defaults: GPT-4o mini's size (0.06) at Llama 3.1-8B's tokens a parameter, 1.3
    # steps below a frontier model trained at 2024-01's 30, 2.4 at the ceiling.
    assert gap(0.06, 30.0, 3200.0, 1.0) == pytest.approx(1.26, abs=0.01)
    assert gap(0.06, 3200.0, 3200.0, 1.0) == pytest.approx(2.44, abs=0.01)
    assert gap(0.9, 30.0, 3200.0, 1.0) == 0.0  # never better than its teacher


def test_each_tier_is_priced_at_the_labs_markup_over_its_own_serving_cost(small):
    model = AIIndustry(small(demand=TIERS), seed=0)
    model.step()  # month 0: frontier models trained at tokens_per_param_2024
    pm, n, d = model.products, len(model.labs), model.p.demand
    assert pm.n_products == 2 * n
    gap = pricing.cheap_tier_gap(d.cheap_tier_size, d.tokens_per_param_2024,
                                 d.cheap_tier_tokens_per_param, 1.0)
    closed = [lab for lab in model.labs if lab.sells and not lab.publishes_weights]
    assert len(closed) == 5
    for lab in closed:
        j, k = lab.slot, n + lab.slot
        assert pm.flop_per_token[k] == pytest.approx(d.cheap_tier_size * pm.flop_per_token[j])
        # One markup over the same price per FLOP: the price follows the FLOP per token.
        assert pm.price[k] / pm.flop_per_token[k] == pytest.approx(
            pm.price[j] / pm.flop_per_token[j])
        assert pm.price[k] == pytest.approx(d.cheap_tier_size * lab.price)
        assert pm.offered_capability[k] == pytest.approx(lab.capability - gap)
    # Open weights stay one product; labs without a model offer neither tier.
    for lab in model.labs:
        if lab.publishes_weights or not lab.sells:
            assert pm.offered_capability[n + lab.slot] == -math.inf


def test_price_minded_customers_choose_the_cheap_tier():
    def cheap_share(quality_weight, price_weight):
        rng = np.random.default_rng(0)
        pop = CustomerPopulation(4000, rng, [0.5], 1.0, quality_weight, price_weight)
        pop.start_with(rng, [1.0, 0.0])
        # A frontier model and its cheap tier: 1.5 steps less at 0.06 of the price.
        caps, log_price = np.array([25.0, 23.5]), np.log([1.0, 0.06])
        pop.choose(rng, caps, log_price, np.array([True, True]), np.zeros((2, pop.n_homes)),
                   0.0, 1.0, every_column=False)
        return pop.spend_by_model_and_home(2).sum(axis=1)[1]

    price_minded, quality_minded = cheap_share(2.0, 8.0), cheap_share(4.0, 1.0)
    assert price_minded > 0.8 and quality_minded < 0.2


def test_in_the_model_price_minded_customers_buy_more_cheap_tiers(small):
    def cheap_share(price_weight):
        model = AIIndustry(small(demand={**TIERS, "price_weight": price_weight}), seed=2)
        _run(model, 12)
        pm, n = model.products, len(model.labs)
        return pm.product_spend[n:].sum() / pm.ai_spend
    assert cheap_share(4.0) > cheap_share(2.0) + 0.05 > cheap_share(1.0) + 0.1


def test_in_the_model_a_labs_revenue_is_both_tiers_and_the_books_balance(small, payments,
                                                                           balanced):
    model = AIIndustry(small(demand=TIERS), seed=0)
    _run(model, 6)
    paid = payments(model)
    model.step()  # month 6
    pm, n = model.products, len(model.labs)
    spend = model.customers.spend_by_model_and_home(pm.n_products) * pm.ai_spend
    firms, _ = model.recorder.frames()
    month = firms[firms["month"] == 6].set_index("firm")
    mixed = 0
    for lab in model.labs:
        if not lab.sells or lab.publishes_weights:
            continue
        j, k = lab.slot, n + lab.slot
        both = pm.product_spend[j] + pm.product_spend[k]
        assert paid[CUSTOMERS, lab.name, "sales"] == pytest.approx(both, rel=1e-12)
        assert month.loc[lab.name, "revenue_usd"] == pytest.approx(both, rel=1e-12)
        assert month.loc[lab.name, "market_share"] == pytest.approx(both / pm.ai_spend)
        assert month.loc[lab.name, "cheap_tier_share"] == pytest.approx(
            pm.product_spend[k] / both)
        mixed += 0.0 < pm.product_spend[k] < both
        # Serving compute is ordered for each tier's tokens at its own FLOP per token.
        ordered = sum(o.flop for orders in pm.inference_orders.values() for o in orders
                      if o.buyer is lab)
        tokens = spend[[j, k]].sum(axis=1) / pm.price[[j, k]]
        assert ordered == pytest.approx(float(tokens @ pm.flop_per_token[[j, k]]), rel=1e-9)
    assert mixed >= 3  # most closed labs sell both tiers
    # The partner cloud's revenue share is taken on both tiers' sales on its cloud.
    openai, azure = model.lab("OpenAI"), model.by_name["Microsoft"]
    carried = spend[openai.slot, azure.cloud] + spend[n + openai.slot, azure.cloud]
    assert pm.product_spend[n + openai.slot] > 0
    assert paid["OpenAI", "Microsoft", "revenue_share"] == pytest.approx(
        deals.revenue_share(openai, "Microsoft", model.p.finance.revenue_share) * carried)
    model.run()
    _, ind = model.recorder.frames()
    assert balanced(ind)


def test_switched_off_each_lab_sells_one_model(small, balanced):
    model = AIIndustry(small(demand={"cheap_tier": False}), seed=0)
    model.run()
    assert model.products.n_products == len(model.labs)
    assert model.customers.choice.max() < len(model.labs)
    firms, ind = model.recorder.frames()
    assert (firms["cheap_tier_share"] == 0.0).all()
    assert balanced(ind)
