"""Deals with terms that change (sim/markets/deals.py): each rule in isolation and in the
model, and the per-month columns that show the terms in force."""

from types import SimpleNamespace

import numpy as np
import pytest

from sim.markets import deals
from sim.markets.capital import Tranche
from sim.mechanisms.finance import OTHER_CLOUDS
from sim.model import AIIndustry


def _run(model, months):
    for _ in range(months):
        model.step()


def _sell(model, lab, share, investor="US private capital"):
    """Sell `share` of `lab` to a financial investor (the capital market's own path)."""
    pre = 1e11
    model.capital.sell_equity(Tranche(investor, lab, pre * share / (1 - share), pre))


def _sales_through(model, lab, cloud):
    """A one-item list that adds up `lab`'s sales carried by `cloud` from now on."""
    total = [0.0]
    sell_one = model.products._sell_one

    def recording(seller, home, x, carried, tiers=None):
        if seller.name == lab and home is not None and home.name == cloud and carried:
            total[0] += x
        return sell_one(seller, home, x, carried, tiers)
    model.products._sell_one = recording
    return total


def _events(model, lab):
    return [what for _, name, _, what in model.deals.events if name == lab]


def test_terms_rank_partners_and_set_the_revenue_share_in_isolation():
    lab = SimpleNamespace(independent=True, partners=("Google", "Amazon"), exclusive_cloud="",
                          deals={"Google": deals.Deal("Google", 0.1, deals.ACCESS, 0.15, 60),
                                 "Amazon": deals.Deal("Amazon", 0.3, deals.ROFR, 0.2, 60)})
    deals.apply_terms(lab)
    assert lab.partners == ("Amazon", "Google")  # the compute right makes the primary cloud
    assert lab.exclusive_cloud == "" and deals.may_buy_elsewhere(lab)
    assert deals.revenue_share(lab, "Google", 0.2) == 0.15
    assert deals.revenue_share(lab, "Microsoft", 0.2) == 0.2  # no deal: the default
    lab.deals["Google"].compute = deals.EXCLUSIVE
    deals.apply_terms(lab)
    assert lab.exclusive_cloud == "Google" and not deals.may_buy_elsewhere(lab)
    del lab.deals["Google"]  # a lapsed deal: no longer a partner
    deals.apply_terms(lab)
    assert lab.partners == ("Amazon",) and lab.exclusive_cloud == ""


def test_the_2024_deals_open_with_their_terms(small):
    model = AIIndustry(small(), seed=0)
    openai, anthropic = model.lab("OpenAI"), model.lab("Anthropic")
    assert openai.exclusive_cloud == "Microsoft"
    assert openai.deals["Microsoft"].compute == deals.EXCLUSIVE
    assert openai.deals["Microsoft"].stake_set == pytest.approx(0.49)
    assert anthropic.deals["Amazon"].compute == deals.ROFR
    assert anthropic.deals["Google"].compute == deals.ACCESS
    assert anthropic.partners[0] == "Amazon" and anthropic.exclusive_cloud == ""
    assert all(d.end_month == model.p.deals.term_months
               for lab in (openai, anthropic) for d in lab.deals.values())
    assert not any(lab.deals for lab in model.labs if not lab.independent)
    off = AIIndustry(small(strategy={"partnerships": False}), seed=0)
    assert off.lab("OpenAI").exclusive_cloud == "" and not off.lab("OpenAI").deals


def test_a_partner_gained_later_gets_a_deal_on_the_default_terms(small):
    """A cloud that becomes a partner (as when it leads an entrant's round, entry.py) gets a
    deal at the next review: first refusal, the default revenue share, a full term."""
    model = AIIndustry(small(), seed=0)
    _run(model, 2)
    anthropic = model.lab("Anthropic")
    anthropic.partners = (*anthropic.partners, "Microsoft")
    _run(model, 1)
    deal = anthropic.deals["Microsoft"]
    assert deal.compute == deals.ROFR and deal.revenue_share == model.p.finance.revenue_share
    assert deal.end_month == 2 + model.p.deals.term_months
    # Ranked: compute rights first (Amazon, then the new first refusal), then access only.
    assert anthropic.partners == ("Amazon", "Microsoft", "Google")
    direct = deals.sign(model, model.lab("OpenAI"), "Amazon", deals.ACCESS)  # callable directly
    assert model.lab("OpenAI").partners == ("Microsoft", "Amazon") and direct.compute == ""


