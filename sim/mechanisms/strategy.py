"""Make-or-buy (A4, A5, A18, A19): a hyperscaler shifts effort between its own frontier lab
and its partners by comparing the yearly cost of each."""

from __future__ import annotations



def make_weight_step(weight: float, buy_cost: float, make_cost: float, gap: float, *,
                     adjust_rate: float, control_value: float, gap_cost: float,
                     push: float, floor: float) -> float:
    """New make weight (share of frontier effort in-house) after one review.

    buy_cost: yearly cost of access through partners (investment paid plus the partners'
      margin on this cloud's customers), USD;
    make_cost: yearly net cost of the own programme (compute at cost, talent, less its
      model's margin), USD;
    gap: partner capability minus own capability (steps). Closing it multiplies the cost
      of making by gap_cost per step (10: the scaling law's 10x compute a step, A8);
      leading makes making cheaper.
    Control over an own model is worth `control_value` of the buying cost (A18).

    The weight the costs favour is a logistic function of the log cost ratio (equal costs:
    a half-and-half hybrid); the weight moves `adjust_rate` of the way there, plus `push`.
    """
    effective_make = max(make_cost, 1.0) * gap_cost**gap
    effective_buy = max(buy_cost, 1.0) * (1.0 + control_value)
    favoured = 1.0 / (1.0 + effective_make / effective_buy)
    weight += adjust_rate * (favoured - weight) + push
    return min(1.0, max(floor, weight))
