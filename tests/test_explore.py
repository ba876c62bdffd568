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
from sim.runner import Outcome

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
    declared = set(unc.declared())
    keys = unc.parameter_keys()

    def covered(path):  # a per-name parameter or a policy: each of its keys
        mine = [k for k in keys if k == path or k.startswith(path + ".")]
        return path in unc.NOT_EXPLORED or all(k in declared or k in unc.NOT_EXPLORED
                                               for k in mine)

    blocks = _comment_blocks()
    assumptions = [k for k, text in blocks.items() if re.search(r"assumption", text, re.I)]
    assert len(assumptions) > 50  # the parser found the comments
    for key in assumptions:
        assert covered(key), (
            f"{key} is an assumption (sim/params.py) but has no range in sim/uncertainties.py "
            "and is not listed in NOT_EXPLORED")
    # Stricter: every parameter, sourced or assumed - each entry of a per-name one, each
    # policy and each field of a shipped policy - is declared or listed with a reason.
    for key in keys:
        assert key in declared or key in unc.NOT_EXPLORED, f"{key}: not declared"
    assert set(declared) <= set(keys) and not declared & set(unc.NOT_EXPLORED)
    assert {"horizon_months", "demand.n_customers", "talent.n_researchers",
            "entry.max_entrants"} <= set(unc.NOT_EXPLORED)
    assert {"strategy.initial_make_weight.Google", "demand.home_cloud_shares.Amazon",
            "talent.pay_usd_per_year.pool", "policy.lab", "policy.hyperscaler",
            "policy.lab.payback_months"} <= declared


def test_declarations_are_plausible_ranges_inside_the_validity_ranges():
    for u in unc.UNCERTAINTIES:
        t = unc.target(u.key)
        valid = unc.validity(u.key)  # sim.params.allowed, or the policy class's
        value = unc.default(u)
        assert u.reason.strip(), u.key
        assert not re.search(r"\b20(2[5-9]|3\d)\b", u.reason), f"{u.key}: data after 2024"
        if isinstance(u, unc.Categorical):
            assert t.kind in ("field", "policy"), u.key
            assert isinstance(value, bool) or valid.choices is not None, u.key
            assert value == u.choices[0] or isinstance(value, bool), u.key  # default first
            assert value in u.choices and len(u.choices) >= 2, u.key
            continue
        assert u.scale in (unc.LIN, unc.LOG) and u.low < u.high, u.key
        assert u.scale == unc.LIN or u.low > 0, u.key
        assert u.low <= value <= u.high, f"{u.key}: default {value} outside its range"
        assert u.low in valid and u.high in valid, f"{u.key}: outside {valid}"
    keys = [u.key for u in unc.UNCERTAINTIES]
    assert len(keys) == len(set(keys))


def test_defaults_of_per_name_entries_and_policies():
    d = unc.declared()
    assert unc.default(d["strategy.initial_make_weight.Google"]) == 0.9  # the roster's
    assert unc.default(d["demand.home_cloud_shares.Amazon"]) == 0.31
    assert unc.default(d["talent.pay_usd_per_year.inhouse_lab"]) == 1.2e6  # Params'
    assert d["policy.lab"].choices == ("returns", "profit", "racing")  # configs/policy/lab/, default first
    assert d["policy.hyperscaler"].choices == ("make_or_buy", "all_in")
    assert unc.default(d["policy.lab.payback_months"]) == 12.0  # configs/policy/lab/profit.yaml
    with pytest.raises(params.ConfigError, match="unknown name Meta"):
        unc.target("strategy.initial_make_weight.Meta")
    with pytest.raises(params.ConfigError, match="payback_monthz: unknown key"):
        unc.target("policy.lab.payback_monthz")


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
    for row in table.head(50).to_dict("records"):
        explore.params_of(row, {})


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
    p = explore.make_params({"talent.pay_usd_per_year.pool": 3e5,
                             "demand.home_cloud_shares.Microsoft": 0.2, "entry.enabled": False})
    assert p.talent.pay_usd_per_year == {**Params().talent.pay_usd_per_year, "pool": 3e5}
    assert p.demand.home_cloud_shares == {"Microsoft": 0.2} and p.entry.enabled is False