def _starve_microsoft(model):
    model.by_name["Microsoft"].capacity.added *= 0.02  # most of Azure's AI capacity lost


def test_a_partner_that_leaves_demand_unserved_loses_exclusivity_and_the_lab_buys_elsewhere(
        small, payments):
    n = 3
    model = AIIndustry(small(deals={"shortfall_months": n}), seed=0)
    _run(model, 2)
    _starve_microsoft(model)
    # Count only the starved months: Microsoft can be short already in early 2024.
    model.lab("OpenAI").deals["Microsoft"].supply.clear()
    _run(model, n - 1)
    openai = model.lab("OpenAI")
    assert openai.exclusive_cloud == "Microsoft"  # not yet: n months of short supply
    assert model.compute.elsewhere.get("OpenAI", 0.0) == 0.0  # exclusive: nowhere else
    _run(model, 1)
    assert openai.exclusive_cloud == ""
    assert openai.deals["Microsoft"].compute == deals.ROFR
    assert "exclusivity -> first refusal: partner short of compute" in _events(model, "OpenAI")
    assert openai.partners == ("Microsoft",)  # still the partner, with first refusal
    paid = payments(model)
    # Microsoft still supplies what it can; the rest comes from Amazon's and Google's spare
    # capacity, when they have some.
    elsewhere = 0.0
    for _ in range(12):
        _run(model, 1)
        elsewhere += model.compute.elsewhere.get("OpenAI", 0.0)
    assert elsewhere > 0
    bought_elsewhere = sum(v for (src, dst, tag), v in paid.items()
                           if src == "OpenAI" and dst in ("Amazon", "Google", OTHER_CLOUDS)
                           and tag == "compute")
    assert bought_elsewhere > 0
    # The same shock with a patient exclusivity: OpenAI buys nowhere else.
    stuck = AIIndustry(small(deals={"shortfall_months": 120,  # and no restructuring round
                                    "restructure_round_share": 1.0}), seed=0)
    _run(stuck, 2)
    _starve_microsoft(stuck)
    _run(stuck, n + 1)
    assert stuck.lab("OpenAI").exclusive_cloud == "Microsoft"
    assert stuck.compute.elsewhere.get("OpenAI", 0.0) == 0.0


def test_dilution_shrinks_the_revenue_share_and_a_top_up_keeps_it(small, payments):
    model = AIIndustry(small(deals={"restructure_round_share": 1.0}), seed=0)
    _run(model, 3)
    openai = model.lab("OpenAI")
    deal = openai.deals["Microsoft"]
    _sell(model, openai, 0.1)  # 0.49 -> 0.441: above 0.75 x 0.49, nothing changes
    _run(model, 1)
    assert deal.revenue_share == pytest.approx(0.2) and openai.exclusive_cloud == "Microsoft"
    _sell(model, openai, 0.2)  # 0.441 -> 0.353 < 0.75 x 0.49: terms shrink with the stake
    _run(model, 1)
    stake = openai.stakes["Microsoft"]
    assert stake == pytest.approx(0.49 * 0.9 * 0.8)
    assert deal.revenue_share == pytest.approx(0.2 * stake / 0.49)
    assert deal.stake_set == pytest.approx(stake)
    assert openai.exclusive_cloud == "Microsoft"  # still above deals.exclusive_min_stake
    # The product market charges the new share on sales through Microsoft.
    paid = payments(model)
    through = _sales_through(model, "OpenAI", "Microsoft")
    _run(model, 1)
    assert paid[("OpenAI", "Microsoft", "revenue_share")] == pytest.approx(
        0.2 * stake / 0.49 * through[0])
    # Below the exclusivity threshold the exclusive right goes too.
    _sell(model, openai, 0.35)  # 0.353 -> 0.229 < 0.25
    _run(model, 1)
    assert openai.exclusive_cloud == "" and deal.compute == deals.ROFR
    # A partner that tops up raises the stake its terms are set at: no cut.
    anthropic = model.lab("Anthropic")
    amazon = anthropic.deals["Amazon"]
    share_before = amazon.revenue_share
    model.capital.invest_strategic(Tranche("Amazon", anthropic, 5e9, 2e10))
    _run(model, 1)
    assert amazon.stake_set == pytest.approx(anthropic.stakes["Amazon"])
    assert amazon.revenue_share == share_before


