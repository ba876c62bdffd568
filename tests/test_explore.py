"""aisim explore: every assumption is declared with a plausible range; the design covers the
ranges; Morris, Sobol and RBD-FAST rank a synthetic model right through the same code path;
runs resume and repeat bit for bit; bad input is one line before any work."""

import ast
import dataclasses
import inspect
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import cli, explore, params
from sim import uncertainties as unc
from sim.params import Params
from sim.sweep import Outcome

FAST = ["horizon_months=6", "demand.n_customers=200"]


# ---- the declarations ------------------------------------------------------------------------

def _comment_blocks() -> dict[str, str]:
    """Each field of sim/params.py with the comment above it (a field with none shares the
    block of the field before it, as `frontier_weight` shares `pay_weight`'s)."""
    source = inspect.getsource(params)
    lines = source.splitlines()
    section = {f.type if isinstance(f.type, str) else f.type.__name__: f.name + "."
               for f in dataclasses.fields(Params) if f.default_factory is not dataclasses.MISSING}
    section["Params"] = ""
    out = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or node.name not in section:
            continue
        previous = ""
        for stmt in node.body:
            if not isinstance(stmt, ast.AnnAssign):
                continue
            block, j = [], stmt.lineno - 2
            while j >= 0 and lines[j].strip().startswith("#"):
                block.insert(0, lines[j].strip())
                j -= 1
            text = " ".join(block) or previous
            out[section[node.name] + stmt.target.id] = text
            previous = text
    return out


def test_every_assumption_is_declared_or_deliberately_not_explored():
    declared_paths = {k.split("[")[0] for k in unc.declared()}
    blocks = _comment_blocks()
    assumptions = [k for k, text in blocks.items() if re.search(r"assumption", text, re.I)]
    assert len(assumptions) > 50  # the parser found the comments
    for key in assumptions:
        assert key in declared_paths or key in unc.NOT_EXPLORED, (
            f"{key} is an assumption (sim/params.py) but has no range in sim/uncertainties.py "
            "and is not listed in NOT_EXPLORED")
    # Stricter: every parameter, sourced or assumed, is declared or listed with a reason.
    for key in unc.parameter_paths():
        assert key in declared_paths or key in unc.NOT_EXPLORED, f"{key}: not declared"
    assert not declared_paths & set(unc.NOT_EXPLORED)
    assert {"horizon_months", "demand.n_customers", "talent.n_researchers",
            "entry.max_entrants"} <= set(unc.NOT_EXPLORED)


def test_declarations_are_plausible_ranges_inside_the_validity_ranges():
    base = Params()
    for u in unc.UNCERTAINTIES:
        path, index = unc._path(u.key)
        f = unc._field(path)
        assert u.reason.strip(), u.key
        assert not re.search(r"\b20(2[5-9]|3\d)\b", u.reason), f"{u.key}: data after 2024"
        value = unc._get(base, path)
        if isinstance(u, unc.Categorical):
            assert index is None and (isinstance(value, bool) or "choices" in f.metadata)
            assert value in u.choices
            continue
        assert u.scale in (unc.LIN, unc.LOG) and u.low < u.high, u.key
        assert u.scale == unc.LIN or u.low > 0, u.key
        if index is not None:
            assert isinstance(value, list), u.key
            assert index == "*" or int(index) < len(value), u.key
        assert u.low <= unc.default(u) <= u.high, f"{u.key}: default outside its range"
        lo, hi, lo_open = f.metadata["range"]
        values = [x * u.low for x in value] + [x * u.high for x in value] if index == "*" \
            else [u.low, u.high]
        for v in values:  # the exploration range lies inside the validity range
            inside = (lo is None or (v > lo if lo_open else v >= lo)) and (hi is None or v <= hi)
            assert inside, u.key
    keys = [u.key for u in unc.UNCERTAINTIES]
    assert len(keys) == len(set(keys))


