"""The AI compute sellers outside the three clouds (sim/markets/other_clouds.py): who buys
there, within what capacity, and their books."""

import pytest

from sim.markets.compute import ComputeOrder
from sim.mechanisms.finance import OTHER_CLOUDS
from sim.model import AIIndustry


def _run(model, months):
    for _ in range(months):
        model.step()


def _starve(model, cloud):
    model.by_name[cloud].capacity.added *= 0.02  # most of its AI capacity lost


def _bought_outside(paid, lab):
    return sum(v for (src, dst, tag), v in paid.items()
               if src == lab and dst == OTHER_CLOUDS and tag == "compute")


def _dear_other_clouds(model):
    """The other clouds' price above every price the three charge, from the next month."""
    oc = model.other_clouds
    set_price = oc.set_price

    def dear(*args):
        set_price(*args)
        oc.price = 10.0 * max(h.price for h in model.hyperscalers)

    oc.set_price = dear


def test_a_lab_whose_partner_is_full_buys_from_other_clouds_and_not_when_exclusive(small, payments):
    model = AIIndustry(small(), seed=0)
    _run(model, 2)
    _starve(model, "Amazon")  # Anthropic's primary cloud, with first refusal only
    _starve(model, "Microsoft")  # OpenAI's, exclusive
    _dear_other_clouds(model)  # so Amazon does not rent for Anthropic (test_rent_*)
    paid = payments(model)
    _run(model, 1)
    assert model.lab("OpenAI").exclusive_cloud == "Microsoft"
    assert model.compute.short_served.get("Amazon", 0.0) > 0  # Anthropic's order went elsewhere
    assert _bought_outside(paid, "Anthropic") > 0
    assert model.compute.other_clouds_flop.get("Anthropic", 0.0) > 0
    assert _bought_outside(paid, "OpenAI") == 0.0  # exclusive: nowhere else...
    assert model.compute.rented.get("Microsoft", 0.0) > 0  # ...but its cloud rents for it,
    assert "Amazon" not in model.compute.rented  # at a loss only for an exclusive partner


def test_a_lab_buys_the_other_clouds_room_when_its_partner_is_dearer(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 3)
    cm, oc = model.compute, model.other_clouds
    anthropic = model.lab("Anthropic")
    anthropic.obligations = {}  # no committed spend that must go to the partners
    partner = cm.training_suppliers(anthropic)
    cm._oc_room = 100.0
    oc.price = 2.0 * max(h.price_for(anthropic) for h in model.hyperscalers)
    assert cm._cheaper_outside(anthropic, partner, 400.0) == partner  # not cheaper
    oc.price = 0.5 * min(h.price_for(anthropic) for h in model.hyperscalers)
    split = cm._cheaper_outside(anthropic, partner, 400.0)
    assert split[0] == (oc, 0.25)  # their room, not the whole order
    assert sum(s for _, s in split) == pytest.approx(1.0)
    assert cm._oc_room == 0.0 and cm._cheaper_outside(anthropic, partner, 400.0) == partner
    cm._oc_room = 100.0
    openai = model.lab("OpenAI")
    openai.obligations = {}
    suppliers = cm.training_suppliers(openai)
    assert cm._cheaper_outside(openai, suppliers, 400.0) == suppliers  # exclusive
    anthropic.obligations = {"Amazon": 1e9}  # owed spend goes to the partner first
    owed = cm.training_suppliers(anthropic)
    assert cm._cheaper_outside(anthropic, owed, 400.0) == owed


def test_other_clouds_never_sell_beyond_capacity_and_ration_when_short(small):
    model = AIIndustry(small(horizon_months=36, entry={"enabled": True, "rate_scale": 5.0,
                                                        "other_cloud_prob": 1.0},
                             other_clouds={"initial_share": 0.01}), seed=1)
    oc = model.other_clouds
    short_months = 0
    for _ in range(36):
        model.step()
        capacity = oc.capacity.in_service(model.month - 1)
        assert model.compute.sold[OTHER_CLOUDS] <= capacity * (1 + 1e-9)
        short_months += oc.demand_history[-1] > capacity * (1 + 1e-9)
    assert short_months > 0  # demand outran them, and they rationed
    assert sum(model.compute.other_clouds_flop.values()) >= 0


def test_other_clouds_books_balance_and_outputs_are_present(small, payments, balanced):
    model = AIIndustry(small(entry={"enabled": True, "rate_scale": 5.0,
                                    "other_cloud_prob": 1.0}), seed=2)
    paid = payments(model)
    model.run()
    firms, ind = model.recorder.frames()
    assert balanced(ind)
    into = {tag for (src, dst, tag) in paid if dst == OTHER_CLOUDS}
    out_of = {(dst, tag) for (src, dst, tag) in paid if src == OTHER_CLOUDS}
    assert {"compute", "inference", "hosting"} <= into
    assert ("energy", "energy") in out_of and ("chip_vendors", "capex") in out_of
    revenue = ind.other_clouds_revenue_usd.to_numpy()
    assert revenue.sum() == pytest.approx(sum(
        v for (src, dst, tag), v in paid.items()
        if dst == OTHER_CLOUDS and tag in ("compute", "inference", "hosting", "rent")))
    assert (ind.other_clouds_capacity_flop_per_month > 0).all()
    assert (ind.other_clouds_price_usd_per_flop > 0).all()
    # Their revenue is cloud market too: the three clouds' shares and theirs sum below 1.
    last = firms[firms.month == firms.month.max()]
    assert last[last.kind == "hyperscaler"].cloud_share.sum() < 1.0


