"""Each mechanism in isolation, with numbers alone (no Mesa model)."""

import math

import numpy as np
import pytest

from sim.mechanisms import compute, demand, finance, returns, strategy, talent, training


# --- training and capability (A8, A29) -------------------------------------------------
def test_ten_times_compute_buys_one_fixed_step():
    steps = [training.capability(10.0**k, per_decade=1.0) for k in (24, 25, 26, 27)]
    assert np.allclose(np.diff(steps), 1.0)
    assert training.capability(1e26, 2.0) - training.capability(1e25, 2.0) == pytest.approx(2.0)


def test_algorithmic_progress_halves_compute_every_halving_period():
    assert training.algorithmic_efficiency(8, 8.0) == pytest.approx(2.0)
    assert training.algorithmic_efficiency(0, 8.0) == 1.0


def test_more_talent_raises_efficiency_with_diminishing_returns():
    talent_levels = np.array([0.5, 1.0, 1.5, 2.0, 2.5])
    mult = training.talent_multiplier(talent_levels, mean_talent=1.0, elasticity=0.3)
    gains = np.diff(mult)
    assert np.all(gains > 0)  # more talent, more efficiency
    assert np.all(np.diff(gains) < 0)  # each extra unit of talent adds less
    assert mult[1] == pytest.approx(1.0)
    flat = training.talent_multiplier(talent_levels, 1.0, elasticity=0.0)
    assert np.all(flat == 1.0)  # the mechanism switched off: talent does nothing


# --- compute market (A9, A10, A24) -----------------------------------------------------
def test_frontier_trend_doubles_every_doubling_period():
    assert compute.frontier_trend_flop(6, 5e25, 6.0) == pytest.approx(1e26)
    assert compute.frontier_trend_flop(12, 5e25, 4.0) == pytest.approx(4e26)


def test_scarcity_raises_the_compute_price():
    base = compute.market_price(1.0, 1.6, pressure=0.8, target=0.8, slope=3.0)
    tight = compute.market_price(1.0, 1.6, pressure=1.5, target=0.8, slope=3.0)
    slack = compute.market_price(1.0, 1.6, pressure=0.3, target=0.8, slope=3.0)
    assert base == pytest.approx(1.6) and slack == pytest.approx(1.6)
    assert tight == pytest.approx(1.6 * (1 + 3.0 * 0.7))
    assert compute.market_price(1.0, 1.6, 1.5, 0.8, slope=0.0) == pytest.approx(1.6)


def test_hardware_price_performance_lowers_cost():
    assert compute.replacement_cost(24.8, 4e-18, 1.6, 24.8) == pytest.approx(4e-18 / 1.6 / 2)


def test_fleet_cost_spreads_depreciation_over_planned_use():
    assert compute.average_cost(80.0, 100.0, 0.8, 0.5) == pytest.approx(1.5)


def test_rationing_serves_priority_first_and_never_exceeds_capacity():
    inf, train = compute.ration(np.array([3.0, 1.0]), np.array([4.0, 4.0]), capacity=6.0)
    assert inf.tolist() == [3.0, 1.0]
    assert train.tolist() == [1.0, 1.0]
    inf, train = compute.ration(np.array([6.0, 2.0]), np.array([4.0]), capacity=4.0)
    assert inf.sum() == pytest.approx(4.0) and train.sum() == 0.0
    inf, train = compute.ration(np.array([1.0]), np.array([1.0]), capacity=10.0)
    assert inf.sum() + train.sum() == 2.0  # no scarcity: everyone served


