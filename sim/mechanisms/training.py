"""Training and capability (A8, A21, A28, A29): effective compute = FLOP x algorithmic
efficiency x talent multiplier; capability is log10 of effective compute (10x = one step)."""

from __future__ import annotations

import numpy as np


def algorithmic_efficiency(month: float, halving_months: float) -> float:
    """Industry-wide algorithmic progress: compute for fixed performance halves every
    `halving_months` (Ho et al. 2024), relative to 2024-01."""
    return 2.0 ** (month / halving_months)


def talent_multiplier(talent, mean_talent: float, elasticity: float):
    """A firm's efficiency multiplier from its talent relative to the mean firm's: concave
    (diminishing returns, A29); 1 for an average firm."""
    talent = np.asarray(talent, dtype=float)
    if mean_talent <= 0:
        return np.ones_like(talent)
    return np.maximum(talent / mean_talent, 1e-3) ** elasticity


def effective_flop(train_flop: float, trained_month: float, halving_months: float,
                   multiplier: float) -> float:
    return train_flop * algorithmic_efficiency(trained_month, halving_months) * multiplier


def capability(effective: float, per_decade: float) -> float:
    """Capability of a model: `per_decade` steps per 10x effective compute (scaling, A8)."""
    return per_decade * float(np.log10(effective))


def run_cost(flop: float, price: float, research_multiple: float) -> float:
    """Dollars for `flop` of final run at `price` per FLOP, with the research compute bought
    alongside it (`research_multiple` FLOP per FLOP of the run; only the run counts for the
    model)."""
    return flop * price * (1.0 + research_multiple)


def affordable_flop(budget: float, price: float, research_multiple: float) -> float:
    """The largest run `budget` pays for, research compute included (inverse of run_cost)."""
    return budget / (price * (1.0 + research_multiple))


def bought_flop(run_flop: float, research_multiple: float) -> float:
    """FLOP to buy for `run_flop` of final run: the run and its research compute."""
    return run_flop * (1.0 + research_multiple)


def run_share(bought: float, research_multiple: float) -> float:
    """The part of `bought` FLOP that goes into the final run (inverse of bought_flop)."""
    return bought / (1.0 + research_multiple)