def test_the_list_prints_every_uncertainty(capsys):
    assert cli.main(["explore", "--list"]) == 0
    out = capsys.readouterr().out
    for u in unc.UNCERTAINTIES:
        assert u.key in out
    assert "[4, 12]" in out and "categorical" in out and "resolution" in out


# ---- the design ------------------------------------------------------------------------------

def _all(method, samples, **kw):
    return explore.Spec(method=method, samples=samples, keys=list(unc.declared()), **kw)


@pytest.mark.parametrize(("method", "samples", "rows"), [
    ("morris", 20, lambda d: 20 * (d + 1)), ("sobol", 8, lambda d: 8 * (2 * d + 2)),
    ("lhs", 40, lambda d: 40)])
def test_the_design_covers_every_declared_range(method, samples, rows):
    spec = _all(method, samples)
    unit = explore.draw(spec)
    assert unit.shape == (rows(len(spec.keys)), len(spec.keys))
    assert ((unit >= 0) & (unit <= 1)).all()
    table = explore.values(spec.keys, unit)
    declared = unc.declared()
    for j, key in enumerate(spec.keys):
        u, col = declared[key], table[key]
        if isinstance(u, unc.Categorical):
            assert set(col) <= set(u.choices), key
            assert set(col) == set(u.choices), f"{key}: a choice never drawn"
            continue
        assert col.min() >= u.low and col.max() <= u.high, key
        if method == "morris":  # levels 0, 1/3, 2/3, 1, and both ends are reached
            assert set(np.round(unit[:, j] * 3, 9)) <= {0, 1, 2, 3}, key
            assert col.min() == u.low and col.max() == u.high, key
        if method == "lhs":  # one run in each of the N strata
            assert sorted(np.floor(unit[:, j] * samples).astype(int)) == list(range(samples))
    # Every row is a valid Params.
    base = Params()
    for row in table.head(50).to_dict("records"):
        explore.params_of(row, base)


def test_values_map_the_unit_interval_onto_ranges_and_scales():
    d = unc.declared()
    log = d["compute.doubling_months"]
    assert unc.value_of(log, 0) == 4 and unc.value_of(log, 1) == 12
    assert unc.value_of(log, 0.5) == pytest.approx(math.sqrt(48))  # geometric middle
    integer = d["training.run_months"]  # 2..8: seven integers, equally likely
    draws = [unc.value_of(integer, x) for x in np.linspace(0, 1, 7001)]
    assert set(draws) == set(range(2, 9)) and all(isinstance(v, int) for v in draws)
    assert max(np.bincount(draws)[2:]) - min(np.bincount(draws)[2:]) <= 2
    switch = d["strategy.partnerships"]
    assert [unc.value_of(switch, x) for x in (0, 0.49, 0.51, 1)] == [False, False, True, True]
    assert set(d["finance.deal_figures"].choices) == {"public", "article"}
    nested = unc.to_nested({"talent.pay_usd_per_year[*]": 2.0,
                            "demand.home_cloud_shares[0]": 0.2, "entry.enabled": False})
    p = explore.make_params(nested)
    assert p.talent.pay_usd_per_year == [2 * x for x in Params().talent.pay_usd_per_year]
    assert p.demand.home_cloud_shares[0] == 0.2 and p.entry.enabled is False


# ---- a synthetic model with a known answer ---------------------------------------------------

SUMMARY = {"frontier_capability_final": 0.0, "hhi_revenue_final": 3000.0,
           "hhi_ownership_final": 3000.0, "cloud_share_of_ai_spend_final": 0.5,
           "cloud_profit_cum_usd": 2.0, "lab_profit_cum_usd": 1.0, "lab_exits": 0,
           "leader_kind": "independent_lab", "leader_owner": "OpenAI",
           "winner_capability": "OpenAI", "entrants": 0}