def test_capacity_arrives_after_lead_and_retires_after_life():
    cap = compute.Capacity(initial=48.0, horizon=60, lead=6, life=48, unit_capex=4.8)
    assert cap.in_service(0) == pytest.approx(48.0)
    assert cap.depreciation_at(0) == pytest.approx(48.0 * 4.8 / 48)  # carried at unit_capex
    capex = cap.order(0, target=100.0, capex_per_unit=2.0)
    # 1/48 of the initial capacity retires each month and, on a flat trend, the pipeline
    # ordered before month 0 replaces it until month 5; at month 6 six have retired and
    # five came in: the order makes up the gap.
    assert cap.in_service(5) == pytest.approx(48.0)
    assert cap.in_service(6) == pytest.approx(100.0)
    assert capex == pytest.approx(2.0 * (100.0 - 47.0))
    assert cap.depreciation_at(6) == pytest.approx(capex / 48 + 47 * 4.8 / 48)
    assert cap.in_service(6 + 48) == pytest.approx(0.0)
    assert cap.order(1, target=1e9, capex_per_unit=1.0, budget=5.0) == pytest.approx(5.0)


def test_capacity_bought_on_a_trend_keeps_growing_through_the_build_lead():
    g = 2.4 ** (1 / 12)
    cap = compute.Capacity(initial=100.0, horizon=60, lead=6, life=48, unit_capex=1.0,
                           growth_per_month=g)
    assert cap.in_service(0) == pytest.approx(100.0)
    # Each month's purchase was g times the month before's, the oldest retire first: the
    # fleet grows through the lead, and the last order before month 0 is g**5 times month 0's
    # vintage (it arrives in month 5).
    fleet = [cap.in_service(t) for t in range(6)]
    assert all(b > a for a, b in zip(fleet, fleet[1:]))
    newest = cap.added[cap.offset]
    assert cap.ordered_before(0) == pytest.approx(newest * g**5)
    assert fleet[5] == pytest.approx(100.0 + newest * sum(g**t for t in range(1, 6))
                                     - cap.added[1:6].sum())
    # Depreciation starts as each vintage enters service, at unit_capex over its life.
    assert cap.depreciation_at(5) == pytest.approx(fleet[5] / 48)


def test_planned_demand_grows_at_the_prior_until_it_has_a_trend_of_its_own():
    history = [10.0, 10.0, 10.0]
    assert compute.planned_demand(history, 6, max_growth=1.5, prior_growth=1.1) == \
        pytest.approx(10.0 * 1.1**6)
    assert compute.planned_demand(history, 6, max_growth=1.05, prior_growth=1.1) == \
        pytest.approx(10.0 * 1.05**6)  # never above the cap
    assert compute.planned_demand(history * 3, 6, max_growth=1.5, prior_growth=1.1) == \
        pytest.approx(10.0)  # nine months of flat demand: its own trend, flat


def test_planned_demand_extrapolates_growth_within_cap():
    history = [2.0 ** (m / 6) for m in range(12)]
    expected = compute.planned_demand(history, lead=6, max_growth=1.5)
    recent = np.mean(history[-3:])
    assert expected == pytest.approx(recent * 2.0, rel=1e-9)
    assert compute.planned_demand(history, 6, max_growth=1.0) == pytest.approx(recent)


# --- demand and distribution (A19, A27) ------------------------------------------------
def _population(n=20_000, seed=1):
    rng = np.random.default_rng(seed)
    return demand.CustomerPopulation(n, rng, [0.24, 0.31, 0.11], 1.0, 4.0, 1.0), rng


def _choose(pop, rng, reach):
    caps = np.array([26.0, 26.0, 25.5])
    log_price = np.zeros(3)
    pop.choose(rng, caps, log_price, np.ones(3, bool), reach, switching_cost=0.0,
               rechoose_prob=1.0)
    return pop.spend_by_model_and_home(3)


def test_home_cloud_carrying_a_partner_model_wins_its_customers():
    pop, rng = _population()
    reach = np.zeros((3, 4))
    reach[0, 0] = 1.0  # model 0 is carried by cloud 0 (the access deal)
    with_deal = _choose(pop, rng, reach)
    without = _choose(pop, rng, np.zeros((3, 4)))
    share_on_home = lambda s: s[0, 0] / s[:, 0].sum()  # noqa: E731
    share_elsewhere = lambda s: s[0, 1] / s[:, 1].sum()  # noqa: E731
    assert share_on_home(with_deal) > share_on_home(without) + 0.15
    assert share_on_home(with_deal) > share_elsewhere(with_deal) + 0.15
    assert abs(share_elsewhere(with_deal) - share_elsewhere(without)) < 0.03


