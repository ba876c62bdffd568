"""Scenario discovery: which region of the assumptions makes an outcome likely (issue 18).

PRIM (patient rule induction, Friedman & Fisher 1999) from the EMA workbench peels the
space of the runs' inputs down to a box where the outcome is frequent, giving the trade-off
between coverage (share of the outcome's runs inside the box) and density (share of the
box's runs with the outcome); resampling says how stable each restriction is. A
classification tree from scikit-learn gives a second, independent view. `Box.words()` says a
box the way a policy reader would read it. The heavy libraries load only when used.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MIN_COVERAGE = 0.5  # the chosen box holds at least half of the outcome's runs ...
SLACK = 0.02  # ... and is the largest within 2 points of the densest such box
MAX_QP = 0.05  # a restriction less significant than this (quasi-p-value) is dropped


@dataclass
class Box:
    """One step of a PRIM peeling trajectory: the region, and how good it is."""

    limits: dict[str, tuple]  # restricted inputs: (lo, hi), or (set of values,) for a category
    coverage: float
    density: float
    mass: float  # share of all runs inside
    n: int  # runs inside
    stability: dict[str, float] = field(default_factory=dict)  # % of resamples restricting it

    def words(self, outcome: str, base_rate: float, names: dict[str, str] | None = None,
              formats: dict[str, Callable[[Any], str]] | None = None) -> str:
        """E.g. "an in-house lab leads in 78 % of the runs where compute.doubling_months >=
        9 and ... (120 runs, 12 % of all; they hold 64 % of the runs where it happens),
        against 31 % overall"."""
        names = names or {}
        formats = formats or {}
        where = " and ".join(_condition(names.get(k, k), lim, formats.get(k, _fmt))
                             for k, lim in self.limits.items())
        stable = ""
        if self.stability:
            stable = "; restrictions found again in resamples: " + ", ".join(
                f"{names.get(k, k)} {v:.0f}%" for k, v in self.stability.items())
        return (f"{outcome} in {self.density:.0%} of the runs where "
                f"{where or 'anything (no restriction helps)'} ({self.n} runs, "
                f"{self.mass:.0%} of all; they hold {self.coverage:.0%} of the runs where it "
                f"happens), against {base_rate:.0%} overall{stable}")


def _condition(name: str, lim: tuple, fmt: Callable[[Any], str] | None = None) -> str:
    """A restriction in words; `fmt` writes a value (default: 3 significant digits)."""
    fmt = fmt or _fmt
    if len(lim) == 1:  # a category
        values = sorted(lim[0], key=str)
        return f"{name} is {' or '.join(fmt(v) for v in values)}"
    lo, hi = lim
    if lo is None:
        return f"{name} <= {fmt(hi)}"
    if hi is None:
        return f"{name} >= {fmt(lo)}"
    return f"{fmt(lo)} <= {name} <= {fmt(hi)}"


def _fmt(v) -> str:
    if isinstance(v, bool | np.bool_):
        return str(bool(v)).lower()
    if isinstance(v, int | float | np.number):
        return f"{v:.3g}".replace("e+0", "e").replace("e+", "e")
    return str(v)