def fake_summary(p: Params, seed: int) -> dict:
    """doubling_months decides frontier_capability, budget_sigma does nothing; the frontier
    leader is in-house when compute doubles slowly."""
    slow = p.compute.doubling_months > 8
    return {**SUMMARY, "seed": seed,
            "frontier_capability_final": 30.0 - 10.0 * math.log(p.compute.doubling_months),
            "leader_kind": "inhouse_lab" if slow else "independent_lab",
            "leader_owner": "Google" if slow else "OpenAI"}


def fake_runner(calls=None, fail=(), stop_after=None):
    def run(tasks, workers, progress):
        if calls is not None:
            calls.append([i for i, _, _ in tasks])
        for n, (i, p, seed) in enumerate(tasks):
            if stop_after is not None and n == stop_after:
                raise KeyboardInterrupt
            if i in fail:
                yield i, Outcome(seed, error="RuntimeError: boom")
            else:
                yield i, Outcome(seed, fake_summary(p, seed))
    return run


ONLY = ["only=compute.doubling_months,demand.budget_sigma"]


def _spec(*words):
    return explore.parse([*ONLY, "outcomes=frontier_capability,hyperscaler_owned_leads",
                          *words])


def test_morris_ranks_the_deciding_parameter_first(tmp_path):
    sens = explore.explore(_spec("method=morris", "samples=10"), tmp_path, fake_runner(),
                           echo=lambda _: None)
    mu = sens[(sens.outcome == "frontier_capability") & (sens["index"] == "mu_star")] \
        .set_index("parameter").value
    assert mu["compute.doubling_months"] > 1 and mu["demand.budget_sigma"] == 0
    assert list(explore.top(sens, "morris", "frontier_capability").parameter)[0] \
        == "compute.doubling_months"
    assert set(sens.columns) == {"parameter", "outcome", "index", "value", "ci_low", "ci_high"}
    assert {"mu_star", "mu", "sigma"} <= set(sens["index"])
    results = pd.read_parquet(tmp_path / "results.parquet")
    assert len(results) == 10 * 3 and results.error.isna().all()
    assert (results.hyperscaler_owned_leads == (results["compute.doubling_months"] > 8)).all()
    assert "compute.doubling_months" in (tmp_path / "summary.md").read_text()


def test_sobol_and_rbd_fast_rank_the_deciding_parameter_first(tmp_path):
    sens = explore.explore(_spec("method=sobol", "samples=256", "second_order=false"),
                           tmp_path / "sobol", fake_runner(), echo=lambda _: None)
    s = sens[sens.outcome == "frontier_capability"].set_index(["parameter", "index"])
    assert s.value["compute.doubling_months", "S1"] == pytest.approx(1, abs=0.05)
    assert s.value["compute.doubling_months", "ST"] == pytest.approx(1, abs=0.05)
    assert abs(s.value["demand.budget_sigma", "S1"]) < 0.02
    assert s.value["demand.budget_sigma", "ST"] < 0.02
    assert s.ci_low["compute.doubling_months", "ST"] < s.value["compute.doubling_months", "ST"] \
        < s.ci_high["compute.doubling_months", "ST"]
    assert len(pd.read_parquet(tmp_path / "sobol" / "results.parquet")) == 256 * 4
    sens = explore.explore(_spec("method=lhs", "samples=200"), tmp_path / "lhs",
                           fake_runner(), echo=lambda _: None)
    s = sens[sens.outcome == "frontier_capability"].set_index("parameter").value
    assert s["compute.doubling_months"] > 0.8 and abs(s["demand.budget_sigma"]) < 0.15


def test_sobol_second_order_writes_pairs(tmp_path):
    sens = explore.explore(_spec("method=sobol", "samples=16"), tmp_path, fake_runner(),
                           echo=lambda _: None)
    pairs = sens[sens["index"] == "S2"]
    assert list(pairs.parameter.unique()) == ["compute.doubling_months:demand.budget_sigma"]
    assert len(pd.read_parquet(tmp_path / "results.parquet")) == 16 * 6


# ---- resume, failures, repeatability ---------------------------------------------------------