def test_better_and_cheaper_models_win_share():
    pop, rng = _population()
    pop.choose(rng, np.array([26.0, 25.0]), np.zeros(2), np.ones(2, bool), np.zeros((2, 4)),
               0.0, 1.0)
    quality = pop.spend_by_model_and_home(2).sum(axis=1)
    assert quality[0] > 0.8
    pop.choose(rng, np.array([26.0, 26.0]), np.array([0.0, math.log(0.3)]), np.ones(2, bool),
               np.zeros((2, 4)), 0.0, 1.0)
    price = pop.spend_by_model_and_home(2).sum(axis=1)
    assert price[1] > 0.6


def test_switching_cost_keeps_customers_and_gone_models_lose_them():
    pop, rng = _population(5000)
    pop.start_with(rng, [1.0, 0.0])
    assert np.all(pop.choice == 0)
    pop.choose(rng, np.array([25.0, 25.5]), np.zeros(2), np.ones(2, bool), np.zeros((2, 4)),
               switching_cost=0.0, rechoose_prob=0.1)
    moved = (pop.choice == 1).mean()
    assert 0.03 < moved < 0.1  # only re-choosers move
    pop.choose(rng, np.array([25.0, 25.5]), np.zeros(2), np.array([False, True]),
               np.zeros((2, 4)), 0.0, rechoose_prob=0.0)
    assert np.all(pop.choice == 1)  # stranded customers of a closed model re-choose


def test_gumbel_of_some_columns_is_numpys_gumbel_and_leaves_the_same_stream():
    ours, numpys = np.random.default_rng(7), np.random.default_rng(7)
    columns = np.array([0, 2, 3])
    got = demand.gumbel_columns(ours, (400, 5), columns)
    # Two code paths (numpy's vectorised log here, the C library's log inside numpy's
    # gumbel) may round differently in the last bit on some CPUs: equal within a tolerance.
    np.testing.assert_allclose(got, numpys.gumbel(size=(400, 5))[:, columns], rtol=1e-12,
                               atol=1e-15)
    assert ours.random() == numpys.random()


def test_choice_among_models_on_offer_is_the_full_gumbel_argmax():
    """Computing utilities of the offered models only picks what the argmax of every model's
    utility plus numpy's Gumbel noise (not offered: -inf) picks, customer by customer."""
    pop, rng = _population(3000, seed=4)
    pop.start_with(rng, [0.5, 0.2, 0.2, 0.1])
    caps, log_price = np.array([25.0, 25.4, 24.0, 25.2]), np.array([0.0, 0.0, -1.2, 0.0])
    offered = np.array([True, False, True, True])
    reach = np.random.default_rng(5).random((4, 4))
    before, state = pop.choice.copy(), rng.bit_generator.state
    pop.choose(rng, caps, log_price, offered, reach, switching_cost=0.5, rechoose_prob=0.3)

    ref = np.random.default_rng()
    ref.bit_generator.state = state
    stranded = ~offered[before]
    movers = np.flatnonzero(stranded | (ref.random(pop.n) < 0.3))
    util = (pop.beta_quality[movers, None] * caps - pop.beta_price[movers, None] * log_price
            + reach[:, pop.home[movers]].T)
    util[np.arange(movers.size), before[movers]] += 0.5
    util += ref.gumbel(size=util.shape)
    util[:, ~offered] = -np.inf
    expected = before.copy()
    expected[movers] = np.argmax(util, axis=1)
    assert stranded.sum() > 0 and not np.any(pop.choice == 1)
    np.testing.assert_array_equal(pop.choice, expected)


