"""Scenario discovery (sim.discovery): PRIM from the EMA workbench and a scikit-learn tree
find a planted region, leave an inert input alone, and say the box in words."""

import re

import numpy as np
import pandas as pd
import pytest

from sim import discovery


@pytest.fixture(scope="module")
def planted():
    """An outcome that happens 90 % of the time where a <= 3 and b >= 0.5, 10 % elsewhere;
    `noise` and `flag` do nothing."""
    rng = np.random.default_rng(0)
    n = 1500
    X = pd.DataFrame({"a": rng.uniform(0, 10, n), "b": rng.uniform(0, 1, n),
                      "noise": rng.uniform(0, 1, n), "flag": rng.random(n) < 0.5})
    inside = (X.a <= 3) & (X.b >= 0.5)
    y = np.where(inside, rng.random(n) < 0.9, rng.random(n) < 0.1)
    return X, y


def test_prim_finds_the_planted_box_and_its_trade_off(planted):
    X, y = planted
    steps, box = discovery.prim(X, y, resamples=6)
    assert steps[0].mass == 1.0 and steps[0].coverage == 1.0 and steps[0].limits == {}
    assert all(b.mass >= 0.05 for b in steps)
    # The trade-off: peeling raises density and gives up coverage.
    assert steps[-1].density > steps[0].density and steps[-1].coverage < 1.0
    assert box.density > 0.8 and box.coverage >= 0.5
    assert set(box.limits) == {"a", "b"}  # the inert inputs are not restricted
    (lo_a, hi_a), (lo_b, hi_b) = box.limits["a"], box.limits["b"]
    assert lo_a is None and hi_a == pytest.approx(3, abs=0.5)
    assert hi_b is None and lo_b == pytest.approx(0.5, abs=0.1)
    assert box.stability["a"] >= 80  # found again in most resamples
    text = box.words("the outcome", y.mean(), names={"a": "compute.doubling_months"})
    assert text.startswith(f"the outcome in {box.density:.0%} of the runs where "
                           "compute.doubling_months <= ")
    assert re.search(r" and b >= 0\.[45]\d* \(", text) and "noise" not in text
    assert f"against {y.mean():.0%} overall" in text


def test_prim_has_nothing_to_find_when_the_outcome_never_varies(planted):
    X, _ = planted
    assert discovery.prim(X, np.zeros(len(X), bool)) == ([], None)
    assert discovery.prim(X, np.ones(len(X), bool)) == ([], None)


def test_a_tree_splits_on_the_inputs_that_matter(planted):
    X, y = planted
    text, score = discovery.tree(X, y)
    assert score > 0.75  # balanced accuracy in cross-validation (0.5: chance)
    first = text.splitlines()[0]
    assert first.startswith("|--- a <=") or first.startswith("|--- b <=")
    assert "noise" not in text.splitlines()[0]
    noise_only = pd.DataFrame({"noise": X.noise})
    assert discovery.tree(noise_only, y)[1] < 0.6


def test_resampling_is_reproducible_and_leaves_numpys_global_generator_alone(planted):
    X, y = planted
    before = np.random.get_state()[1].copy()
    a = discovery.prim(X, y, resamples=3)[1].stability
    assert np.array_equal(np.random.get_state()[1], before)
    assert discovery.prim(X, y, resamples=3)[1].stability == a
