"""Make-or-buy (A4, A5, A18, A19): a hyperscaler shifts effort between its own frontier lab
and its partners by comparing what each brought it, in value, over the review period."""

from __future__ import annotations

import math


def buy_value(stakes_start: float, stakes_end: float, invested: float,
              partner_payback: float) -> float:
    """What partnering brought over a period, USD: the change in the value of its stakes
    (marked to the partners' valuations) less the money it put in - so equity bought at
    its value is neither a gain nor a cost - plus the cloud margin and revenue share the
    partners paid back."""
    return stakes_end - stakes_start - invested + partner_payback


def make_value(lab_value_start: float, lab_value_end: float, margin: float, cost: float,
               control_value: float) -> float:
    """What the own programme brought over a period, USD: the change in the own lab's
    valuation, plus its model's margin, less its cost (compute at cost, talent); control
    over an own model is worth `control_value` of that cost (A18)."""
    return lab_value_end - lab_value_start + margin - cost + control_value * cost


def make_weight_step(weight: float, buy: float, make: float, *, adjust_rate: float,
                     sensitivity: float, push: float, floor: float) -> float:
    """New make weight (share of frontier effort in-house) after one review.

    buy, make: what buying and making brought over the period (buy_value, make_value), USD,
    either of which may be negative. The weight they favour is a logistic function of their
    difference relative to their size, 1 / (1 + exp(-sensitivity x (make - buy) /
    (|make| + |buy|))): equal values favour a half-and-half hybrid, and the favoured weight
    stays within logistic(+-sensitivity). The weight moves `adjust_rate` of the way there,
    plus `push`, within [floor, 1]."""
    scale = abs(make) + abs(buy)
    lead = (make - buy) / scale if scale > 0 else 0.0
    favoured = 1.0 / (1.0 + math.exp(-sensitivity * lead))
    weight += adjust_rate * (favoured - weight) + push
    return min(1.0, max(floor, weight))