def test_resume_skips_finished_runs_and_gives_the_identical_results(tmp_path, monkeypatch):
    spec = _spec("method=morris", "samples=40")  # 120 runs
    whole = tmp_path / "whole"
    explore.explore(spec, whole, fake_runner(), echo=lambda _: None)
    monkeypatch.setattr(explore, "CHUNK", 7)
    part = tmp_path / "part"
    with pytest.raises(KeyboardInterrupt):  # killed after 50 runs
        explore.explore(spec, part, fake_runner(stop_after=50), echo=lambda _: None)
    assert len(explore.finished_runs(part)) == 50 and not (part / "done.json").exists()
    calls = []
    explore.explore(spec, part, fake_runner(calls), echo=lambda _: None)
    assert len(calls[0]) == 70 and not set(calls[0]) & set(range(50))
    for name in ("results.parquet", "sensitivity.csv", "design.parquet"):
        assert (part / name).read_bytes() == (whole / name).read_bytes(), name
    calls.clear()  # a finished folder: nothing runs again
    explore.explore(spec, part, fake_runner(calls), echo=lambda _: None)
    assert calls == []


def test_a_failed_run_is_recorded_and_retried_on_resume(tmp_path):
    spec = _spec("method=morris", "samples=4")
    explore.explore(spec, tmp_path, fake_runner(fail={3, 5}), echo=lambda _: None)
    results = pd.read_parquet(tmp_path / "results.parquet")
    assert list(results.error.notna()) == [i in (3, 5) for i in range(12)]
    assert results.frontier_capability.isna().sum() == 2
    sens = pd.read_csv(tmp_path / "sensitivity.csv")  # trajectories without failures
    assert sens.value.notna().all() and not sens.empty
    (tmp_path / "done.json").unlink()
    calls = []
    explore.explore(spec, tmp_path, fake_runner(calls), echo=lambda _: None)
    assert calls == [[3, 5]]
    assert pd.read_parquet(tmp_path / "results.parquet").error.isna().all()


def test_a_folder_with_another_design_is_refused(tmp_path):
    explore.explore(_spec("method=morris", "samples=2"), tmp_path, fake_runner(),
                    echo=lambda _: None)
    with pytest.raises(explore.ExploreError, match="holds another design"):
        explore.explore(_spec("method=morris", "samples=3"), tmp_path, fake_runner())


