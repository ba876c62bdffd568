"""Validation (issue #5): the statistics behind `aisim validate`, its verdicts, the full
validation as CI runs it, and the golden baseline."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

from sim import golden, validate
from sim.cli import main as cli_main


# ---------------------------------------------------------------- measures and statistics
def test_doubling_fit_recovers_a_known_doubling_time():
    months = np.arange(48)
    assert 1.0 / validate._fit_per_month(5e25 * 2.0 ** (months / 6.0)) == pytest.approx(6.0)


def test_lag_is_how_far_back_the_frontier_stood_where_the_follower_stands():
    frontier = np.arange(60, dtype=float) / 12.0  # one step a year
    assert validate._lag_months(frontier, frontier - 1.0, range(24, 36)) == pytest.approx(12.0)
    assert validate._lag_months(frontier, frontier, range(24, 36)) == 0.0


def test_quarterly_means():
    assert validate._quarterly(np.arange(7.0)).tolist() == [1.0, 4.0]


def test_proportion_test_separates_clear_differences_only():
    low, high = np.array([0.0] * 40 + [1.0] * 20), np.array([0.0] * 20 + [1.0] * 40)
    assert validate.proportion_test(low, high) < 0.001
    assert validate.proportion_test(high, low) > 0.999
    assert validate.proportion_test(low, low) == pytest.approx(0.5)
    assert validate.proportion_test(np.zeros(5), np.zeros(5)) == 1.0  # no difference at all


def test_mann_whitney_matches_the_normal_approximation_by_hand():
    base, other = np.arange(10.0), np.arange(5.5, 15.0)
    # other beats base in U = 6+7+8+9+10 + 5*10 = 90 of 100 pairs; no ties, so
    # var = 10*10*21/12 = 175 and z = (90 - 50) / sqrt(175)
    expected = 0.5 * math.erfc(40.0 / math.sqrt(175.0) / math.sqrt(2.0))
    assert validate.mann_whitney_greater(base, other) == pytest.approx(expected)
    p_up, p_down = (validate.mann_whitney_greater(base, other),
                    validate.mann_whitney_greater(other, base))
    assert p_up + p_down == pytest.approx(1.0)


def test_mann_whitney_handles_ties_and_constant_samples():
    assert validate.mann_whitney_greater(np.zeros(30), np.ones(30)) < 1e-10
    assert validate.mann_whitney_greater(np.zeros(30), np.zeros(30)) == 1.0


def test_a_direction_fails_when_the_scenario_moves_the_wrong_way():
    d = validate.Direction("x", "A0", "stat", "k", -1, "value")
    up = [{"k": float(v)} for v in range(30, 60)]
    down = [{"k": float(v)} for v in range(30)]
    assert validate.check_direction(d, up, down)["pass"]
    assert not validate.check_direction(d, down, up)["pass"]


def test_facts_fail_when_a_run_is_off_target():
    ok_runs = [{f.key: f.lo if math.isinf(f.hi) else (f.lo + f.hi) / 2
                for f in validate.FACTS}] * 3
    assert all(r["pass"] for r in validate.check_facts(ok_runs))
    slow = [{**r, "doubling_months": 12.0} for r in ok_runs]
    verdicts = {r["fact"]: r["pass"] for r in validate.check_facts(slow)}
    assert not verdicts["frontier training compute doubling time, 2024-2027"]
    assert sum(not ok for ok in verdicts.values()) == 1


def test_a_mean_exactly_on_a_bound_passes_and_just_below_fails():
    """Bounds are inclusive, also when floating point puts a mean on the bound a hair off:
    10, 9, 10, 9, 10 of 12 months, six times (288 of 360), average 0.8, which floating
    point gives as 0.7999999999999999."""
    fact = next(f for f in validate.FACTS if f.key == "frontier_tier_2024")
    on_bound = np.array([10, 9, 10, 9, 10] * 6) / 12
    assert fact.value(on_bound) < 0.8 == fact.lo  # what floating point gives
    assert fact.holds(on_bound)
    assert not fact.holds(on_bound - 1.0 / 360)  # one month fewer over 30 seeds


def test_bad_arguments_get_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as err:
        cli_main(["validate", "--seeds", "0"])
    assert err.value.code == 2
    assert "--seeds=0: must be at least 1" in capsys.readouterr().err


# ---------------------------------------------------------------- the validation itself
@pytest.mark.slow
def test_the_baseline_reproduces_every_fact(capsys):
    assert cli_main(["validate", "--facts-only", "--seeds", "30", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "all checks hold" in out
    verdicts = [line.split()[-1] for line in out.splitlines() if line[:1] == "A"]
    assert verdicts == ["pass"] * len(validate.FACTS)


@pytest.mark.slow
def test_every_scenario_moves_the_way_the_article_says():
    """The full validation as documented: facts on 30 seeds, directions on 100 per scenario."""
    out = io.StringIO()
    ok = validate.validate(seeds=30, direction_seeds=100, workers=2, out=out)
    text = out.getvalue()
    assert ok, text
    for d in validate.DIRECTIONS:
        assert d.scenario in text
    assert "A25/A26" in text and "A32" in text  # findings are reported


# ---------------------------------------------------------------- the golden baseline
@pytest.mark.parametrize("case", golden.CASES)
def test_golden_baseline_is_unchanged(case):
    """The baseline, and the fixed-roster model (entry off) that entry must leave alone."""
    stored = json.loads(golden.path(case).read_text())
    diff = golden.differences(stored, golden.compute(case=case))
    assert not diff, (f"the {case} results changed; if on purpose, run "
                      f"`python -m sim.golden --write --case {case}` and say why in the "
                      "commit:\n" + "\n".join(diff))


def test_golden_comparison_reports_a_changed_value():
    stored = {"seeds": [0, 9], "numbers": {"x": {"mean": 1.0, "min": 0.5, "max": 2.0}},
              "counts": {"leader_2034": {"OpenAI": 10}}}
    same = json.loads(json.dumps(stored))
    assert golden.differences(stored, same) == []
    moved = json.loads(json.dumps(stored))
    moved["numbers"]["x"]["mean"] = 1.0 + 1e-6
    moved["counts"]["leader_2034"] = {"OpenAI": 9, "Anthropic": 1}
    diff = golden.differences(stored, moved)
    assert any(d.startswith("x.mean") for d in diff) and any("counts" in d for d in diff)
