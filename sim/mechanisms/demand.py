"""Demand and distribution (A19, A27): total spend grows with the frontier's quality;
heterogeneous customers re-choose a model by multinomial logit over quality, price and
availability on their home cloud. Consumers (subscribers to a lab's own app) buy direct,
on no cloud, and re-choose less often than businesses: habit keeps them where they are."""

from __future__ import annotations

import math

import numpy as np


def adoption(month: float, growth_2024_per_year: float, slowdown_years: float) -> float:
    """How many times more customers spend at equal quality than in 2024-01: adoption grows
    at `growth_2024_per_year` at the start, and its log growth rate halves every
    `slowdown_years`, so adoption levels off at exp(log(1 + g) x slowdown_years / ln 2)."""
    years = month / 12.0
    rate = math.log1p(growth_2024_per_year)
    return math.exp(rate * slowdown_years / math.log(2.0)
                    * (1.0 - 2.0 ** (-years / slowdown_years)))


def ai_spend(frontier_gain: float, spend_2024: float, multiplier: float,
             ceiling_per_year: float, adopted: float = 1.0) -> float:
    """Customers' monthly spending on models: `spend_2024` x adoption x multiplier **
    (capability steps the released frontier gained since 2024-01), bent under a soft yearly
    ceiling."""
    linear = spend_2024 * adopted * multiplier ** max(frontier_gain, 0.0)
    ceiling = ceiling_per_year / 12.0
    return linear * ceiling / (linear + ceiling)


def reached_share(months: float, rechoose_prob: float, consumer_rechoose_prob: float,
                  consumer_share: float) -> float:
    """Share of spending whose customers re-choose at least once in `months`: businesses
    at `rechoose_prob` a month, consumers (`consumer_share` of it) at theirs."""
    def reached(prob):
        return 1.0 - (1.0 - prob) ** months
    return ((1.0 - consumer_share) * reached(rechoose_prob)
            + consumer_share * reached(consumer_rechoose_prob))


class CustomerPopulation:
    """Customers as arrays: home (a cloud, elsewhere or, for consumers, direct), budget
    weight, taste for quality and price, and the model each buys now (-1: none yet)."""

    def __init__(self, n: int, rng: np.random.Generator, home_cloud_shares, budget_sigma: float,
                 quality_weight: float, price_weight: float, consumer_share: float = 0.0,
                 consumer_price_weight: float = 0.0):
        shares = np.asarray(home_cloud_shares, dtype=float)
        n_clouds = len(shares)
        # Homes 0..n_clouds-1 are the hyperscalers, n_clouds is elsewhere (businesses on
        # other clouds or none) and n_clouds + 1 is direct (consumers: a lab's own app). A
        # share `consumer_share` of customers are consumers; businesses' homes follow the
        # cloud shares. (Without consumers the draws are those of a population without the
        # direct home: one uniform a customer, the same cumulative shares.)
        probs = np.append(shares, max(0.0, 1.0 - shares.sum()))
        probs = np.append((1.0 - consumer_share) * (probs / probs.sum()), consumer_share)
        self.n_homes = n_clouds + 2
        self.direct = n_clouds + 1
        self.home = rng.choice(self.n_homes, size=n, p=probs)
        self.consumer = self.home == self.direct
        budget = rng.lognormal(0.0, budget_sigma, size=n)
        self.weight = budget / budget.sum()
        self.beta_quality = quality_weight * rng.lognormal(-0.125, 0.5, size=n)
        self.beta_price = np.where(self.consumer, consumer_price_weight,
                                   price_weight) * rng.lognormal(-0.125, 0.5, size=n)
        self.choice = np.full(n, -1, dtype=np.int64)

    def start_with(self, rng: np.random.Generator, shares, consumer_shares=None) -> None:
        """Initial purchases drawn from observed market shares (customers re-choose later);
        consumers' from `consumer_shares` (None: the same)."""
        shares = np.asarray(shares, dtype=float)
        self.choice = rng.choice(shares.size, size=self.n, p=shares / shares.sum())
        consumers = np.flatnonzero(self.consumer)
        if consumer_shares is not None and consumers.size:
            c = np.asarray(consumer_shares, dtype=float)
            self.choice[consumers] = rng.choice(c.size, size=consumers.size, p=c / c.sum())

    @property
    def n(self) -> int:
        return self.choice.size

    def choose(self, rng: np.random.Generator, capability: np.ndarray, log_price: np.ndarray,
               offered: np.ndarray, reach: np.ndarray, switching_cost: float,
               rechoose_prob: float, every_column: bool = True,
               consumer_rechoose_prob: float | None = None) -> None:
        """Customers who re-choose this month (and those whose model is gone) pick the model
        with the highest utility plus Gumbel noise.

        capability, log_price, offered: per model (offered False: not for sale);
        reach: utility [n_models, n_homes] of buying the model from each home cloud (the
        home-cloud bonus where that cloud carries it, A27; direct sales elsewhere, A19).
        rechoose_prob: the share of businesses who re-choose this month; consumers at
        `consumer_rechoose_prob` (None: the same).
        every_column: draw noise for every model, offered or not (the random stream of one
        product a lab, kept so its results do not change); False draws it for the models on
        offer only, which is cheaper when many are not (cheap tiers double the products).
        """
        if not offered.any():
            return
        stranded = (self.choice < 0) | ~offered[np.maximum(self.choice, 0)]
        if consumer_rechoose_prob is not None:
            rechoose_prob = np.where(self.consumer, consumer_rechoose_prob, rechoose_prob)
        movers = np.flatnonzero(stranded | (rng.random(self.n) < rechoose_prob))
        if movers.size == 0:
            return
        # Utilities of the models on offer only (those not on offer can't win), with the
        # random stream of a draw for every model.
        cols = np.flatnonzero(offered)
        util = (self.beta_quality[movers, None] * capability[cols]
                - self.beta_price[movers, None] * log_price[cols]
                + reach[cols][:, self.home[movers]].T)
        # Movers whose model is still on offer get the switching cost on its column.
        stays = np.flatnonzero(~stranded[movers])
        column = np.empty(offered.size, dtype=np.int64)
        column[cols] = np.arange(cols.size)
        util[stays, column[self.choice[movers[stays]]]] += switching_cost
        if every_column:
            util += gumbel_columns(rng, (movers.size, offered.size), cols)
        else:
            util += gumbel_columns(rng, util.shape, slice(None))
        self.choice[movers] = cols[np.argmax(util, axis=1)]

    def spend_by_model_and_home(self, n_models: int) -> np.ndarray:
        """Share of total budget per (model, home cloud); rows sum to model shares."""
        chosen = self.choice >= 0
        flat = self.choice[chosen] * self.n_homes + self.home[chosen]
        out = np.bincount(flat, weights=self.weight[chosen], minlength=n_models * self.n_homes)
        return out.reshape(n_models, self.n_homes)


def gumbel_columns(rng: np.random.Generator, shape: tuple[int, int],
                   columns: np.ndarray | slice) -> np.ndarray:
    """`rng.gumbel(size=shape)[:, columns]`, computing only those columns: the same random
    stream and the same values, at a quarter of the cost when few models are on offer.
    (numpy's gumbel is -log(-log(1 - U)) of one uniform U per draw; it redraws U = 1, a
    chance of 2**-53 per draw, which this does not.)"""
    g = 1.0 - rng.random(shape)[:, columns]
    np.log(g, out=g)
    np.negative(g, out=g)
    np.log(g, out=g)
    return np.negative(g, out=g)
