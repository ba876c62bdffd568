"""The chip market (sim/markets/chips.py): the vendor's price, allocation and supply, and
the hyperscalers' own accelerators, in isolation and in the model."""

from types import SimpleNamespace

import numpy as np
import pytest

from sim.markets import chips
from sim.mechanisms import compute
from sim.mechanisms.finance import CHIP_VENDORS, FOUNDRIES, Ledger
from sim.model import AIIndustry
from sim.params import ConfigError, Params, _merge, validate
from sim.simulation import simulate


def vendor(**chip_params):
    """A ChipVendor on a stub model: its parameters, a ledger with two buyers, a month."""
    p = _merge(Params(), {"chips": chip_params}) if chip_params else Params()
    ledger = Ledger()
    for name in (CHIP_VENDORS, "A", "B"):
        ledger.open_account(name, 0.0 if name == CHIP_VENDORS else 1e15)
    return chips.ChipVendor(SimpleNamespace(p=p, ledger=ledger, month=0))


def month(v, orders):
    """One month of the vendor: price, then sales; returns what each buyer got."""
    v.open_month()
    got = v.sell(orders)
    v.model.month += 1
    return got


def test_allocation_is_pro_rata_and_never_exceeds_supply():
    got = chips.allocate({"A": 30.0, "B": 10.0}, 20.0)
    assert sum(got.values()) == pytest.approx(20.0)
    assert got["A"] == pytest.approx(3 * got["B"])
    assert chips.allocate({"A": 3.0, "B": 1.0}, 20.0) == {"A": 3.0, "B": 1.0}
    assert sum(chips.allocate({"A": 1.0}, 0.0).values()) == 0.0


def test_scarce_supply_raises_the_price_and_shipments_stay_within_supply():
    v = vendor(initial_supply_headroom=1.0, stock_months=1.0, supply_headroom=1.0)
    month(v, {"A": 6.0, "B": 6.0})  # sizes output: 12 / 6 months of build lead = 2 a month
    assert v.factor == 1.0
    shipped = []
    for _ in range(4):  # orders far above output
        available = v.available + v.output[v.model.month]
        got = month(v, {"A": 30.0, "B": 10.0})
        shipped.append(sum(got.values()))
        assert sum(got.values()) <= min(available, 2.0 * v.output[v.model.month - 1]) + 1e-9
        assert got["A"] == pytest.approx(3 * got["B"])
    assert max(shipped) < 40.0
    v.open_month()
    assert v.factor > 1.5  # orders over what it could ship raise the price
    assert v.margin() == 0.0 and chips.scarcity_factor(0.9, 5.0) == 1.0


def test_revenue_and_cost_of_goods_go_through_the_ledger_at_the_margin():
    v = vendor(gross_margin=0.75)
    got = month(v, {"A": 8.0, "B": 4.0})
    assert got == {"A": 8.0, "B": 4.0}
    assert v.revenue == pytest.approx(12.0) and v.cost == pytest.approx(3.0)
    assert v.margin() == pytest.approx(0.75)
    assert v.model.ledger.cash[CHIP_VENDORS] == pytest.approx(9.0)
    assert v.model.ledger.outside_out == pytest.approx(3.0)  # to foundries, outside


def test_supply_grows_with_orders_after_the_lead():
    lead = 6
    v = vendor(supply_lead_months=lead, supply_headroom=1.0)
    for _ in range(40):  # steady orders: output settles at them
        month(v, {"A": 10.0})
    t = v.model.month
    before = v.output[t + lead - 1]
    assert before == pytest.approx(10.0)
    for _ in range(6):  # orders triple from month t
        month(v, {"A": 30.0})
    assert v.output[t] == pytest.approx(v.output[t - 1])  # decided before: unchanged
    assert v.output[t + lead] > 1.2 * before  # decided after: follows the orders
    assert v.output[t + lead + 5] > v.output[t + lead]


def test_own_accelerator_share_ramps_and_costs_less_than_the_vendors_price():
    assert chips.custom_share(5, 0.6, 12, 24) == 0.0
    assert chips.custom_share(12 + 11, 0.6, 12, 24) == pytest.approx(0.3)
    assert chips.custom_share(100, 0.6, 12, 24) == 0.6
    assert chips.own_unit_capex(1.0, 0.75, 1.4) == pytest.approx(0.6)