def test_the_same_command_twice_gives_identical_files(tmp_path):
    for d in ("a", "b"):
        explore.explore(_spec("method=lhs", "samples=30", "seed=5"), tmp_path / d,
                        fake_runner(), echo=lambda _: None)
    for name in ("results.parquet", "sensitivity.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    results = pd.read_parquet(tmp_path / "a" / "results.parquet")
    assert list(results.seed) == list(range(5, 35))
    other = explore.draw(_spec("method=lhs", "samples=30", "seed=6"))
    assert not np.allclose(other, pd.read_parquet(tmp_path / "a" / "design.parquet")
                           [explore.parse(ONLY).keys].to_numpy())


# ---- the command line ------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "fragment"), [
    (["method=pca"], "method=pca: unknown method (allowed: morris, sobol, lhs)"),
    (["samples=1"], "samples=1: Morris needs at least 2 trajectories"),
    (["samples=ten"], "samples=ten: expected a whole number"),
    (["method=sobol", "samples=100"], "samples=100: Sobol needs a power of 2"),
    (["method=lhs", "samples=5"], "samples=5: a Latin hypercube needs at least 10"),
    (["only=compute.doubling_monthz"], "only=compute.doubling_monthz: not a declared uncertainty"),
    (["only=demand.n_customers"], "only=demand.n_customers: not a declared uncertainty"),
    (["outcomes=winner"], "outcomes=winner: unknown outcome (allowed: frontier_capability"),
    (["trajectories=3"], "trajectories: unknown key (allowed: method, samples"),
    (["compute.doubling_months=-1"], "compute.doubling_months=-1.0 is out of range"),
    (["compute.doubling_monthz=3"], "compute.doubling_monthz: unknown key"),
    (["second_order=maybe"], "second_order=maybe: allowed true or false"),
])
def test_bad_input_is_one_line_naming_it(words, fragment, tmp_path, capsys):
    out = tmp_path / "x"
    assert cli.main(["explore", *words, f"dir={out}"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err
    assert not out.exists()  # nothing was written


def test_a_fixed_key_leaves_the_design_and_only_may_name_a_section():
    spec = explore.parse(["only=entry", "entry.enabled=false", *FAST])
    assert spec.keys and all(k.startswith("entry.") for k in spec.keys)
    assert "entry.enabled" not in spec.keys
    assert spec.overrides == {"entry.enabled": False, "horizon_months": 6,
                              "demand.n_customers": 200}
    assert explore.parse(["only=strategy.initial_make_weight"]).keys == [
        "strategy.initial_make_weight[0]", "strategy.initial_make_weight[1]",
        "strategy.initial_make_weight[2]"]
    assert explore.parse(["finance.us_capital_pool_usd_per_year=1e10"]).overrides == {
        "finance.us_capital_pool_usd_per_year": 1e10}


def test_outcomes_from_a_real_summary():
    s = sim.simulate({"horizon_months": 12, "demand": {"n_customers": 300}}, seed=2).summary
    values = explore.outcome_values(s)
    assert set(values) == set(explore.OUTCOMES) and all(math.isfinite(v) for v in values.values())
    assert values["labs_capture_more"] == float(s["lab_profit_cum_usd"] > s["cloud_profit_cum_usd"])
    assert explore.outcome_values({**SUMMARY, "leader_kind_2034": "inhouse_lab"})[
        "hyperscaler_owned_leads"] == 1.0
    assert explore.outcome_values({**SUMMARY, "leader_owner": "Amazon"})[
        "hyperscaler_owned_leads"] == 1.0  # a partner lab in Amazon's bloc
    assert explore.outcome_values(SUMMARY)["hyperscaler_owned_leads"] == 0.0
    assert all(math.isnan(v) for v in explore.outcome_values(None).values())


def test_a_small_real_exploration_in_process(tmp_path, capsys):
    out = tmp_path / "real"
    words = ["explore", "method=morris", "samples=2", "only=compute.doubling_months,"
             "strategy.partnerships", "workers=1", f"dir={out}", *FAST]
    assert cli.main(words) == 0
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 2 * 3 and results.error.isna().all()
    assert results["strategy.partnerships"].dtype == bool
    assert results[list(explore.OUTCOMES)].notna().all().all()
    assert (out / "done.json").exists() and "what matters most" in capsys.readouterr().out
    # Each row is the run of its own parameters and seed.
    row = results.iloc[3]
    direct = sim.simulate({"horizon_months": 6, "demand": {"n_customers": 200},
                           "compute": {"doubling_months": row["compute.doubling_months"]},
                           "strategy": {"partnerships": bool(row["strategy.partnerships"])}},
                          seed=int(row.seed)).summary
    assert direct["hhi_revenue_final"] == row.hhi_revenue


@pytest.mark.slow
def test_a_real_exploration_on_the_pool_matches_the_one_in_process(tmp_path):
    common = ["method=lhs", "samples=12", "only=compute,entry.enabled", "horizon_months=12",
              "demand.n_customers=500"]
    assert cli.main(["explore", *common, "workers=2", f"dir={tmp_path / 'pool'}"]) == 0
    assert cli.main(["explore", *common, "workers=1", f"dir={tmp_path / 'one'}"]) == 0
    pool = pd.read_parquet(tmp_path / "pool" / "results.parquet")
    assert len(pool) == 12 and pool.error.isna().all()
    assert (tmp_path / "pool" / "results.parquet").read_bytes() == \
        (tmp_path / "one" / "results.parquet").read_bytes()
    sens = pd.read_csv(tmp_path / "pool" / "sensitivity.csv")
    assert set(sens["index"]) == {"S1_rbd"} and Path(tmp_path / "pool" / "summary.md").exists()