def test_a_restructuring_round_from_new_investors_loosens_exclusivity(small):
    model = AIIndustry(small(), seed=0)
    _run(model, 2)
    openai = model.lab("OpenAI")
    _sell(model, openai, 0.02)  # below deals.restructure_round_share (4 %)
    _run(model, 1)
    assert openai.exclusive_cloud == "Microsoft"
    _sell(model, openai, 0.05)
    _run(model, 1)
    assert openai.exclusive_cloud == ""
    assert "exclusivity -> first refusal: restructured" in _events(model, "OpenAI")
    # The partner's own money is no restructuring.
    other = AIIndustry(small(), seed=0)
    _run(other, 2)
    other.capital.invest_strategic(Tranche("Microsoft", other.lab("OpenAI"), 1e10, 1e11))
    _run(other, 1)
    assert other.lab("OpenAI").exclusive_cloud == "Microsoft"


def test_a_deal_renews_at_its_end_or_lapses_when_the_stake_is_too_small(small, payments):
    # Rule (a) off (an exclusive partner short of compute): the renewal rule alone.
    renew = AIIndustry(small(deals={"term_months": 6, "shortfall_share": 1.0}), seed=0)
    _run(renew, 7)
    assert "renewed" in _events(renew, "OpenAI")
    assert renew.lab("OpenAI").deals["Microsoft"].end_month == 12
    assert renew.lab("OpenAI").exclusive_cloud == "Microsoft"  # 49 % supports exclusivity
    # Deals expire: partners below deals.renew_min_stake let them lapse.
    model = AIIndustry(small(deals={"term_months": 6, "renew_min_stake": 0.5,
                                    "shortfall_share": 1.0}), seed=0)
    _run(model, 6)
    anthropic, openai = model.lab("Anthropic"), model.lab("OpenAI")
    assert anthropic.partners and openai.exclusive_cloud == "Microsoft"
    _run(model, 1)  # month 6: the deals' end
    assert "lapsed" in _events(model, "Anthropic") and "lapsed" in _events(model, "OpenAI")
    assert anthropic.partners == () and not anthropic.deals
    assert openai.exclusive_cloud == "" and openai.partners == ()
    assert not model.products.carries(model.by_name["Amazon"], anthropic)
    paid = payments(model)
    _run(model, 1)  # no revenue share once the deal has lapsed
    assert not any(v for (src, _, tag), v in paid.items()
                   if src in ("OpenAI", "Anthropic") and tag == "revenue_share")
    # Microsoft still owns 49 %: OpenAI stays in its ownership group.
    assert model.recorder.ownership_group(openai) == "Microsoft"


