"""Validation (issue #5): the statistics behind `aisim validate`, its verdicts, the full
validation as CI runs it, and the golden baseline."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
from scipy import stats
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


def test_paired_effect_is_the_mean_difference_with_an_interval_around_it():
    rng = np.random.default_rng(3)
    base = rng.normal(10.0, 2.0, 100)
    other = base + 0.5 + rng.normal(0.0, 0.5, 100)  # +0.5 per seed, seed noise paired away
    effect, lo, hi = validate.paired_effect(base, other)
    assert effect == pytest.approx(np.mean(other - base))
    assert 0.3 < lo < effect < hi < 0.7
    # The bootstrap interval agrees with the paired t-interval on near-normal differences.
    t = stats.ttest_rel(other, base).confidence_interval(0.95)
    assert lo == pytest.approx(t.low, abs=0.03) and hi == pytest.approx(t.high, abs=0.03)
    # No effect: the interval straddles zero. The same runs: the same interval.
    same = base + rng.normal(0.0, 0.5, 100)
    _, lo0, hi0 = validate.paired_effect(base, same)
    assert lo0 < 0 < hi0
    assert validate.paired_effect(base, same) == (_, lo0, hi0)
    # Every seed moved by the same amount: a point.
    assert validate.paired_effect(base, base + 1.0) == pytest.approx((1.0, 1.0, 1.0))


def test_the_effect_does_not_shrink_with_more_seeds_while_a_p_value_does():
    rng = np.random.default_rng(5)
    effects, widths, ps = [], [], []
    for n in (50, 800):
        base = rng.normal(0.0, 1.0, n)
        other = base + 0.2 + rng.normal(0.0, 1.0, n)
        effect, lo, hi = validate.paired_effect(base, other)
        effects.append(effect), widths.append(hi - lo)
        ps.append(validate.signed_rank_p(base, other, +1))
    assert abs(effects[0] - 0.2) < 0.35 and abs(effects[1] - 0.2) < 0.1
    assert widths[1] < widths[0] / 3  # the interval narrows ...
    assert ps[1] < ps[0] / 100  # ... while the p-value collapses


def test_a_direction_fails_when_the_scenario_moves_the_wrong_way():
    d = validate.Direction("x", "A0", "stat", "k", -1, "value")
    up = [{"k": float(v), "seed": i} for i, v in enumerate(range(30, 60))]
    down = [{"k": float(v), "seed": i} for i, v in enumerate(range(30))]
    row = validate.check_direction(d, up, down)
    assert row["pass"] and row["effect"] == pytest.approx(-30.0) and row["hi"] < 0
    assert row["relative"] == pytest.approx(-30.0 / 44.5)
    assert not validate.check_direction(d, down, up)["pass"]
    # A rate: the effect is a difference in probability; a tie in every seed fails.
    r = validate.Direction("x", "A0", "stat", "k", +1, "rate")
    zeros = [{"k": 0.0, "seed": i} for i in range(40)]
    some = [{"k": float(i % 2), "seed": i} for i in range(40)]
    row = validate.check_direction(r, zeros, some)
    assert row["effect"] == pytest.approx(0.5) and row["lo"] > 0 and row["pass"]
    assert not validate.check_direction(r, zeros, zeros)["pass"]
    with pytest.raises(ValueError, match="pair seed by seed"):
        validate.check_direction(d, up, list(reversed(down)))


def test_facts_fail_when_a_run_is_off_target():
    ok_runs = [{f.key: f.lo if math.isinf(f.hi) else (f.lo + f.hi) / 2
                for f in validate.FACTS}] * 3
    assert all(r["pass"] for r in validate.check_facts(ok_runs))
    slow = [{**r, "doubling_months": 12.0} for r in ok_runs]
    verdicts = {r["fact"]: r["pass"] for r in validate.check_facts(slow)}
    assert not verdicts["frontier training compute doubling time, 2024-2027"]
    assert sum(not ok for ok in verdicts.values()) == 1


def test_a_known_gap_is_shown_with_its_reason_and_does_not_fail():
    ok_runs = [{f.key: f.lo if math.isinf(f.hi) else (f.lo + f.hi) / 2
                for f in validate.FACTS}] * 3
    gapped = next(f for f in validate.FACTS if f.gap)
    off = [{**r, gapped.key: gapped.hi * 10} for r in ok_runs]
    row = next(r for r in validate.check_facts(off) if r["fact"] == gapped.statement)
    assert not row["pass"] and row["verdict"] == "gap" and row["gap"]
    assert next(r for r in validate.check_facts(ok_runs)
                if r["fact"] == gapped.statement)["verdict"] == "pass"
    plain = next(f for f in validate.FACTS if not f.gap)
    off = [{**r, plain.key: plain.lo - 1e30} for r in ok_runs]
    assert next(r for r in validate.check_facts(off)
                if r["fact"] == plain.statement)["verdict"] == "FAIL"


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
    assert len(verdicts) == len(validate.FACTS)
    for fact, verdict in zip(validate.FACTS, verdicts):  # a known gap may show as one
        assert verdict == "pass" or (fact.gap and verdict == "gap"), fact.statement


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


def test_the_inhouse_lead_is_the_best_inhouse_lab_less_the_best_other_lab_alive():
    """The statistic of two directions (bigtech_inhouse, custom_silicon): in capability
    steps at a month, clouds' rows and dead labs left out; the last month if the run ends
    sooner."""
    rows = [  # month, firm, kind, alive, capability
        (5, "Microsoft", "hyperscaler", 1, float("nan")),
        (5, "Google DeepMind", "inhouse_lab", 1, 30.0),
        (5, "Amazon AGI", "inhouse_lab", 1, 29.0),
        (5, "OpenAI", "independent_lab", 1, 29.5),
        (5, "Entrant 1", "independent_lab", 0, 31.0),  # exited: not a rival
        (5, "Meta", "open_weights", 1, 29.8),
        (4, "OpenAI", "independent_lab", 1, 35.0),  # another month
    ]
    firms = pd.DataFrame(rows, columns=["month", "firm", "kind", "alive", "capability"])
    assert validate._inhouse_lead(firms, 5) == pytest.approx(0.2)
    assert validate._inhouse_lead(firms, 119) == pytest.approx(0.2)  # run ends at month 5
    behind = firms.assign(capability=firms.capability.where(firms.firm != "OpenAI", 30.5))
    assert validate._inhouse_lead(behind, 5) == pytest.approx(-0.5)
