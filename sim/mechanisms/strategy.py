"""Make-or-buy (A4, A5, A18, A19): a hyperscaler shifts effort between its own frontier lab
and its partners by comparing the yearly cost of each."""

from __future__ import annotations

import math


def make_weight_step(weight: float, buy_cost: float, make_cost: float, gap: float, *,
                     adjust_rate: float, control_value: float, gap_cost: float,
                     push: float, floor: float) -> float:
    """New make weight after one review.

    buy_cost: yearly cost of access through partners (investment paid plus the partners'
      margin on this cloud's customers), USD;
    make_cost: yearly cost of the own lab (compute at cost, talent), USD;
    gap: partner capability minus own capability (steps): trailing makes making dearer,
      leading makes it cheaper.
    Control over an own model is worth `control_value` of the buying cost (A18).
    """
    effective_make = max(make_cost, 1.0) * math.exp(gap_cost * gap)
    effective_buy = max(buy_cost, 1.0) * (1.0 + control_value)
    # log cost ratio, squashed: a large advantage moves at most adjust_rate per review.
    advantage = math.log(effective_buy / effective_make)
    weight += adjust_rate * math.tanh(advantage / 2.0) + push
    return min(1.0, max(floor, weight))
