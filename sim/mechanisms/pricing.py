"""Prices of models (issue 17, item 4): labs mark up their serving cost by a logit-Bertrand
best response; serving cost follows the tokens served and the model's size, which shrinks
at a given capability as labs over-train; open weights catch up with the closed frontier by
distillation."""

from __future__ import annotations

import math

from .training import algorithmic_efficiency

# Chinchilla: training compute C = 6 N D with D = 20 N tokens, so N = sqrt(C / 120)
# (Hoffmann et al. 2022); a forward pass costs 2 FLOP per parameter per token (Kaplan et
# al. 2020). Both stated as the rule used, not measured for any one model.
CHINCHILLA_FLOP_PER_PARAM2 = 120.0
CHINCHILLA_TOKENS_PER_PARAM = 20.0
FLOP_PER_PARAM_PER_TOKEN = 2.0
# Exponent of the loss in parameters and in tokens, L = E + A / N^a + B / D^a: Hoffmann et
# al. 2022 fit a = 0.34 for parameters (0.28 for tokens); one exponent for both is the
# assumption under which the compute-optimal tokens per parameter (20) does not depend on
# the compute, as the rule above takes it.
LOSS_EXPONENT = 0.34


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


def tokens_per_param(month: float, at_2024: float, growth_per_year: float,
                     most: float) -> float:
    """Training tokens per parameter of the models labs serve in `month`: `at_2024` at
    2024-01, multiplied by `growth_per_year` a year, up to `most`. Labs train smaller models
    on more tokens because serving, not training, is most of what a model costs them."""
    return min(at_2024 * growth_per_year ** (month / 12.0), most)


def overtrained_size(tokens_per_param: float) -> float:
    """Parameters of a model trained on `tokens_per_param` tokens a parameter, as a share of
    the compute-optimal (Chinchilla, 20 tokens a parameter) model of the same loss. With
    L = E + A / N^a + B / D^a and the optimum at D = 20 N, both loss terms are equal there;
    holding their sum gives u / (2 - u) = (r / 20)^a with u = (N* / N)^a, so N / N* =
    ((1 + q) / (2 q))^(1/a), q = (r / 20)^a. It falls with r toward 2^(-1/a) ~ 0.13: a
    smaller model cannot reach the loss however long it trains. 1 at r = 20."""
    q = (tokens_per_param / CHINCHILLA_TOKENS_PER_PARAM) ** LOSS_EXPONENT
    return ((1.0 + q) / (2.0 * q)) ** (1.0 / LOSS_EXPONENT)


def flop_per_token(capability: float, month: float, per_decade: float, halving_months: float,
                   overhead: float, size: float = 1.0) -> float:
    """FLOP bought to serve one token of a model of `capability` in `month`: 2 x its
    parameters, sized by the Chinchilla rule for the training compute that capability needs
    at the month's algorithmic efficiency (labs serve the smallest model that does the job,
    so serving gets cheaper with algorithmic progress), times `size` (an over-trained
    model's parameters as a share of that size, `overtrained_size`), times `overhead`
    (serving runs the hardware at a lower utilisation than training, which the compute
    price assumes)."""
    train_flop = 10.0 ** (capability / per_decade) / algorithmic_efficiency(month, halving_months)
    return (FLOP_PER_PARAM_PER_TOKEN * math.sqrt(train_flop / CHINCHILLA_FLOP_PER_PARAM2)
            * size * overhead)


def distilled(open_capability: float, closed_frontier: float, lag_months: float) -> float:
    """Open weights after one month of distillation: they close 1/lag of their gap to the
    closed frontier, so against a frontier rising steadily they trail it by `lag_months`."""
    if closed_frontier <= open_capability:
        return open_capability
    return open_capability + (closed_frontier - open_capability) / max(lag_months, 1.0)


def cheap_tier_gap(size: float, tokens_per_param: float, cheap_tokens_per_param: float,
                   per_decade: float) -> float:
    """Capability steps by which a cheap tier falls short of its frontier model: the cheap
    tier has `size` x the frontier model's parameters and is trained (distilled) on
    `cheap_tokens_per_param` tokens a parameter, the frontier model on `tokens_per_param`.
    By `overtrained_size`, a model of N parameters trained on r tokens a parameter has the
    loss of the compute-optimal model of N / n(r) parameters, whose compute is 120 (N /
    n(r))^2; capability is `per_decade` steps per 10x compute, so the gap is 2 per_decade
    log10(n(r_cheap) / (size n(r))) - it narrows with more over-training of the small
    model, widens as the frontier model is over-trained too. Never negative: a tier as good
    as its teacher is no cheap tier (distillation is credited only with the tokens it
    supplies, an assumption)."""
    ratio = overtrained_size(cheap_tokens_per_param) / (size * overtrained_size(tokens_per_param))
    return max(2.0 * per_decade * math.log10(ratio), 0.0)