def test_columns_show_the_terms_in_force_each_month(small):
    model = AIIndustry(small(deals={"restructure_round_share": 1.0}), seed=0)
    _run(model, 3)
    openai = model.lab("OpenAI")
    _sell(model, openai, 0.6)  # 49 % -> 19.6 %: below exclusivity and consolidation
    _run(model, 2)
    firms, industry = model.recorder.frames()
    rows = firms[firms.firm == "OpenAI"].set_index("month")
    assert list(rows.exclusive_cloud) == ["Microsoft"] * 3 + ["", ""]
    assert list(rows.largest_holder) == ["Microsoft"] * 3 + ["US private capital"] * 2
    assert rows.largest_stake.iloc[0] == pytest.approx(0.49)
    assert rows.largest_stake.iloc[-1] == pytest.approx(0.6)
    assert list(rows.group) == ["Microsoft"] * 3 + ["OpenAI", "OpenAI"]
    # Ownership HHI follows: OpenAI's customers no longer count toward Microsoft's group.
    shares = firms[firms.month == 3].set_index("firm").market_share
    groups = firms[firms.month == 3].groupby("group").market_share.sum()
    assert industry.hhi_ownership[3] == pytest.approx(1e4 * float((groups**2).sum()))
    assert groups["OpenAI"] == pytest.approx(shares["OpenAI"])
    clouds = firms[firms.kind == "hyperscaler"]
    assert (clouds.exclusive_cloud == "").all() and (clouds.largest_holder == "").all()
    anthropic = firms[firms.firm == "Anthropic"]
    assert (anthropic.exclusive_cloud == "").all()
    assert anthropic.largest_holder.iloc[0] == "Google"  # 10 % against Amazon's 7 % (roster)
    # Later, whoever holds most after its rounds (an investor class may, as a round dilutes
    # both clouds): the column is the largest stake in force.
    stakes = model.lab("Anthropic").stakes
    assert anthropic.largest_holder.iloc[-1] == max(stakes, key=stakes.get)
    assert anthropic.largest_stake.iloc[-1] == pytest.approx(max(stakes.values()))


@pytest.mark.parametrize("seed", [0, 3])
def test_books_balance_with_terms_changing(seed, balanced):
    """Short deals, lapses, spill-over buying and dilution: the books still balance and the
    FLOP bought equal the FLOP sold."""
    model = AIIndustry(horizon_months=48, seed=seed, demand={"n_customers": 2000},
                       deals={"term_months": 12, "shortfall_months": 1, "shortfall_share": 0.05,
                              "renew_min_stake": 0.2, "dilution_trigger": 0.95})
    model.run()
    _, ind = model.recorder.frames()
    assert balanced(ind)
    np.testing.assert_allclose(ind.compute_bought_flop, ind.compute_sold_flop, rtol=1e-9)
    assert model.deals.events  # terms did change


def test_partners_buy_at_the_contract_price_and_scarcity_rations_them(small):
    """A partner lab pays its cloud's price before scarcity less the partner discount, plus
    `compute.partner_scarcity_share` of the scarcity premium; other buyers pay it all."""
    for share in (0.0, 0.5, 1.0):
        model = AIIndustry(small(compute={"partner_scarcity_share": share}), seed=0)
        _run(model, 3)
        amazon, c = model.by_name["Amazon"], model.p.compute
        anthropic, openai = model.lab("Anthropic"), model.lab("OpenAI")
        amazon.price = 3.0 * amazon.cost * c.cloud_markup  # a scarce month: 3x list
        contract = amazon.cost * c.cloud_markup
        want = (contract + share * (amazon.price - contract)) * (1.0 - c.partner_discount)
        assert amazon.price_for(anthropic) == pytest.approx(want, rel=1e-12)
        assert amazon.price_for(openai) == amazon.price  # not a partner: the market price
        amazon.price = 0.5 * contract  # a price below the contract (a custom policy): that
        assert amazon.price_for(anthropic) == pytest.approx(
            amazon.price * (1.0 - c.partner_discount))


def test_without_the_scarcity_premium_partner_labs_pay_less_and_sell_cheaper(small):
    """In the model: with contract prices Anthropic's compute bill per FLOP and its price per
    token in 2024 are no higher than at spot prices, and lower in scarce months."""
    runs = {}
    for share in (0.0, 1.0):
        model = AIIndustry(small(horizon_months=12, compute={"partner_scarcity_share": share}),
                           seed=0)
        model.run()
        firms, _ = model.recorder.frames()
        runs[share] = firms[firms.firm == "Anthropic"].price_usd.to_numpy()
    contract, spot = runs[0.0], runs[1.0]
    assert contract.mean() < spot.mean()
    assert contract.max() < spot.max()
