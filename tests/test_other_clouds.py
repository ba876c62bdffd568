"""The AI compute sellers outside the three clouds (sim/markets/other_clouds.py): who buys
there, within what capacity, and their books."""

import numpy as np
import pytest

from sim.mechanisms.finance import OTHER_CLOUDS
from sim.model import AIIndustry


def _run(model, months):
    for _ in range(months):
        model.step()


def _payments(model):
    """Record every payment of the model from now on: {(payer, payee, tag): USD}."""
    paid = {}
    pay = model.ledger.pay

    def recording(payer, payee, amount, tag):
        done = pay(payer, payee, amount, tag)
        paid[payer, payee, tag] = paid.get((payer, payee, tag), 0.0) + done
        return done

    model.ledger.pay = recording
    return paid


def _starve(model, cloud):
    model.by_name[cloud].capacity.added *= 0.02  # most of its AI capacity lost


def _bought_outside(paid, lab):
    return sum(v for (src, dst, tag), v in paid.items()
               if src == lab and dst == OTHER_CLOUDS and tag == "compute")


def test_a_lab_whose_partner_is_full_buys_from_other_clouds_and_not_when_exclusive(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 2)
    _starve(model, "Amazon")  # Anthropic's primary cloud, with first refusal only
    _starve(model, "Microsoft")  # OpenAI's, exclusive
    paid = _payments(model)
    _run(model, 1)
    assert model.lab("OpenAI").exclusive_cloud == "Microsoft"
    assert model.compute.short_served.get("Amazon", 0.0) > 0  # Anthropic's order went elsewhere
    assert _bought_outside(paid, "Anthropic") > 0
    assert model.compute.other_clouds_flop.get("Anthropic", 0.0) > 0
    assert _bought_outside(paid, "OpenAI") == 0.0  # exclusive: nowhere else


def test_a_lab_buys_the_other_clouds_room_when_its_partner_is_dearer(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 3)
    cm, oc = model.compute, model.other_clouds
    anthropic = model.lab("Anthropic")
    anthropic.obligations = {}  # no committed spend that must go to the partners
    partner = cm.training_suppliers(anthropic)
    cm._oc_room = 100.0
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


def test_other_clouds_books_balance_and_outputs_are_present(small):
    model = AIIndustry(small(entry={"enabled": True, "rate_scale": 5.0,
                                    "other_cloud_prob": 1.0}), seed=2)
    paid = _payments(model)
    model.run()
    firms, ind = model.recorder.frames()
    change = np.diff(ind.cash_total_usd.to_numpy())
    flows = ind.net_outside_flow_usd.to_numpy()[1:]
    assert np.all(np.abs(change - flows) <= 1e-9 * np.abs(ind.cash_total_usd.to_numpy()[1:]))
    into = {tag for (src, dst, tag) in paid if dst == OTHER_CLOUDS}
    out_of = {(dst, tag) for (src, dst, tag) in paid if src == OTHER_CLOUDS}
    assert {"compute", "inference", "hosting"} <= into
    assert ("energy", "energy") in out_of and ("chip_vendors", "capex") in out_of
    revenue = ind.other_clouds_revenue_usd.to_numpy()
    assert revenue.sum() == pytest.approx(sum(
        v for (src, dst, tag), v in paid.items()
        if dst == OTHER_CLOUDS and tag in ("compute", "inference", "hosting")))
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