def test_spend_grows_with_frontier_quality_under_a_ceiling():
    base = demand.ai_spend(0.0, 2.5e8, 3.0, 1e12)
    one = demand.ai_spend(1.0, 2.5e8, 3.0, 1e12)
    assert one / base == pytest.approx(3.0, rel=0.01)
    assert demand.ai_spend(30.0, 2.5e8, 3.0, 1e12) < 1e12 / 12
    # Adoption multiplies spending at equal quality.
    assert demand.ai_spend(0.0, 2.5e8, 3.0, 1e12, adopted=2.0) / base == pytest.approx(2, rel=0.01)


def test_adoption_grows_at_its_2024_rate_then_levels_off():
    """g = 1: about 2x in the first year (a little less: the rate slows within it), then
    slower growth, levelling off at exp(ln 2 x 2 / ln 2) = e^2 with a 2-year slowdown."""
    assert demand.adoption(0, 1.0, 2.0) == 1.0
    first, second = demand.adoption(12, 1.0, 2.0), demand.adoption(24, 1.0, 2.0) / \
        demand.adoption(12, 1.0, 2.0)
    assert 1.6 < first < 2.0 and 1.0 < second < first
    assert demand.adoption(1200, 1.0, 2.0) == pytest.approx(math.e ** 2, rel=1e-6)
    assert demand.adoption(60, 0.0, 2.0) == 1.0  # no adoption growth: flat


# --- finance (A17, A22) ----------------------------------------------------------------
def test_ledger_moves_every_dollar_and_counts_outside_flows():
    ledger = finance.Ledger()
    ledger.open_account("lab", 10.0)
    ledger.open_account("cloud")
    ledger.close_month()
    ledger.pay("lab", "cloud", 4.0, "compute")
    ledger.pay(finance.CUSTOMERS, "lab", 3.0, "sales")
    ledger.pay("cloud", finance.ENERGY, 1.0, "energy")
    flows, net_outside = ledger.close_month()
    assert ledger.cash == {"lab": 9.0, "cloud": 3.0}
    assert net_outside == pytest.approx(2.0)  # 3 in from customers, 1 out to energy
    assert flows["cloud", "compute", 1] == 4.0 and flows["lab", "compute", -1] == 4.0
    with pytest.raises(ValueError):
        ledger.pay("lab", "cloud", -1.0, "compute")
    with pytest.raises(ValueError):
        ledger.pay("lab", "cloud", float("nan"), "compute")


def test_valuation_follows_revenue_and_frontier_rank():
    v = finance.valuation(1e9, 0.0, 25.0, 1.0)
    assert v == pytest.approx(50e9)
    assert finance.valuation(2e9, 0.0, 25.0, 1.0) == pytest.approx(2 * v)
    assert finance.valuation(1e9, 2.0, 25.0, 1.0) < v
    assert finance.equity_for(25.0, 75.0) == pytest.approx(0.25)
    stakes = finance.dilute({"a": 0.5, "b": 0.5}, 0.2, "c")
    assert stakes == pytest.approx({"a": 0.4, "b": 0.4, "c": 0.2})


# --- make or buy (A18) -----------------------------------------------------------------
KW = dict(adjust_rate=0.2, sensitivity=3.0, push=0.0, floor=0.05)


def test_more_valuable_own_programme_shifts_toward_making():
    up = strategy.make_weight_step(0.3, buy=2e9, make=10e9, **KW)
    down = strategy.make_weight_step(0.3, buy=10e9, make=2e9, **KW)
    assert up > 0.3 > down
    # Values may be negative: a programme that lost money against partners that earned.
    assert strategy.make_weight_step(0.3, buy=1e9, make=-5e9, **KW) < 0.3
    # Equal values favour a half-and-half hybrid: the weight moves a fifth of the way there.
    assert strategy.make_weight_step(0.3, 5e9, 5e9, **KW) == pytest.approx(0.34)
    assert strategy.make_weight_step(0.3, 5e9, 5e9, **{**KW, "adjust_rate": 0}) == 0.3
    # The favoured weight lies within logistic(+-sensitivity): never all or nothing at once.
    all_make = strategy.make_weight_step(0.3, 0.0, 1e9, **{**KW, "adjust_rate": 1})
    assert all_make == pytest.approx(1 / (1 + math.exp(-3.0)))


