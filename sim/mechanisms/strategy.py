"""Make-or-buy (A4, A5, A18, A19): a hyperscaler shifts effort between its own frontier lab
and its partners by comparing the yearly cost of each."""

from __future__ import annotations

import math


def make_weight_step(weight: float, buy_cost: float, make_cost: float, gap: float, *,
                     adjust_rate: float, control_value: float, gap_cost: float,
                     push: float, floor: float) -> float:
    """New make weight after one review.

    buy_cost: yearly cost of access through partners (investment paid, plus the partners'
      margin on this cloud's customers, less the compute margin earned on them), USD;
    make_cost: yearly cost of a frontier-sized own programme at own cost, USD;
    gap: partner capability minus own capability (steps); trailing makes making dearer.
    Control over an own model is worth `control_value` of the buying cost (A18).
    """
    effective_make = make_cost * math.exp(gap_cost * max(gap, 0.0))
    effective_buy = max(buy_cost, 0.0) * (1.0 + control_value)
    # 1% of making cost as floor keeps the ratio finite when buying is free.
    advantage = math.log(max(effective_buy, 0.01 * effective_make) / effective_make)
    weight += adjust_rate * math.tanh(advantage) + push
    return min(1.0, max(floor, weight))
