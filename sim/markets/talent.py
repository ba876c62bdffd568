"""The talent market (A10, A15, A28, A29): researchers move toward pay, frontier status
and openness into the openings labs decide to create; salaries are paid; a lab's
skill-weighted talent sets its algorithmic efficiency."""

from __future__ import annotations

import math

import numpy as np

from ..mechanisms import talent, training
from ..mechanisms.finance import SALARIES
from ..policies import checked


class TalentMarket:
    def __init__(self, model):
        self.model = model
        self.researchers = self._hire_initial(model)
        self.heads: list[int] = []  # researchers per lab slot (pool last)
        self.count_heads()
        for lab in model.labs:
            lab.target_headcount = float(self.heads[lab.slot])
        self.multiplier = self.multipliers()  # talent multiplier per lab slot

    @staticmethod
    def _hire_initial(model) -> talent.ResearcherPopulation:
        tp = model.p.talent
        shares = np.array([lab.spec.researcher_share for lab in model.labs])
        probs = np.append(shares, max(0.0, 1.0 - shares.sum()))
        employer = model.rng.choice(len(probs), size=tp.n_researchers, p=probs / probs.sum())
        shift = np.append([lab.spec.skill_shift for lab in model.labs], 0.0)
        skill = model.rng.lognormal(0.0, tp.skill_sigma, size=tp.n_researchers) * np.exp(
            shift[employer])
        return talent.ResearcherPopulation(skill, employer.astype(np.int64),
                                           pool=len(model.labs))

    def count_heads(self) -> None:
        """Researchers per employer: call after moves and exits. A list of Python ints, not
        an array: read one at a time in scalar arithmetic, where numpy scalars cost ~5x."""
        self.heads = self.researchers.headcount().tolist()

    def multipliers(self) -> np.ndarray:
        m = self.model
        tp = m.p.talent
        stock = self.researchers.talent(tp.skill_exponent)[: len(m.labs)]
        alive = np.array([lab.alive for lab in m.labs])
        mean = stock[alive].mean() if alive.any() else 0.0
        return training.talent_multiplier(stock, mean, tp.elasticity)

    def update_multipliers(self) -> None:
        self.multiplier = self.multipliers()

    def monthly_salaries(self, lab) -> float:
        """Pay of a lab's researchers and overhead; a simulated researcher stands for
        workforce / n_researchers real ones, so n_researchers sets resolution, not cost."""
        tp = self.model.p.talent
        scale = tp.workforce / tp.n_researchers
        return self.heads[lab.slot] * scale * lab.pay_per_year / 12.0 * (1.0 + tp.overhead_ratio)

    def clear(self) -> None:
        """Labs open positions at the rate they decide; researchers move; salaries are paid."""
        m = self.model
        tp = m.p.talent
        frontier_cap, _ = m.frontier()
        pool_pay = tp.pay_usd_per_year["pool"]
        heads = self.heads
        utility = np.empty(len(m.labs) + 1)
        openings = np.zeros(len(m.labs) + 1)
        for j, lab in enumerate(m.labs):
            if not lab.alive:
                utility[j] = -np.inf
                continue
            gap = frontier_cap - lab.capability if lab.sells else tp.no_model_gap
            utility[j] = (tp.pay_weight * math.log(lab.pay_per_year / pool_pay)
                          - tp.frontier_weight * gap
                          + tp.openness_weight * lab.publishes_weights
                          + tp.lab_pull * lab.independent)
            rate = checked(lab.policy.hire_rate(lab, m.view), lab.policy, "hire_rate", lab)
            lab.target_headcount = max(lab.target_headcount * (1.0 + rate), 1.0)
            openings[j] = math.floor(lab.target_headcount - heads[j])
        utility[-1] = tp.openness_weight  # academia and small labs publish
        self.researchers.move(m.rng, utility, openings, tp.move_prob, tp.move_cost)
        self.count_heads()
        for lab in m.labs:
            if lab.alive:
                salaries = min(self.monthly_salaries(lab), max(lab.cash, 0.0))
                m.ledger.pay(lab.name, SALARIES, salaries, "salaries")
        self.update_multipliers()
