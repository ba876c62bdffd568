"""The product market (A15, A19, A27): labs price their models, customers choose models,
sales are paid to the model's seller with a revenue share to the partner cloud that carries
it, and the serving compute for the tokens sold is ordered from the cloud that serves it.

Products: product j < n_labs is lab slot j's frontier model; with `demand.cheap_tier`,
product n_labs + j is the cheap tier of closed lab j (a small model distilled from its
frontier model, limitation 18). Customers choose a product; the lab gets the money."""

from __future__ import annotations

import math

import numpy as np

from ..mechanisms import demand, pricing
from ..mechanisms.finance import CUSTOMERS
from . import deals
from .compute import ComputeOrder


class ProductMarket:
    def __init__(self, model):
        self.model = model
        self.n_labs = len(model.labs)
        self.n_products = self.n_labs * (2 if model.p.demand.cheap_tier else 1)
        # Customers' spending on models this month (USD), in all, by product and by lab
        # slot (both its tiers); before the first month's sales, 2024-01's by the models
        # customers start with (the shares labs price against in the first month).
        self.ai_spend = model.p.demand.ai_spend_2024_usd_per_month
        self.product_spend = self.ai_spend * model.customers.spend_by_model_and_home(
            self.n_products).sum(axis=1)
        self.model_spend = self.by_lab(self.product_spend)
        # By lab slot, businesses' spending (all but consumers', whose token price it sets).
        self.business_spend = self.business(
            model.customers.spend_by_model_and_home(self.n_products))
        # By product, this month: price (USD per token), FLOP per token served, and the
        # capability customers get (open weights: with what they distilled).
        self.price = np.zeros(self.n_products)
        self.flop_per_token = np.zeros(self.n_products)
        self.offered_capability = np.full(self.n_products, -math.inf)
        # By product, its size as a share of a model of its capability at the month's
        # over-training practice (1: frontier models; for the price index).
        self.practice = np.ones(self.n_products)
        self.open_capability = -math.inf  # open weights' distilled capability (commons)
        self.base_price = 0.0  # GPT-4-level price per token at 2024-01 (price_index = 1)
        self.price_index = 1.0
        # Serving compute each cloud is asked for this month (cleared in the compute market).
        self.inference_orders: dict[str, list[ComputeOrder]] = {}

    def business(self, spend: np.ndarray) -> np.ndarray:
        """Businesses' spending by lab slot from a (product, home) spending table: every home
        before the last, consumers' direct one."""
        return self.by_lab(spend[:, :self.model.customers.direct].sum(axis=1))

    def by_lab(self, per_product: np.ndarray) -> np.ndarray:
        """Per lab slot, the sum over its tiers."""
        n = self.n_labs
        return per_product if self.n_products == n else per_product[:n] + per_product[n:]

    def cheap_share(self, lab) -> float:
        """The cheap tier's share of the lab's sales this month (0 without sales)."""
        total = self.model_spend[lab.slot]
        if self.n_products == self.n_labs or total <= 0:
            return 0.0
        return float(self.product_spend[self.n_labs + lab.slot] / total)

    def carries(self, cloud, lab) -> bool:
        """A cloud offers a model: its own lab's, its partners' (access deals, A1, A2), and
        any open-weights model."""
        if lab.publishes_weights or lab.owner == cloud.name:
            return True
        return lab.independent and self.model.p.strategy.partnerships and \
            cloud.name in lab.partners

    def distil(self) -> None:
        """Open weights catch up with the closed frontier by distillation (they trail it by
        `demand.distillation_lag_months`) or by their own training, whichever is ahead."""
        labs = self.model.labs
        closed = max((lab.capability for lab in labs if lab.sells and not lab.publishes_weights),
                     default=-math.inf)
        own = max((lab.capability for lab in labs if lab.sells and lab.publishes_weights),
                  default=-math.inf)
        if math.isfinite(self.open_capability):
            self.open_capability = pricing.distilled(
                self.open_capability, closed, self.model.p.demand.distillation_lag_months)
        self.open_capability = max(self.open_capability, own)

    def set_prices(self) -> None:
        """Each model's serving FLOP per token and price this month: closed labs mark up
        their serving cost (their policy's markup); open weights sell near the hosts' cost,
        as many hosts compete to serve the same weights."""
        m = self.model
        d, tr = m.p.demand, m.p.training
        market_price = m.compute.market_price()
        hosts = [*m.hyperscalers, m.other_clouds]
        host_cost = sum(h.cost for h in hosts) / len(hosts)  # a FLOP on the hosts' fleets
        # Every lab serves models over-trained as the month's practice is (closed and open
        # alike: GPT-4o mini, Claude Haiku, Gemini Flash, Llama 3): smaller at a capability.
        r = pricing.tokens_per_param(m.month, d.tokens_per_param_2024,
                                     d.tokens_per_param_growth_per_year, d.max_tokens_per_param)
        size = pricing.overtrained_size(r)
        for lab in m.labs:
            j = lab.slot
            if not lab.sells:
                self.offered_capability[j] = -math.inf
                continue
            cap = max(lab.capability, self.open_capability) if lab.publishes_weights \
                else lab.capability
            self.offered_capability[j] = cap
            fpt = pricing.flop_per_token(cap, m.month, tr.capability_per_decade,
                                         tr.algorithmic_halving_months, d.serving_overhead, size)
            self.flop_per_token[j] = fpt
            if lab.publishes_weights:
                lab.price = d.open_weights_markup * fpt * host_cost
                lab.serving_share = 1.0 / d.open_weights_markup
            else:
                per_flop = market_price if lab.other_cloud else sum(
                    share * host.price_for(lab) for host, share in m.compute.suppliers(lab))
                lab.set_price(fpt * per_flop)
            self.price[j] = lab.price
        if self.n_products > self.n_labs:
            self._price_cheap_tiers(r, size)
        # Price of a unit of capability served: the cheapest a seller at or above the
        # 2024-01 frontier (GPT-4 level) would sell tokens of that capability for (its
        # price scaled to that capability's serving FLOP), 2024-01 = 1.
        level = self.offered_capability >= m.frontier_capability_2024 - 1e-9
        if level.any():
            fpt = pricing.flop_per_token(m.frontier_capability_2024, m.month,
                                         tr.capability_per_decade, tr.algorithmic_halving_months,
                                         d.serving_overhead, size)
            # (A cheap tier serves a capability with fewer FLOP than the month's practice:
            # `practice` scales it.)
            cheapest = float((self.price[level] / self.flop_per_token[level]
                              * self.practice[level]).min()) * fpt
            if self.base_price == 0.0:
                self.base_price = cheapest
            self.price_index = cheapest / self.base_price

    def _price_cheap_tiers(self, r: float, size: float) -> None:
        """Each closed lab that sells offers a cheap tier: `demand.cheap_tier_size` x its
        frontier model's parameters, so as many times its FLOP per token, at
        `pricing.cheap_tier_gap` steps less capability, priced at the lab's one markup (a
        multi-product logit seller's best response marks every product up alike, from its
        total share). `r`: the month's tokens a parameter, `size`: its models' share of
        Chinchilla's size."""
        m = self.model
        d = m.p.demand
        n = self.n_labs
        r_cheap = max(d.cheap_tier_tokens_per_param, r)
        gap = pricing.cheap_tier_gap(d.cheap_tier_size, r, r_cheap,
                                     m.p.training.capability_per_decade)
        practice = pricing.overtrained_size(r_cheap) / size
        for lab in m.labs:
            j, k = lab.slot, n + lab.slot
            if not lab.sells or lab.publishes_weights:
                self.offered_capability[k] = -math.inf
                self.price[k] = 0.0
                continue
            self.offered_capability[k] = lab.capability - gap
            self.flop_per_token[k] = d.cheap_tier_size * self.flop_per_token[j]
            self.price[k] = d.cheap_tier_size * self.price[j]
            self.practice[k] = practice

    def sell(self) -> None:
        """Customers re-choose (A19, A27); money goes to the model's seller, a revenue share
        to the partner cloud that sold it, and inference is ordered from the cloud that
        serves it."""
        m = self.model
        d = m.p.demand
        self.distil()
        self.set_prices()  # against last month's shares, before this month's spending
        frontier_cap, _ = m.frontier()
        gain = frontier_cap - m.frontier_capability_2024
        self.ai_spend = demand.ai_spend(gain, d.ai_spend_2024_usd_per_month,
                                        d.spend_multiplier_per_capability,
                                        d.ai_spend_ceiling_usd_per_year,
                                        demand.adoption(m.month, d.adoption_growth_2024_per_year,
                                                        d.adoption_slowdown_years))
        hyperscalers, labs = m.hyperscalers, m.labs
        n_homes, n = m.customers.n_homes, self.n_labs
        offered = np.isfinite(self.offered_capability)
        caps = np.where(offered, self.offered_capability, 0.0)
        log_price = np.log(np.where(offered, self.price, 1.0))
        reach = np.zeros((self.n_products, n_homes))
        # Which cloud carries which lab this month (nothing here changes it before the sales).
        carried = [[False] * len(hyperscalers) for _ in labs]
        for j, lab in enumerate(labs):
            if not lab.sells:  # not on offer (its utility is -inf): nothing to reach
                continue
            for h in hyperscalers:
                if self.carries(h, lab):
                    carried[j][h.cloud] = True
                    reach[j, h.cloud] = d.home_cloud_bonus
                elif lab.independent:
                    reach[j, h.cloud] = d.direct_sales_bonus
            # Elsewhere, open weights are hosted everywhere. Consumers (direct) buy a closed
            # lab's app; open weights have no paid app (Meta AI is free in Meta's apps).
            reach[j, len(hyperscalers)] = d.home_cloud_bonus if lab.publishes_weights else 0.0
            reach[j, m.customers.direct] = -math.inf if lab.publishes_weights else 0.0
        if self.n_products > n:  # a cheap tier is carried where its lab's model is
            reach[n:] = reach[:n]
        m.customers.choose(m.rng, caps, log_price, offered, reach, d.switching_cost,
                           d.rechoose_prob, every_column=self.n_products == n,
                           consumer_rechoose_prob=d.consumer_rechoose_prob)
        spend = m.customers.spend_by_model_and_home(self.n_products) * self.ai_spend
        self.product_spend = spend.sum(axis=1)
        self.model_spend = self.by_lab(self.product_spend)
        self.business_spend = self.business(spend)

        self.inference_orders = {h.name: [] for h in (*hyperscalers, m.other_clouds)}
        for lab in labs:
            lab.last_sales = 0.0
        # A lab's tiers are sold together: one payment and one serving order per home
        # cloud and host, whose FLOP are each tier's tokens times its FLOP per token.
        by_lab = spend if self.n_products == n else spend[:n] + spend[n:]
        for j, home in zip(*np.nonzero(by_lab > 0.0)):  # by lab, then home (row-major)
            j, home = int(j), int(home)
            lab = labs[j]
            cloud = hyperscalers[home] if home < len(hyperscalers) else None
            tiers = None if self.n_products == n else tuple(
                (float(spend[k, home]) / self.price[k], self.flop_per_token[k])
                for k in (j, n + j) if spend[k, home] > 0.0)
            self._sell_one(lab, cloud, float(by_lab[j, home]), cloud is not None and (
                carried[j][home] if lab.sells else self.carries(cloud, lab)), tiers)

    def _sell_one(self, lab, cloud, x: float, carried: bool, tiers=None) -> None:
        """A month's sales `x` of a lab's models to customers whose home is `cloud` (None:
        elsewhere), which carries them or not. `tiers`: (tokens, FLOP per token) of each
        tier sold in `x`; by default all of `x` buys the lab's frontier model."""
        if tiers is None:
            tiers = ((x / self.price[lab.slot], self.flop_per_token[lab.slot]),)
        m = self.model
        f = m.p.finance
        ledger, orders = m.ledger, self.inference_orders
        if lab.is_open:  # free weights: the hosting cloud earns, the lab does not
            if cloud is None:  # customers outside the three clouds: the other clouds host
                cloud = m.other_clouds
            ledger.pay(CUSTOMERS, cloud.name, x, "hosting")
            flop = sum(tokens * fpt for tokens, fpt in tiers)  # tokens served
            orders[cloud.name].append(ComputeOrder(cloud, flop, 0.0, "own_use"))
            return
        ledger.pay(CUSTOMERS, lab.name, x, "sales")
        lab.last_sales += x
        if lab.independent and carried:
            share = deals.revenue_share(lab, cloud.name, f.revenue_share)  # the deal's terms
            ledger.pay(lab.name, cloud.name, share * x, "revenue_share")
            cloud.partner_payback_month += share * x
            keep = max(1.0 - lab.serving_share - share, 0.0)
            cloud.partner_margin_month += keep * x
        # Not carried: served where it trains (an entrant renting outside the three: there).
        hosts = [(cloud, 1.0)] if carried else m.compute.suppliers(lab)
        for host, share in hosts:
            flop = sum(tokens * share * fpt for tokens, fpt in tiers)
            tag = "self_inference" if lab.owner == host.name else "inference"
            orders[host.name].append(ComputeOrder(lab, flop, host.price_for(lab), tag))
