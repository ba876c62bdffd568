"""Talent (A10, A15, A28, A29): researchers move toward pay, frontier status and openness,
with friction; a firm's talent (skill-weighted) sets its algorithmic efficiency."""

from __future__ import annotations

import numpy as np


class ResearcherPopulation:
    """Researchers as arrays: skill and employer (firm index; `pool` = outside the firms)."""

    def __init__(self, skill: np.ndarray, employer: np.ndarray, pool: int):
        self.skill = skill
        self.employer = employer
        self.pool = pool

    def headcount(self) -> np.ndarray:
        return np.bincount(self.employer, minlength=self.pool + 1)

    def talent(self, exponent: float) -> np.ndarray:
        """Skill-weighted talent per employer (stars weigh more when exponent > 1)."""
        return np.bincount(self.employer, weights=self.skill**exponent, minlength=self.pool + 1)

    def release(self, firm: int, to: int | None = None) -> int:
        """All researchers of a firm that closed go to the pool (or to firm `to`, an
        acqui-hire); returns how many."""
        leaving = self.employer == firm
        self.employer[leaving] = self.pool if to is None else to
        return int(leaving.sum())

    def found(self, rng: np.random.Generator, firm: int, size: int, exponent: float) -> int:
        """A founding team of `size` leaves its employers (or the pool) for new firm `firm`,
        drawn with weight skill ** exponent: stars found labs (A12, A13). Returns the team size."""
        weight = self.skill**exponent
        size = min(size, self.skill.size)
        team = rng.choice(self.skill.size, size=size, replace=False, p=weight / weight.sum())
        self.employer[team] = firm
        return int(size)

    def move(self, rng: np.random.Generator, utility: np.ndarray, openings: np.ndarray,
             move_prob: float, move_cost: float) -> int:
        """One month of moves. utility: per employer (pool last; -inf closes a firm);
        openings: vacancies per employer (the pool takes anyone). Movers pick the best offer
        plus Gumbel noise if it beats staying by move_cost; a firm with more applicants than
        openings takes the most skilled. Returns the number who moved."""
        movers = np.flatnonzero(rng.random(self.employer.size) < move_prob)
        if movers.size == 0:
            return 0
        noisy = utility[None, :] + rng.gumbel(size=(movers.size, utility.size))
        current = self.employer[movers]
        stay = noisy[np.arange(movers.size), current] + move_cost
        noisy[np.arange(movers.size), current] = -np.inf
        best = np.argmax(noisy, axis=1)
        wants = noisy[np.arange(movers.size), best] > stay
        movers, best = movers[wants], best[wants]  # those who leave, in the same order
        moved = 0
        for firm in np.unique(best):
            applicants = movers[best == firm]
            if firm != self.pool:
                room = int(max(openings[firm], 0))
                if applicants.size > room:
                    order = np.argsort(-self.skill[applicants], kind="stable")
                    applicants = applicants[order[:room]]
            self.employer[applicants] = firm
            moved += applicants.size
        return moved