def test_equity_bought_at_its_value_is_neither_a_cost_nor_a_gain():
    """Limitation 4 fixed: investing in a partner buys stake value; only the change in that
    value beyond the money put in, and what the partner pays back, count as buying's return."""
    quiet = strategy.buy_value(10e9, 10e9, invested=0.0, partner_payback=1e9)
    invests = strategy.buy_value(10e9, 14e9, invested=4e9, partner_payback=1e9)
    assert invests == quiet == 1e9
    assert strategy.buy_value(10e9, 20e9, 4e9, 1e9) == 7e9  # the partner's value rose
    # Making: the own lab's valuation change plus margin, less cost, plus control.
    assert strategy.make_value(5e9, 8e9, margin=1e9, cost=2e9, control_value=0.5) == 3e9


def test_push_and_bounds():
    assert strategy.make_weight_step(0.5, 1.0, 1.0, **{**KW, "push": 0.1}) == pytest.approx(0.6)
    assert strategy.make_weight_step(0.99, 1.0, 1e12, **{**KW, "push": 0.1}) == 1.0
    assert strategy.make_weight_step(0.06, 1e12, 1.0, **{**KW, "push": -0.1}) == 0.05



# --- talent (A28, A29) -----------------------------------------------------------------
def test_researchers_move_toward_better_offers_within_openings():
    rng = np.random.default_rng(3)
    n = 4000
    pop = talent.ResearcherPopulation(rng.lognormal(0, 0.5, n), np.zeros(n, np.int64), pool=2)
    utility = np.array([0.0, 3.0, -1.0])  # firm 1 pays far better
    moved = pop.move(rng, utility, openings=np.array([0, 300, 0]), move_prob=0.5, move_cost=0.5)
    assert pop.headcount()[1] == 300  # as many as firm 1 had openings
    assert moved > 300  # the rest of the movers went to the pool
    assert pop.skill[pop.employer == 1].mean() > pop.skill[pop.employer == 0].mean()
    assert pop.move(rng, utility, np.array([0, 300, 0]), move_prob=0.0, move_cost=0.5) == 0


def test_closed_firm_releases_its_researchers():
    pop = talent.ResearcherPopulation(np.ones(5), np.array([0, 0, 1, 1, 1]), pool=2)
    assert pop.release(1) == 3
    assert pop.headcount().tolist() == [2, 0, 3]
    assert pop.talent(2.0).tolist() == [2.0, 0.0, 3.0]


# --- expected returns of a run (issue #16) ----------------------------------------------
def _market(**kw):
    base = dict(share=0.2, released=25.0, current=25.0, frontier=25.0, rivals_next=25.5,
                spend=1e9, spend_multiplier=3.0, spend_ceiling=1e12, quality_weight=4.0,
                reached=0.7, keep=0.3, payback_months=12.0, value_weight=0.1,
                revenue_multiple=25.0, frontier_option=1.0)
    return returns.Market(**{**base, **kw})


def test_a_better_model_wins_share_under_logit_choice():
    assert returns.share_after(0.2, 1.0, 4.0, 1.0) > 0.2 > returns.share_after(0.2, -1.0, 4.0, 1.0)
    assert returns.share_after(0.2, 1.0, 4.0, 0.0) == 0.2  # nobody re-chooses: no change
    assert returns.share_after(0.2, 0.0, 4.0, 1.0) == pytest.approx(0.2)