def test_policies_are_choices_and_their_fields_apply_only_where_chosen():
    d = unc.declared()
    lab = d["policy.lab"]
    assert [unc.value_of(lab, x) for x in (0, 0.32, 0.34, 0.66, 0.67, 1)] == [
        "returns", "returns", "profit", "profit", "racing", "racing"]
    p = explore.make_params({"policy.lab": "profit", "policy.lab.payback_months": 20.0,
                             "policy.hyperscaler": "all_in"})
    assert p.policy.lab == {"_target_": "sim.policies.lab.ProfitLab", "payback_months": 20.0,
                            "size_steps": 8, "entry_share": 0.02}
    assert p.policy.hyperscaler["_target_"] == "sim.policies.hyperscaler.AllIn"
    racing = explore.make_params({"policy.lab": "racing", "policy.lab.payback_months": 20.0})
    assert racing.policy.lab == {"_target_": "sim.policies.lab.RacingLab"}
    assert explore.make_params({"policy.lab.payback_months": 20.0}).policy.lab == {
        "_target_": "sim.policies.lab.ReturnsLab", "payback_months": 20.0}  # the default's
    assert explore.make_params({"policy.lab.value_weight": 0.2,
                                "policy.lab": "racing"}) == explore.make_params(
        {"policy.lab": "racing"})  # not a field of RacingLab: no effect
    with pytest.raises(params.ConfigError, match="policy.lab.payback_months=0.5 is out of range"):
        explore.make_params({"policy.lab": "profit", "policy.lab.payback_months": 0.5})
    # Exploring a policy's field alone is refused; with its policy sampled or fixed it is not.
    with pytest.raises(explore.ExploreError, match="used only with policy.lab=returns"):
        explore.parse(["only=policy.lab.value_weight", "policy.lab=racing"])
    assert explore.parse(["only=policy.lab"]).keys == ["policy.lab"]  # the key it names
    assert explore.parse(["only=policy"]).keys == [
        "policy.lab", "policy.lab.payback_months", "policy.lab.entry_share",
        "policy.lab.value_weight", "policy.lab.up_steps", "policy.lab.max_scale_up",
        "policy.lab.full_hiring_return", "policy.hyperscaler"]
    assert explore.parse(["only=policy.lab.payback_months", "policy.lab=profit"]).keys == [
        "policy.lab.payback_months"]
    assert "policy.lab.payback_months" not in explore.parse(["policy.lab=racing"]).keys
    assert "policy.lab.payback_months" in explore.parse([]).keys


# ---- a synthetic model with a known answer ---------------------------------------------------

SUMMARY = {"frontier_capability_final": 0.0, "hhi_revenue_final": 3000.0,
           "hhi_ownership_final": 3000.0, "cloud_share_of_ai_spend_final": 0.5,
           "cloud_profit_cum_usd": 2.0, "lab_profit_cum_usd": 1.0, "lab_exits": 0,
           "leader_kind": "independent_lab", "leader_owner": "OpenAI",
           "winner_capability": "OpenAI", "entrants": 0, "sustained_leader": "OpenAI",
           "sustained_leader_group": "independent", "value_clouds_usd": 2.0,
           "value_labs_usd": 1.0, "value_investors_usd": 1.0, "value_chip_vendors_usd": 0.0,
           "value_total_usd": 4.0, "winner_value": "Amazon", "winner_value_group": "clouds"}


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
    (["strategy.initial_make_weight.Meta=0.5"], "strategy.initial_make_weight.Meta: unknown "
                                                 "name Meta (names: Microsoft, Amazon, Google)"),
    (["only=strategy.initial_make_weight.Meta"], "only=strategy.initial_make_weight.Meta: not a "
                                                 "declared uncertainty"),
    (["policy.lab=greedy"], "policy.lab=greedy: allowed returns, profit, racing"),
    (["only=policy.lab.value_weight", "policy.lab=racing"], "policy.lab.value_weight: used "
                                                            "only with policy.lab=returns"),
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
        "strategy.initial_make_weight.Microsoft", "strategy.initial_make_weight.Amazon",
        "strategy.initial_make_weight.Google"]
    spec = explore.parse(["only=strategy.initial_make_weight.Google,demand",
                          "demand.home_cloud_shares.Amazon=0.3"])
    assert "strategy.initial_make_weight.Google" in spec.keys
    assert "strategy.initial_make_weight.Amazon" not in spec.keys
    assert "demand.home_cloud_shares.Amazon" not in spec.keys  # fixed
    assert "demand.home_cloud_shares.Google" in spec.keys
    p = explore.params_of({"demand.home_cloud_shares.Google": 0.12}, spec.overrides)
    assert p.demand.home_cloud_shares == {"Amazon": 0.3, "Google": 0.12}
    assert explore.parse(["finance.us_capital_pool_usd_per_year=1e10"]).overrides == {
        "finance.us_capital_pool_usd_per_year": 1e10}


