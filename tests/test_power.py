"""Power and sites for AI capacity (sim/mechanisms/power.py): in isolation and in the model."""

import numpy as np
import pytest

from sim.mechanisms import compute, power
from sim.model import AIIndustry


def test_a_flop_draws_half_the_power_after_the_doubling_time():
    assert power.watts_per_flop(0, 2e-18, 24.0) == 2e-18
    assert power.watts_per_flop(24, 2e-18, 24.0) == pytest.approx(1e-18)


def test_fleet_power_counts_each_vintage_at_its_order_month_efficiency():
    cap = compute.Capacity(0.0, 24, lead=2, life=10, unit_capex=1.0)
    cap.order(0, 100.0, 1.0)  # arrives in month 2, ordered in month 0
    cap.order(12, 300.0, 1.0)  # 300 arrive in month 14 (the first retired in month 12)
    assert power.fleet_watts(cap, 1, 1.0, 12.0) == 0.0  # not yet in service
    assert power.fleet_watts(cap, 2, 1.0, 12.0) == pytest.approx(100.0)
    assert power.fleet_watts(cap, 14, 1.0, 12.0) == pytest.approx(300.0 * 0.5)  # a year newer
    assert power.fleet_watts(cap, 11, 1.0, 12.0) == pytest.approx(100.0)


def _bound(small, **power_params):
    return small(horizon_months=36, power={"max_growth_per_year": 0.0, "reserve": 0.0,
                                           **power_params})


def test_power_used_never_exceeds_power_available_and_outputs_are_present(small):
    for params in (small(horizon_months=36), _bound(small)):
        model = AIIndustry(params, seed=0)
        model.run()
        _, ind = model.recorder.frames()
        used, available = ind.power_used_gw.to_numpy(), ind.power_available_gw.to_numpy()
        assert (used > 0).all() and (available > 0).all()
        assert np.all(used <= available * (1 + 1e-9))


def test_the_cap_cuts_an_order_to_the_free_power_and_passes_it_when_power_is_ample(small):
    model = AIIndustry(small(), seed=0)
    for _ in range(3):
        model.step()
    h = model.by_name["Amazon"]
    grid = model.power
    arrival = model.month + model.p.compute.build_lead_months
    existing = h.capacity.in_service(arrival)
    grid.available[:] = 1e30  # ample
    assert grid.cap("Amazon", h.capacity, 2 * existing) == 2 * existing
    grid._month = -1  # plan again with no free power at the arrival
    grid.available[arrival] = grid.used(arrival) * 0.5
    assert grid.cap("Amazon", h.capacity, 2 * existing) == existing  # nothing new
    assert grid.cap("Amazon", h.capacity, 0.5 * existing) == existing  # never below


def test_scarce_power_caps_capacity_and_raises_the_price(small):
    free = AIIndustry(small(horizon_months=36), seed=0)
    free.run()
    bound = AIIndustry(_bound(small, lead_months=36), seed=0)
    bound.run()
    f_firms, f_ind = free.recorder.frames()
    b_firms, b_ind = bound.recorder.frames()
    assert b_ind.power_available_gw.iloc[-1] == pytest.approx(b_ind.power_available_gw.iloc[0])
    capacity = lambda firms: firms[firms.kind == "hyperscaler"].groupby("month")[  # noqa: E731
        "capacity_flop_per_month"].sum().to_numpy()
    assert capacity(b_firms)[-1] < 0.5 * capacity(f_firms)[-1]
    late = slice(12, 36)
    assert (b_ind.market_price_usd_per_flop.to_numpy()[late].mean()
            > f_ind.market_price_usd_per_flop.to_numpy()[late].mean())
    # Not unserved FLOP: dearer compute shrinks what labs order, and with the chip vendor's
    # own scarcity the unpowered run can leave more orders unserved than the powered one.
    assert b_ind.frontier_capability.iloc[-1] < f_ind.frontier_capability.iloc[-1]


def test_a_power_lead_shorter_than_the_build_lead_does_not_stop_growth(small):
    short = AIIndustry(small(power={"lead_months": 0}), seed=0)
    short.run()
    default = AIIndustry(small(), seed=0)
    default.run()
    _, s_ind = short.recorder.frames()
    _, d_ind = default.recorder.frames()
    assert s_ind.power_used_gw.iloc[-1] > 2 * s_ind.power_used_gw.iloc[0]
    assert s_ind.power_used_gw.iloc[-1] == pytest.approx(d_ind.power_used_gw.iloc[-1], rel=0.5)


def test_the_grid_counts_a_fleet_as_fleet_watts_does(small):
    model = AIIndustry(small(), seed=0)
    for _ in range(13):
        model.step()
    pw = model.p.power
    for h in model.hyperscalers:
        for month in (0, 12, 18):
            assert model.power.fleet(h.capacity, month) == pytest.approx(power.fleet_watts(
                h.capacity, month, pw.watts_per_flop_2024, pw.flop_per_watt_doubling_months))


def test_own_data_centres_draw_grows_at_most_at_the_grids_rate(small):
    """Own sites are built too: with power to spare, an own data centre's draw still grows
    at most `power.max_growth_per_year` a year over last month's."""
    model = AIIndustry(small(power={"max_growth_per_year": 0.25}), seed=0)
    for _ in range(3):
        model.step()
    grid = model.power
    grid.available[:] = 1e30  # slack everywhere
    last = grid.own_watts
    assert last > 0 and grid.own_month == model.month - 1
    w = grid.watts(model.month) / model.p.compute.target_utilisation
    got = grid.run_own(1e40)  # asks for far more than last month
    assert got * w == pytest.approx(last * 1.25 ** (1 / 12))
    assert grid.run_own(1e40) == 0.0  # the month's allowance is spent


def test_power_catches_up_after_small_asks_but_never_passes_the_builders_ceiling(small):
    """What the grid can have built grows at `max_growth_per_year` from what was under way at
    2024-01, whatever was asked for in between: after a year of small asks, a large ask
    gets power up to that ceiling a lead later, not only the growth rate over the last
    month's power."""
    model = AIIndustry(small(power={"max_growth_per_year": 1.0}), seed=0)
    for _ in range(13):
        model.step()
    grid, m = model.power, model.month
    g = 2.0 ** (1.0 / 12.0)
    a = m + grid.lead + 1
    ceiling = grid.available[grid.lead] * g ** (a - grid.lead)
    # As if the sellers had asked for nothing more since month 0: power stayed flat.
    grid.available[grid.lead + 1:a] = grid.available[grid.lead]
    grid._month = m  # this month's orders were planned
    grid.wanted_history[:] = [1e30] * len(grid.wanted_history)  # and now ask for far more
    grid.wanted = 1e30
    grid.build()
    assert grid.available[a] == pytest.approx(ceiling)
    assert grid.available[a] > grid.available[a - 1] * g * 1.5  # more than a month's growth
