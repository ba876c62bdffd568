"""Prices of models (issue 17, item 4): labs mark up their serving cost by a logit-Bertrand
best response; serving cost follows the tokens served and the model's size; open weights
catch up with the closed frontier by distillation."""

from __future__ import annotations

import math

from .training import algorithmic_efficiency

# Chinchilla: training compute C = 6 N D with D = 20 N tokens, so N = sqrt(C / 120)
# (Hoffmann et al. 2022); a forward pass costs 2 FLOP per parameter per token (Kaplan et
# al. 2020). Both stated as the rule used, not measured for any one model.
CHINCHILLA_FLOP_PER_PARAM2 = 120.0
FLOP_PER_PARAM_PER_TOKEN = 2.0


def elasticity(price_weight: float, share: float) -> float:
    """Own-price elasticity of the tokens a model sells when customers choose by
    multinomial logit on `price_weight * log(price)` and spend a fixed budget on the model
    they choose: the share falls by price_weight * (1 - share) per log price and each
    customer's tokens by 1 more (budget / price)."""
    return 1.0 + price_weight * (1.0 - share)


def markup(e: float, cap: float) -> float:
    """Price over marginal cost from the Lerner rule, p / c = e / (e - 1), capped at `cap`;
    a seller facing e <= 1 would raise its price without end, so it prices at the cap."""
    if e <= 1.0:
        return cap
    return min(e / (e - 1.0), cap)


def flop_per_token(capability: float, month: float, per_decade: float, halving_months: float,
                   overhead: float) -> float:
    """FLOP bought to serve one token of a model of `capability` in `month`: 2 x its
    parameters, sized by the Chinchilla rule for the training compute that capability needs
    at the month's algorithmic efficiency (labs serve the smallest model that does the job,
    so serving gets cheaper with algorithmic progress), times `overhead` (serving runs the
    hardware at a lower utilisation than training, which the compute price assumes)."""
    train_flop = 10.0 ** (capability / per_decade) / algorithmic_efficiency(month, halving_months)
    return FLOP_PER_PARAM_PER_TOKEN * math.sqrt(train_flop / CHINCHILLA_FLOP_PER_PARAM2) * overhead


def distilled(open_capability: float, closed_frontier: float, lag_months: float) -> float:
    """Open weights after one month of distillation: they close 1/lag of their gap to the
    closed frontier, so against a frontier rising steadily they trail it by `lag_months`."""
    if closed_frontier <= open_capability:
        return open_capability
    return open_capability + (closed_frontier - open_capability) / max(lag_months, 1.0)