def test_falling_behind_rivals_loses_value():
    """The risk of falling behind: the same model is worth less when rivals' runs in
    progress will be out ahead of it, and a lab that does not keep up loses share."""
    ahead = returns.run_value(26.0, _market(rivals_next=25.5))
    behind = returns.run_value(26.0, _market(rivals_next=26.5))
    assert ahead > behind
    # Keeping its current model (a tiny run) while rivals advance is worth less than today.
    today = _market().spend * 0.2 * 0.3 * 12
    assert returns.run_value(-math.inf, _market(rivals_next=26.0)) < today + 0.1 * \
        finance.valuation(12 * 1e9 * 0.2, 0.0, 25.0, 1.0)


def test_a_run_is_sized_bigger_when_expected_returns_are_higher():
    scales = [2.0**k for k in range(1, -9, -1)]
    chosen = [returns.best_run(scales, 25.8, 5e9, 0.30103, _market(spend=s)).scale
              for s in (1e6, 1e8, 1e9, 1e10)]
    assert chosen == sorted(chosen) and chosen[0] == scales[-1] and chosen[-1] == scales[0]
    # Dearer runs: smaller.
    cheap = returns.best_run(scales, 25.8, 1e8, 0.30103, _market(spend=1e8)).scale
    dear = returns.best_run(scales, 25.8, 1e11, 0.30103, _market(spend=1e8)).scale
    assert cheap > dear


def test_a_run_expected_to_land_below_the_best_model_still_has_value_from_its_spread():
    """Run outcomes vary (training.outcome_sigma): a run whose expected model is a little
    worse than the lab's best may still beat it, so it is worth something; without spread,
    nothing beyond keeping the best model."""
    m = _market(current=26.0, released=25.5, rivals_next=26.2)
    keep_best = returns.run_value(-math.inf, m)
    assert returns.run_value(25.9, m) == keep_best
    assert returns.expected_run_value(25.9, 0.3, m) > keep_best
    assert returns.expected_run_value(25.9, 0.0, m) == keep_best


def _best_run_by_brute_force(scales, at_trend, cost_at_trend, per_doubling, m, sigma):
    """best_run as first written: expected_run_value of every scale, no shortcut."""
    best = None
    for scale in scales:
        value = returns.expected_run_value(at_trend + per_doubling * math.log2(scale), sigma, m)
        cost = cost_at_trend * scale
        if best is None or value - cost > best.value - best.cost:
            best = returns.Choice(scale, value, cost)
    return best


@pytest.mark.parametrize("sigma", [0.0, 0.15, 0.6])
def test_best_run_is_the_brute_force_search_to_the_last_bit(sigma):
    """best_run shares one run_value among outcomes below the lab's best model: the same
    choice, value and cost, bit for bit, as evaluating every scale and outcome."""
    rng = np.random.default_rng(7)
    scales = [2.0**k for k in range(0, -9, -1)]
    for _ in range(300):
        current = 25.0 + rng.uniform(-1.0, 1.5)
        m = _market(current=current, released=current - rng.uniform(0.0, 0.5),
                    frontier=25.0 + rng.uniform(0.0, 1.0),
                    rivals_next=25.0 + rng.uniform(-0.5, 2.0),
                    spend=10.0 ** rng.uniform(6, 11), share=rng.uniform(0.01, 0.6))
        args = (scales, 25.0 + rng.uniform(-1.0, 2.0), 10.0 ** rng.uniform(7, 11), 0.30103, m)
        fast = returns.best_run(*args, sigma=sigma)
        assert fast == _best_run_by_brute_force(*args, sigma)
    # Outcomes below the best model (current far ahead) are all worth keeping the best.
    m = _market(current=40.0, released=40.0)
    low = returns.best_run(scales, 25.0, 1e9, 0.30103, m, sigma=0.3)
    assert low == _best_run_by_brute_force(scales, 25.0, 1e9, 0.30103, m, 0.3)
    assert low.scale == scales[-1] and low.value == pytest.approx(returns.run_value(40.0, m))