def prim(X: pd.DataFrame, y, *, min_coverage: float = MIN_COVERAGE, slack: float = SLACK,
         peel_alpha: float = 0.05, mass_min: float = 0.05, resamples: int = 0,
         seed: int = 0) -> tuple[list[Box], Box | None]:
    """The peeling trajectory of PRIM on inputs `X` (a column per input: numbers, booleans
    or text) and a yes/no outcome `y`, and the chosen box: the largest box holding at least
    `min_coverage` of the outcome's runs whose density is within `slack` of the densest such
    box (the last peels fit noise). With `resamples`, the chosen box's stability: in how
    many of that many PRIM runs on random halves each input is restricted again. ([], None)
    when the outcome never or always happens."""
    y = np.asarray(y, dtype=bool)
    if not 0 < y.sum() < len(y):
        return [], None
    with warnings.catch_warnings():  # it warns that an optional parallel back end is missing
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim  # ~3 s to import: only when asked

    X = X.reset_index(drop=True)
    # EMA's pasting writes a midpoint into the box's limits: an integer input (a count of
    # months) must be float for it, or pandas refuses 5.5 in an int64 column.
    X = X.astype({c: float for c in X.columns if pd.api.types.is_integer_dtype(X[c])})
    with _quiet():
        # Cases of interest are y >= threshold, and a box is kept if its mean reaches it: a
        # threshold just above 0 keeps every trajectory with y = 1 as the cases.
        alg = ema_prim.Prim(X, y.astype(float), threshold=1e-9, peel_alpha=peel_alpha,
                            mass_min=mass_min,
                            obj_function=ema_prim.PRIMObjectiveFunctions.LENIENT1)
        found = alg.find_box()
    start = found.box_lims[0]
    steps = [Box(_restrictions(lims, start), float(row.coverage), float(row.density),
                 float(row.mass), int(row.n))
             for lims, row in zip(found.box_lims, found.peeling_trajectory.itertuples())]
    fit = [i for i, b in enumerate(steps) if b.coverage >= min_coverage] or [0]
    best = max(steps[i].density for i in fit)
    chosen = next(i for i in fit if steps[i].density >= best - slack)
    # Greedy peeling also cuts inputs that do not matter; a restriction whose quasi-p-value
    # (the chance of its density gain under no effect, on either side) exceeds MAX_QP is
    # dropped, and the box's numbers are those of what is left.
    keep = {k: lim for k, lim in steps[chosen].limits.items()
            if min((q for q in found.qp[chosen].get(k, [0.0]) if q >= 0), default=0.0) <= MAX_QP}
    box = steps[chosen] if len(keep) == len(steps[chosen].limits) else _box(X, y, keep)
    if resamples and box.limits:
        # EMA's resampling draws from numpy's global generator: give it a seeded state for
        # this call and put back what was there (the model never uses that generator).
        saved = np.random.get_state()
        np.random.set_state(np.random.RandomState(seed).get_state())
        try:
            with _quiet():
                again = found.resample(chosen, iterations=resamples, p=0.5)
        finally:
            np.random.set_state(saved)
        box.stability = {k: float(again.loc[k, "reproduce coverage"])
                         for k in box.limits if k in again.index}
    return steps, box


@contextlib.contextmanager
def _quiet():
    """No warnings, and no INFO lines from EMA's logger (a line per peel) on the console."""
    ema = logging.getLogger("EMA")
    level = ema.level
    ema.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        ema.setLevel(level)


def _box(X: pd.DataFrame, y: np.ndarray, limits: dict[str, tuple]) -> Box:
    """A box's numbers, counted from the runs."""
    inside = np.ones(len(y), bool)
    for k, lim in limits.items():
        x = X[k].to_numpy()
        if len(lim) == 1:
            inside &= np.isin(x, list(lim[0]))
        else:
            lo, hi = lim
            inside &= (x >= lo if lo is not None else True) & (x <= hi if hi is not None else True)
    return Box(limits, float(y[inside].sum() / y.sum()), float(y[inside].mean()),
               float(inside.mean()), int(inside.sum()))


def _restrictions(lims: pd.DataFrame, start: pd.DataFrame) -> dict[str, tuple]:
    """The inputs a box restricts, against the box holding every run."""
    out = {}
    for col in lims.columns:
        lo, hi = lims[col].iloc[0], lims[col].iloc[1]
        lo0, hi0 = start[col].iloc[0], start[col].iloc[1]
        if isinstance(lo, set):
            if lo != lo0:
                out[col] = (lo,)
        elif lo > lo0 or hi < hi0:
            out[col] = (float(lo) if lo > lo0 else None, float(hi) if hi < hi0 else None)
    return out


def tree(X: pd.DataFrame, y, *, max_depth: int = 3, seed: int = 0) -> tuple[str, float]:
    """A classification tree of the outcome on the inputs (scikit-learn), as text rules, and
    its balanced accuracy in 5-fold cross-validation (0.5: no better than chance)."""
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier, export_text

    y = np.asarray(y, dtype=bool)
    data = pd.get_dummies(X.reset_index(drop=True), dtype=float)
    leaf = max(5, math.ceil(0.02 * len(y)))
    model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf,
                                   class_weight="balanced", random_state=seed)
    folds = min(5, int(y.sum()), int((~y).sum()))
    score = float(np.mean(cross_val_score(model, data, y, cv=folds,
                                          scoring="balanced_accuracy"))) if folds >= 2 else 0.5
    model.fit(data, y)
    return export_text(model, feature_names=list(data.columns), class_names=["no", "yes"],
                       show_weights=True), score