def test_outcomes_from_a_real_summary():
    s = sim.simulate({"horizon_months": 12, "demand": {"n_customers": 300}}, seed=2).summary
    values = explore.outcome_values(s)
    assert set(values) == set(explore.OUTCOMES) and all(math.isfinite(v) for v in values.values())
    assert values["labs_capture_more"] == float(s["value_labs_usd"] > s["value_clouds_usd"])
    assert values["value_labs_share"] == s["value_labs_usd"] / s["value_total_usd"]
    assert values["value_chip_vendors_usd"] > 0.0  # the chip vendor's gross profit
    assert math.isnan(explore.outcome_values({**SUMMARY, "value_total_usd": 0.0})[
        "value_labs_share"])
    assert explore.outcome_values({**SUMMARY, "leader_kind": "inhouse_lab",
                                   "leader_owner": "Google"})["hyperscaler_owned_leads"] == 1.0
    assert explore.outcome_values({**SUMMARY, "leader_owner": "Amazon"})[
        "hyperscaler_owned_leads"] == 1.0  # a partner lab in Amazon's bloc
    assert explore.outcome_values(SUMMARY)["hyperscaler_owned_leads"] == 0.0
    assert all(math.isnan(v) for v in explore.outcome_values(None).values())
    held = explore.outcome_values(SUMMARY)
    assert held["sustained_independent_leads"] == 1.0 and held["lead_contested"] == 0.0
    assert held["sustained_inhouse_leads"] == held["sustained_founded_in_run_leads"] == 0.0
    contested = explore.outcome_values({**SUMMARY, "sustained_leader": "",
                                        "sustained_leader_group": ""})
    assert contested["lead_contested"] == 1.0 and contested["sustained_independent_leads"] == 0
    assert sum(values[f"sustained_{g}_leads"] for g in explore.SUSTAINED) \
        + values["lead_contested"] == 1.0  # one group, or none, in a real run
    from sim.report.stats import GROUPS  # the report's groups of the sustained leader

    assert set(explore.SUSTAINED) | {""} == set(GROUPS)


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


def test_failed_runs_make_the_command_fail_and_keep_the_rest(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(explore, "execute", fake_runner(fail={1}))
    words = ["explore", "method=morris", "samples=2", *ONLY, f"dir={tmp_path}"]
    assert cli.main(words) == 1
    err = capsys.readouterr().err
    assert "1 of 6 runs failed" in err and "RuntimeError: boom" in err and err.count("\n") == 1
    assert pd.read_parquet(tmp_path / "results.parquet").error.notna().sum() == 1
    monkeypatch.setattr(explore, "execute", fake_runner())  # resumed: the failed run again
    assert cli.main(words) == 0


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


# ---- common random numbers -------------------------------------------------------------------

def noisy_runner():
    """The fake model plus run noise drawn from the run's seed, as a real run's outcome noise:
    the same seed gives the same noise."""
    def run(tasks, workers, progress):
        for i, p, seed in tasks:
            s = fake_summary(p, seed)
            noise = np.random.default_rng(seed).normal(0.0, 1.0)
            yield i, Outcome(seed, {**s, "frontier_capability_final":
                                    s["frontier_capability_final"] + noise})
    return run


@pytest.mark.parametrize("method, block", [("morris", 3), ("sobol", 6)])
def test_runs_of_a_trajectory_or_block_share_a_seed(tmp_path, method, block):
    spec = _spec(f"method={method}", "samples=8", "seed=4")
    assert spec.seeds == "common" and explore.block_size(spec) == block
    design = explore.prepare(spec, tmp_path / "common")
    assert list(design.seed) == list(np.repeat(4 + np.arange(len(design) // block), block))
    own = explore.prepare(_spec(f"method={method}", "samples=8", "seed=4",
                                "seeds=independent"), tmp_path / "own")
    assert list(own.seed) == list(4 + np.arange(len(own)))


def test_with_common_seeds_a_parameter_that_does_nothing_gets_exactly_zero(tmp_path):
    """Under run noise, common random numbers leave an inert parameter's elementary effects at
    zero; with a seed per run the noise gives it a spurious effect."""
    mu = {}
    for seeds in ("common", "independent"):
        sens = explore.explore(_spec("method=morris", "samples=10", f"seeds={seeds}"),
                               tmp_path / seeds, noisy_runner(), echo=lambda _: None)
        mu[seeds] = sens[(sens.outcome == "frontier_capability")
                         & (sens["index"] == "mu_star")].set_index("parameter").value
    assert mu["common"]["demand.budget_sigma"] == 0.0
    assert mu["independent"]["demand.budget_sigma"] > 0.3
    assert mu["common"]["compute.doubling_months"] > 1


def test_a_latin_hypercube_has_a_seed_per_run():
    assert explore.parse(["method=lhs"]).seeds == "independent"
    with pytest.raises(explore.ExploreError, match="seeds=common: allowed independent"):
        explore.parse(["method=lhs", "seeds=common"])
    with pytest.raises(explore.ExploreError, match="seeds=some: allowed common, independent"):
        explore.parse(["seeds=some"])
