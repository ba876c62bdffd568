"""Prices (issue 17): logit-Bertrand markups, serving FLOP from tokens, distillation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config import to_params
from sim.mechanisms import pricing
from sim.mechanisms.demand import CustomerPopulation
from sim.model import AIIndustry
from sim.policies.lab import ReturnsLab


def test_markup_is_the_lerner_rule_and_rises_with_share_up_to_its_cap():
    # Fixed budgets: tokens fall by 1 + w (1 - s) per log price, so p/c = 1 + 1/(w (1 - s)).
    for w, s in ((2.0, 0.55), (1.0, 0.1), (4.0, 0.3)):
        e = pricing.elasticity(w, s)
        assert pricing.markup(e, 100.0) == pytest.approx(1.0 + 1.0 / (w * (1.0 - s)))
    ups = [pricing.markup(pricing.elasticity(2.0, s), 100.0) for s in (0.0, 0.2, 0.5, 0.8)]
    assert all(a < b for a, b in zip(ups, ups[1:]))  # a bigger share prices higher
    assert pricing.markup(pricing.elasticity(2.0, 0.55), 100.0) == pytest.approx(2.11, abs=0.01)
    assert pricing.markup(pricing.elasticity(2.0, 0.999), 5.0) == 5.0  # capped
    assert pricing.markup(1.0, 5.0) == 5.0 and pricing.markup(0.5, 3.0) == 3.0  # e <= 1: cap
    assert pricing.markup(pricing.elasticity(1e6, 0.0), 5.0) == pytest.approx(1.0, abs=1e-5)


def test_serving_flop_per_token_follows_model_size_and_falls_with_algorithms():
    f = lambda cap, month: pricing.flop_per_token(cap, month, 1.0, 8.0, 1.0)  # noqa: E731
    # Chinchilla: 1e25 FLOP -> N = sqrt(1e25 / 120) parameters, 2 FLOP each a token.
    assert f(25.0, 0.0) == pytest.approx(2.0 * math.sqrt(1e25 / 120.0))
    assert f(26.0, 0.0) / f(25.0, 0.0) == pytest.approx(math.sqrt(10.0))  # 10x compute
    assert f(25.0, 16.0) / f(25.0, 0.0) == pytest.approx(0.5)  # two halvings: N halves
    assert pricing.flop_per_token(25.0, 0.0, 1.0, 8.0, 3.0) == pytest.approx(3.0 * f(25.0, 0.0))


def test_an_overtrained_model_is_smaller_at_the_same_loss_down_to_a_floor():
    a = pricing.LOSS_EXPONENT
    assert pricing.overtrained_size(20.0) == pytest.approx(1.0)  # Chinchilla: its own size
    for r in (5.0, 30.0, 260.0, 3200.0):
        n = pricing.overtrained_size(r)
        # Same loss: with B = A 20^a the optimum (n = 1, D = 20 N*) has both terms equal, so
        # n^-a + (r n / 20)^-a must equal 2 (N* = 1, A = 1).
        assert n ** -a + (r * n / 20.0) ** -a == pytest.approx(2.0, rel=1e-12)
    sizes = [pricing.overtrained_size(r) for r in (20.0, 30.0, 100.0, 260.0, 3200.0, 1e9)]
    assert all(x > y for x, y in zip(sizes, sizes[1:]))  # more tokens: smaller model
    assert sizes[-1] > 2.0 ** (-1.0 / a) and sizes[-1] == pytest.approx(2.0 ** (-1.0 / a), rel=1e-2)
    # The 70B class of 2024 (~260 tokens a parameter, CSV) is ~0.36 of Chinchilla's size.
    assert pricing.overtrained_size(260.0) == pytest.approx(0.364, abs=0.002)


def test_tokens_per_parameter_grow_to_a_ceiling_and_shrink_the_flop_per_token():
    assert pricing.tokens_per_param(0.0, 30.0, 9.0, 3200.0) == 30.0
    assert pricing.tokens_per_param(12.0, 30.0, 9.0, 3200.0) == pytest.approx(270.0)
    assert pricing.tokens_per_param(60.0, 30.0, 9.0, 3200.0) == 3200.0
    f = pricing.flop_per_token(25.0, 6.0, 1.0, 8.0, 3.0)
    assert pricing.flop_per_token(25.0, 6.0, 1.0, 8.0, 3.0, 0.4) == pytest.approx(0.4 * f)


def test_distilled_open_weights_trail_a_steady_frontier_by_the_lag():
    for lag in (3.0, 12.0):
        open_cap, growth = 0.0, 0.1  # frontier gains 0.1 a month
        for t in range(400):
            open_cap = pricing.distilled(open_cap, growth * t, lag)
        # Against a linear frontier the follower settles `lag` months (less the one-step
        # discretisation) behind.
        assert (growth * 399 - open_cap) / growth == pytest.approx(lag - 1.0, rel=1e-6)
    assert pricing.distilled(5.0, 4.0, 12.0) == 5.0  # never distils down


def test_a_price_cut_wins_customers():
    rng = np.random.default_rng(0)
    pop = CustomerPopulation(4000, rng, [0.5], 1.0, 4.0, 2.0)
    pop.start_with(rng, [0.5, 0.5])
    caps, offered = np.array([25.0, 25.0]), np.array([True, True])
    reach = np.zeros((2, pop.n_homes))
    pop.choose(rng, caps, np.log([1.0, 0.5]), offered, reach, 0.0, 1.0)  # model 1 halves
    shares = pop.spend_by_model_and_home(2).sum(axis=1)
    assert shares[1] > 0.6


class CutsOpenAI(ReturnsLab):
    """OpenAI prices just above its serving cost; everyone else as the default."""

    def markup(self, lab, view):
        return 1.1 if lab.name == "OpenAI" else super().markup(lab, view)


def _run(months=12, **sections):
    model = AIIndustry(to_params({"horizon_months": months, "demand": {"n_customers": 3000},
                                  **sections}), seed=1)
    for _ in range(months):
        model.step()
    return model


def test_in_the_model_a_price_cut_wins_share_and_lowers_the_margin():
    base = _run()
    cut = _run(policy={"lab": {"_target_": "tests.test_pricing.CutsOpenAI"}})
    b, c = base.lab("OpenAI"), cut.lab("OpenAI")
    assert c.price < b.price
    # More share every month of the year, ~5 points on average (a month's share is noisy).
    shares = [m.recorder.firm["market_share"][:, m.lab("OpenAI").index] for m in (base, cut)]
    assert np.all(shares[1] > shares[0]) and np.mean(shares[1] - shares[0]) > 0.03
    assert 1.0 - c.serving_share < 1.0 - b.serving_share  # gross margin per dollar of sales
    assert c.serving_share == pytest.approx(1.0 / 1.1)


def test_in_the_model_serving_flop_follow_the_tokens_sold():
    model = _run(months=1)
    market = model.products
    for name in ("OpenAI", "Anthropic"):
        lab = model.lab(name)
        ordered = sum(o.flop for orders in market.inference_orders.values() for o in orders
                      if o.buyer is lab)
        tokens = lab.last_sales / lab.price
        assert ordered == pytest.approx(tokens * market.flop_per_token[lab.slot], rel=1e-9)


def test_in_the_model_prices_differ_across_labs_and_the_price_of_capability_falls():
    model = AIIndustry(to_params({"horizon_months": 36, "demand": {"n_customers": 3000}}),
                       seed=0)
    model.run()
    firms, ind = model.recorder.frames()
    start = firms[(firms["month"] == 0) & (firms["price_usd"] > 0)]
    assert start["price_usd"].nunique() == len(start) >= 4  # every model its own price
    # The 2024-01 frontier model sells near GPT-4 Turbo's ~$15 per M tokens blended (C24 7).
    assert 5.0 < start["price_usd"].max() < 40.0
    index = ind["price_index"].to_numpy()
    assert index[0] == 1.0 and index[12] < 0.9 and index[35] < index[12] / 2
    # Open weights sell near cost, below every closed lab's markup.
    meta = model.lab("Meta")
    assert meta.serving_share > max(lab.serving_share for lab in model.labs
                                    if lab.sells and not lab.publishes_weights)


def test_fast_distillation_brings_open_weights_closer_to_the_frontier():
    def mean_gap(**demand):  # open weights behind the frontier, mean over the second year
        model = AIIndustry(to_params({"horizon_months": 24, "demand": {
            "n_customers": 3000, **demand}}), seed=1)
        gaps = []
        for _ in range(24):
            model.step()
            gaps.append(model.frontier()[0] - model.products.open_capability)
        return np.mean(gaps[12:])
    slow, fast = mean_gap(), mean_gap(distillation_lag_months=3)
    assert slow > 0.1 and fast < 0.5 * slow


def test_in_the_model_overtraining_lowers_the_price_of_capability_and_nothing_else():
    # Every model shrinks by the same share, so relative prices, choices and serving bills
    # (sales / markup) stay; only prices per token and the price index fall, by the share.
    # One model a lab: a cheap tier's capability gap moves with over-training (its own test
    # is below).
    one = {"n_customers": 3000, "cheap_tier": False}
    d = {**one, "tokens_per_param_growth_per_year": 1.0}
    flat, base = _run(demand=d), _run(demand=one)
    p = base.p.demand
    shrink = pricing.overtrained_size(pricing.tokens_per_param(
        11, p.tokens_per_param_2024, p.tokens_per_param_growth_per_year,
        p.max_tokens_per_param)) / pricing.overtrained_size(p.tokens_per_param_2024)
    assert shrink < 0.5
    _, ind_f = flat.recorder.frames()
    _, ind_b = base.recorder.frames()
    assert ind_b["price_index"].iloc[11] == pytest.approx(shrink * ind_f["price_index"].iloc[11],
                                                           rel=1e-9)
    for name in ("OpenAI", "Anthropic", "Google DeepMind"):
        assert base.lab(name).last_sales == pytest.approx(flat.lab(name).last_sales, rel=1e-9)
        assert base.lab(name).price < flat.lab(name).price