def test_other_clouds_price_rises_with_their_scarcity(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 3)
    oc = model.other_clouds
    m = model.compute
    oc.pressure = model.p.compute.target_utilisation
    oc.set_price(m.replacement_cost, m.energy_per_flop)
    calm = oc.price
    oc.pressure = 1.5
    oc.set_price(m.replacement_cost, m.energy_per_flop)
    assert oc.price > calm


# ---- hyperscalers rent the other clouds' spare capacity (ComputeMarket._rent) ----
def _short_market(small, spare):
    """A model after three months, the compute market as after the other clouds cleared with
    `spare` FLOP of their capacity unsold."""
    model = AIIndustry(small(), seed=0)
    _run(model, 3)
    cm, oc = model.compute, model.other_clouds
    cm.sold = {h.name: 0.0 for h in (*model.hyperscalers, oc)}
    cm.sold[OTHER_CLOUDS] = oc.capacity.in_service(model.month) - spare
    cm.bought = {lab.name: 0.0 for lab in model.labs}
    return model, cm, oc


def test_rent_a_short_cloud_rents_within_the_spare_and_pays_the_other_clouds_price(small, payments):
    model, cm, oc = _short_market(small, spare=1e23)
    openai, microsoft = model.lab("OpenAI"), model.by_name["Microsoft"]
    price = microsoft.price_for(openai)
    assert openai.exclusive_cloud == "Microsoft" and openai.cash > 3e23 * price
    paid = payments(model)
    order = ComputeOrder(openai, 3e23, price, "compute")
    left = cm._rent([(order, 3e23, microsoft, True)])
    assert cm.rented["Microsoft"] == pytest.approx(1e23)  # never beyond the spare
    assert paid["Microsoft", OTHER_CLOUDS, "rent"] == pytest.approx(1e23 * oc.price)
    assert paid["OpenAI", "Microsoft", "compute"] == pytest.approx(1e23 * price)
    assert cm.sold[OTHER_CLOUDS] == pytest.approx(oc.capacity.in_service(model.month))
    assert cm.sold["Microsoft"] == 0.0  # the other clouds' sale, not Microsoft's
    assert left == []  # exclusive: waits for the rest


def test_rent_two_short_clouds_share_the_spare_pro_rata(small):
    model, cm, oc = _short_market(small, spare=1e23)
    openai, anthropic = model.lab("OpenAI"), model.lab("Anthropic")
    microsoft, amazon = model.by_name["Microsoft"], model.by_name["Amazon"]
    oc.price = 1e-3 * min(h.price_for(anthropic) for h in model.hyperscalers)
    left = cm._rent([
        (ComputeOrder(openai, 3e23, microsoft.price_for(openai), "compute"), 3e23, microsoft,
         True),
        (ComputeOrder(anthropic, 1e23, amazon.price_for(anthropic), "compute"), 1e23, amazon,
         True)])
    assert cm.rented["Microsoft"] == pytest.approx(0.75e23)
    assert cm.rented["Amazon"] == pytest.approx(0.25e23)
    # Anthropic may buy elsewhere: what was not rented for it goes on.
    assert left == [(anthropic, pytest.approx(0.75e23), amazon)]


def test_rent_nothing_when_no_shortfall_no_spare_or_the_rent_is_dearer(small, payments):
    model, cm, oc = _short_market(small, spare=1e23)
    paid = payments(model)
    assert cm._rent([]) == [] and cm.rented == {}  # no cloud short: nothing rented
    anthropic, amazon = model.lab("Anthropic"), model.by_name["Amazon"]
    price = amazon.price_for(anthropic)
    oc.price = 2.0 * price  # dearer than what Anthropic pays Amazon, and it is not exclusive
    order = ComputeOrder(anthropic, 1e23, price, "compute")
    assert cm._rent([(order, 1e23, amazon, True)]) == [(anthropic, 1e23, amazon)]
    assert cm.rented == {}
    openai, microsoft = model.lab("OpenAI"), model.by_name["Microsoft"]
    cm.sold[OTHER_CLOUDS] = oc.capacity.in_service(model.month)  # no spare
    order = ComputeOrder(openai, 1e23, microsoft.price_for(openai), "compute")
    assert cm._rent([(order, 1e23, microsoft, True)]) == [] and cm.rented == {}
    assert not any(tag == "rent" for _, _, tag in paid)


def test_rent_in_the_model_books_balance_and_is_the_other_clouds_revenue(small, payments, balanced):
    model = AIIndustry(small(), seed=0)
    _run(model, 2)
    _starve(model, "Microsoft")
    paid = payments(model)
    model.run()
    firms, ind = model.recorder.frames()
    assert balanced(ind)
    assert paid.get(("Microsoft", OTHER_CLOUDS, "rent"), 0.0) > 0
    rent = sum(v for (src, dst, tag), v in paid.items() if dst == OTHER_CLOUDS and tag == "rent")
    sales = sum(v for (src, dst, tag), v in paid.items() if dst == OTHER_CLOUDS and tag in (
        "compute", "inference", "hosting"))
    assert ind.other_clouds_revenue_usd.to_numpy()[2:].sum() == pytest.approx(sales + rent)
    ms = firms[(firms.firm == "Microsoft") & (firms.month >= 2)]
    costs = sum(v for (src, dst, tag), v in paid.items()
                if src == "Microsoft" and tag in ("capex", "energy", "rent"))
    assert ms.cost_usd.sum() == pytest.approx(costs)  # the rent is Microsoft's cost