def _fleet_cost(m, h):
    """Depreciation per FLOP/month in service: the hardware part of a cloud's cost."""
    return h.capacity.depreciation_at(m.month - 1) / h.capacity.in_service(m.month - 1)


def test_an_own_accelerator_lowers_the_owners_cost_per_flop_after_its_ramp(small):
    none = {"custom_share": {"Microsoft": 0.0}}
    own = {"custom_share": {"Microsoft": 0.8}, "custom_start_month": {"Microsoft": 0.0},
           "custom_ramp_months": 6.0, "custom_overhead": 0.6}
    runs = {}
    for name, section in (("none", none), ("own", own)):
        m = AIIndustry(small(chips=section), seed=1)
        ms = m.by_name["Microsoft"]
        unit = []
        for _ in range(24):
            m.step()
            unit.append(m.buildout.cloud_unit_capex(ms) / m.buildout.unit_capex())
        runs[name] = (m, ms, unit)
    m0, ms0, unit0 = runs["none"]
    m1, ms1, unit1 = runs["own"]
    assert unit1[0] < 1.0 and unit1[-1] == pytest.approx(0.8 * 0.4 + 0.2)  # after the ramp
    assert max(unit0) >= 1.0  # the vendor's price at least
    assert _fleet_cost(m1, ms1) < 0.9 * _fleet_cost(m0, ms0)
    # The other clouds keep their defaults: Google's TPU still lowers its cost too.
    assert m1.buildout.custom_share(m1.by_name["Google"]) == 0.5


def test_books_balance_with_the_chip_vendor_and_its_outputs(small, balanced):
    p = small(money={"chip_vendor_pool_usd_per_year": 0.0})
    m = AIIndustry(p, seed=3)
    m.run()
    ind = m.recorder.get_model_vars_dataframe()
    assert balanced(ind)
    assert sum(m.ledger.cash.values()) == pytest.approx(ind.cash_total_usd.iloc[-1], rel=1e-12)
    # The vendor's cash is its gross profit: revenue less cost of goods, month by month.
    revenue = ind.chip_vendor_revenue_usd.to_numpy()
    margin = ind.chip_vendor_margin.to_numpy()
    assert revenue[:12].sum() > 0
    assert m.ledger.cash[CHIP_VENDORS] == pytest.approx((revenue * margin).sum(), rel=1e-9)
    # The list-price margin (C24 5: 75 %) when supply meets orders, more when it is short.
    price = ind.chip_price_multiple.to_numpy()
    sold = revenue > 0
    assert margin[sold & (price == 1.0)] == pytest.approx(0.75)
    assert np.all(margin[sold & (price > 1.0)] > 0.75)
    assert (ind.chip_price_multiple >= 1.0).all()
    # Its value captured is that gross profit (no investing arm here).
    s = simulate(p, seed=3).summary
    assert s["value_chip_vendors_usd"] == pytest.approx(m.ledger.cash[CHIP_VENDORS], rel=1e-9)
    assert FOUNDRIES not in m.ledger.cash


def test_chip_parameters_name_the_clouds():
    with pytest.raises(ConfigError, match="chips.custom_share"):
        validate(_merge(Params(), {"chips": {"custom_share": {"Oracle": 0.5}}}))
    with pytest.raises(ConfigError, match=r"chips.gross_margin=0.99 is out of range"):
        validate(_merge(Params(), {"chips": {"gross_margin": 0.99}}))


def test_a_cloud_not_named_has_no_own_accelerator(small):
    m = AIIndustry(small(chips={"custom_share": {"Amazon": 0.0}}), seed=0)
    m.p.chips.custom_share.pop("Google")  # as for a cloud added to the roster later
    assert m.buildout.custom_share(m.by_name["Google"]) == 0.0


def test_the_vendor_sizes_itself_on_the_first_orders():
    v = vendor()
    assert month(v, {"A": 0.0}) == {"A": 0.0} and not v.output
    got = month(v, {"A": 6.0})
    assert got == {"A": 6.0} and v.model.month - 1 in v.output


# ---- own accelerators serve the owner's labs first (issue #17 item 1, branch silicon) ----
def test_capacity_keeps_its_own_accelerator_part_apart():
    cap = compute.Capacity(10.0, 24, lead=2, life=10, unit_capex=1.0, own_share=0.4,
                           own_unit_capex=0.5)
    assert cap.own_in_service(0) == pytest.approx(4.0)
    assert cap.own_depreciation_at(0) == pytest.approx(4.0 * 0.5 / 10)
    cap.add(0, 5.0, 4.0, own_flop=2.0, own_capex=1.0)  # 3 bought for 3, 2 own for 1
    # By month 2, 2 tenths retired and one tenth came in from the pipeline (a steady fleet).
    assert cap.in_service(2) == pytest.approx(10.0 * 9 / 10 + 5.0)
    assert cap.own_in_service(2) == pytest.approx(4.0 * 9 / 10 + 2.0)
    assert cap.own_depreciation_at(2) == pytest.approx(4.0 * 0.5 / 10 * 9 / 10 + 1.0 / 10)
    assert cap.depreciation_at(2) == pytest.approx(1.0 * 9 / 10 + 4.0 / 10)


def test_own_accelerators_serve_the_owners_labs_first_at_their_cost():
    # 100 FLOP/month, 40 of them own at a quarter of the merchant part's depreciation.
    dep, own_dep, target, energy = 60.0 + 5.0, 5.0, 0.8, 0.1
    own_cost = own_dep / (40 * target) + energy
    merchant = 60.0 / (60 * target) + energy
    fleet = compute.average_cost(dep, 100.0, target, energy)
    for use in (0.0, 10.0, 32.0):  # within the own pool: the owner pays its cost
        owner, others = compute.owner_first_costs(dep, 100.0, own_dep, 40.0, target, energy, use)
        assert owner == pytest.approx(own_cost)
        assert own_cost < others <= merchant + 1e-12
        # Both together recover the fleet's full cost on its planned use.
        assert use * owner + (80.0 - use) * others == pytest.approx(80.0 * fleet)
    owner, others = compute.owner_first_costs(dep, 100.0, own_dep, 40.0, target, energy, 64.0)
    assert others == pytest.approx(merchant)  # the owner took the whole own pool
    assert owner == pytest.approx((32 * own_cost + 32 * merchant) / 64)
    assert 64 * owner + 16 * others == pytest.approx(80.0 * fleet)
    # Without own accelerators everyone pays the fleet's average cost.
    assert compute.owner_first_costs(60.0, 100.0, 0.0, 0.0, target, energy, 30.0) == (
        pytest.approx(compute.average_cost(60.0, 100.0, target, energy)),) * 2


def test_an_own_accelerator_lowers_the_inhouse_labs_cost_against_a_partner_lab(small):
    """Maia at 0.4 of list after a 6-month ramp: Microsoft AI's cost per FLOP falls against
    what OpenAI, Microsoft's partner, pays Microsoft; without Maia the two move together."""
    none = {"custom_share": {"Microsoft": 0.0}}
    own = {"custom_share": {"Microsoft": 0.8}, "custom_start_month": {"Microsoft": 0.0},
           "custom_ramp_months": 6.0, "custom_overhead": 0.6}
    ratio = {}
    for name, section in (("none", none), ("own", own)):
        m = AIIndustry(small(chips=section), seed=1)
        ms, lab, partner = m.by_name["Microsoft"], m.lab("Microsoft AI"), m.lab("OpenAI")
        for _ in range(24):
            m.step()
        assert ms.own_labs_flop > 0  # the in-house lab bought from its owner
        ratio[name] = ms.price_for(lab) / ms.price_for(partner)
        if name == "none":
            assert ms.owner_cost == ms.cost
        else:
            assert ms.owner_cost < 0.8 * ms.cost  # own accelerators' edge, to the owner's lab
    assert ratio["own"] < 0.9 * ratio["none"]  # (the two runs differ in scarcity too)
