"""The aisim command: scenarios compose, bad input is one line before any work, runs and
sweeps write their files, sweeps resume and survive failing runs, seeds agree everywhere."""

import json
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim import cli, runner, sweep
from sim.config import CONFIG_DIR, EXPERIMENT_DIR, load_config, options, to_params, to_run

SCENARIOS = options("scenario")
EXPERIMENTS = options("experiment")
FAST = ["horizon_months=6", "demand.n_customers=500"]


def test_the_article_scenarios_exist():
    assert set(SCENARIOS) >= {"baseline", "bigtech_inhouse", "talent_edge", "capital_crunch",
                              "compute_slowdown", "compute_boom", "open_weights",
                              "no_partnerships", "labs_direct"}
    assert set(EXPERIMENTS) >= {"who_wins", "compute_vs_talent", "capital"}


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_composes_and_says_what_it_asks_and_where_to_look(name):
    """experiments/NAME.yaml is the group `experiment` on Hydra's search path
    (hydra_plugins/aisim_experiments), and opens with its question, the claims it tests and
    what to look at in the report."""
    assert to_run(load_config("baseline", [f"+experiment={name}"])).replicates >= 100
    head = (EXPERIMENT_DIR / f"{name}.yaml").read_text().split("\n\n")[0].split("hydra:")[0]
    assert head.startswith("# @package _global_\n")
    assert all(line.startswith("#") for line in head.strip().splitlines())
    for part in ("Question:", "Claims it tests:", "What to look at in the report:",
                 f"aisim -m +experiment={name}"):
        assert part in head
    assert re.search(r"Claims it tests: A\d+", head)


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_composes_and_cites_its_claims(name):
    cfg = load_config(name)
    run = to_run(cfg)
    assert run.scenario == name
    text = (CONFIG_DIR / "scenario" / f"{name}.yaml").read_text()
    assert re.search(r"\bA\d+\b", text), "a scenario file cites the claims it carries"
    baseline = to_params(load_config("baseline"))
    changed = sim.params.to_dict(to_params(run)) != {**sim.params.to_dict(baseline),
                                                     "scenario": name}
    assert changed or name == "baseline"
    result = sim.simulate(to_params(load_config(name, FAST)), seed=1)
    assert len(result.industry) == 6


def test_load_config_takes_overrides_and_the_cli_keys():
    cfg = load_config("compute_boom", ["compute.doubling_months=5", "seed=4", "replicates=7",
                                       "horizon_months=6"])
    run = to_run(cfg)
    assert (run.compute.doubling_months, run.seed, run.replicates) == (5.0, 4, 7)
    # A composed config goes straight into simulate (the run's keys are ignored there).
    direct = sim.simulate(cfg, seed=cfg.seed)
    assert direct.summary["scenario"] == "compute_boom"
    pd.testing.assert_frame_equal(direct.firms, sim.simulate(to_params(run), seed=4).firms)


@pytest.mark.parametrize(("args", "fragment"), [
    (["compute.doubling_months=-1"], "compute.doubling_months=-1.0 is out of range: allowed (0.5, 120.0]"),
    (["compute.doubling_monthz=3"], "compute.doubling_monthz: unknown key"),
    (["compute.doubling_months=abc"], "compute.doubling_months: Value 'abc'"),
    (["demand.n_customers=1.5"], "demand.n_customers"),
    (["scenario=nope"], "scenario=nope: no such scenario (allowed: baseline"),
    (["replicates=0"], "replicates=0 is out of range: allowed [1, 1000000]"),
    (["-m", "compute.doubling_months=4,0.1"], "compute.doubling_months=0.1 is out of range"),
    (["-m", "+experiment=capital", "finance.sovereign_fail_prob=1.5"], "finance.sovereign_fail_prob=1.5"),
    (["compute.doubling_months=4,6"], "needs -m"),
    (["chips.custom_share.Google=2"], "chips.custom_share.Google=2.0 is out of range: allowed [0.0, 1.0]"),
    (["chips.custom_share.Oracle=0.5"], "chips.custom_share.Oracle: unknown name Oracle (allowed: Microsoft, Amazon, Google)"),
    (["+chips.custom_share.Oracle=0.5"], "chips.custom_share.Oracle: unknown name Oracle"),
    (["demand.home_cloud_shares.Google=0.2"], "add it with +demand.home_cloud_shares.Google=VALUE (allowed [0.0, 1.0])"),
])
def test_bad_input_is_one_line_and_writes_nothing(args, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["scenario", "experiment"])
def test_bad_value_in_a_config_file_is_caught_too(where, tmp_path, monkeypatch, capsys):
    (tmp_path / where).mkdir()
    (tmp_path / where / "bad.yaml").write_text(
        "# @package _global_\nscenario: bad\nfinance:\n  sovereign_discount: 7\n"
        + ("hydra:\n  mode: MULTIRUN\n" if where == "experiment" else ""))
    monkeypatch.chdir(tmp_path)
    choice = "scenario=bad" if where == "scenario" else "+experiment=bad"
    assert cli.main(["--config-dir", str(tmp_path), choice]) == 2
    err = capsys.readouterr().err
    assert "finance.sovereign_discount=7.0 is out of range: allowed [0.0, 0.95]" in err
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "multirun").exists()


def test_help_lists_verbs_scenarios_and_hydra(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "usage: aisim" in out and "verbs:" in out and "capital_crunch" in out
    assert "who_wins" in out and "Powered by Hydra" in out


def test_single_run_writes_tables_summary_figure_and_hydra_record(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["scenario=capital_crunch", "seed=3", *FAST, f"hydra.run.dir={out}"]) == 0
    for name in ("firms.parquet", "industry.parquet", "summary.json", "overview.png",
                 ".hydra/config.yaml", ".hydra/overrides.yaml", "done.json"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "capital_crunch" and summary["seed"] == 3
    assert (out / "overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    firms = pd.read_parquet(out / "firms.parquet")
    expected = sim.simulate(to_params(load_config("capital_crunch", FAST)), seed=3).firms
    pd.testing.assert_frame_equal(firms.drop(columns="seed"), expected)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.slow
def test_sweep_merges_runs_and_resumes(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["-m", "scenario=baseline,capital_crunch", "replicates=3", "workers=2", *FAST,
            f"hydra.sweep.dir={out}"]
    assert cli.main(args) == 0
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 6 and results.error.isna().all()
    assert sorted(results.scenario.unique()) == ["baseline", "capital_crunch"]
    assert results.groupby("scenario").seed.apply(sorted).tolist() == [[0, 1, 2]] * 2
    assert {"run", "job", "seed", "winner_capability", "lab_exits"} <= set(results.columns)
    series = pd.read_parquet(out / "timeseries.parquet")
    # Every firm row of every run (labs founded during a run add rows from their founding).
    rows = sum(len(sim.simulate(to_params(load_config(scenario, FAST)), seed=seed).firms)
               for scenario in ("baseline", "capital_crunch") for seed in range(3))
    assert len(series) == rows >= 6 * 6 * 9 and series.run.nunique() == 6
    assert "industry_hhi_revenue" in series.columns
    # The same sweep again into the same folder: finished jobs are skipped.
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/runs.parquet")}
    capsys.readouterr()
    assert cli.main(args) == 0
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/runs.parquet")} == stamps
    assert len(pd.read_parquet(out / "results.parquet")) == 6
    # A job killed before it finished (no done.json) runs again.
    (out / "1" / "done.json").unlink()
    assert cli.main(args) == 0
    assert (out / "1" / "runs.parquet").stat().st_mtime_ns != stamps[out / "1" / "runs.parquet"]


def test_a_failing_run_is_recorded_and_the_others_kept(tmp_path, monkeypatch, capsys):
    real = runner.record_run

    def flaky(params, *, seed):
        if seed == 1:
            raise RuntimeError("boom")
        return real(params, seed=seed)

    monkeypatch.setattr(runner, "record_run", flaky)
    monkeypatch.setattr(sweep, "RUNS_FAILED", 0)
    out = tmp_path / "sweep"
    # The command fails (scripts notice), but the other runs' results are kept.
    assert cli.main(["-m", "scenario=baseline,compute_boom", "replicates=3", "workers=1", *FAST,
                     f"hydra.sweep.dir={out}"]) == 1
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 6
    failed = results[results.error.notna()]
    assert failed.seed.tolist() == [1, 1] and failed.error.str.contains("boom").all()
    assert results[results.error.isna()].winner_capability.notna().all()
    series = pd.read_parquet(out / "timeseries.parquet")
    assert sorted(series.seed.unique()) == [0, 2] and series.run.nunique() == 4
    assert "2 of 6 runs failed" in capsys.readouterr().err


def test_a_sweep_without_timeseries_keeps_the_same_summaries_only(tmp_path, capsys):
    full, lean = tmp_path / "full", tmp_path / "lean"
    args = ["-m", "scenario=baseline,capital_crunch", "replicates=2", "workers=2", *FAST]
    assert cli.main([*args, f"hydra.sweep.dir={full}"]) == 0
    assert cli.main([*args, "timeseries=false", f"hydra.sweep.dir={lean}"]) == 0
    assert "no monthly rows" in capsys.readouterr().out
    assert not (lean / "timeseries.parquet").exists()
    assert not list(lean.glob("*/timeseries.parquet"))
    a = pd.read_parquet(full / "results.parquet")
    b = pd.read_parquet(lean / "results.parquet")
    assert len(b) == 4 and b.error.isna().all()
    pd.testing.assert_frame_equal(a, b.drop(columns=["timeseries"]))
    from sim.report import ReportError, load
    with pytest.raises(ReportError, match="timeseries=false"):
        load(lean)


def test_two_sweeps_never_share_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert cli.main(["-m", "seed=0", "horizon_months=2", "demand.n_customers=100"]) == 0
    assert len(list((tmp_path / "multirun").glob("*/*"))) == 2


@pytest.mark.slow
def test_a_seed_gives_the_same_run_alone_in_a_sweep_sequential_or_parallel(tmp_path):
    params = to_params(load_config("talent_edge", FAST))
    alone = sim.simulate(params, seed=2).firms
    firms_of = lambda outcome: sim.recorder.tables([outcome.record])[0]  # noqa: E731
    tasks = [(params, seed) for seed in (1, 2, 3)]
    sequential = firms_of(list(runner.run(tasks, workers=1))[1])
    parallel = firms_of(list(runner.run(tasks, workers=2))[1])
    out = tmp_path / "sweep"
    assert cli.main(["-m", "scenario=talent_edge", "seed=1", "replicates=3", "workers=2", *FAST,
                     f"hydra.sweep.dir={out}"]) == 0
    swept = _firm_rows(pd.read_parquet(out / "timeseries.parquet"), "0-2", alone.columns)
    # A sweep of single runs: all jobs' runs share the pool (the aisim_pool launcher).
    seeds_out = tmp_path / "seeds"
    assert cli.main(["-m", "scenario=talent_edge", "seed=1,2,3", "workers=2", *FAST,
                     f"hydra.sweep.dir={seeds_out}"]) == 0
    by_seed = _firm_rows(pd.read_parquet(seeds_out / "1" / "timeseries.parquet"), "1-2",
                         alone.columns)
    assert len(pd.read_parquet(seeds_out / "results.parquet")) == 3
    for frame in (sequential, parallel, swept, by_seed):
        pd.testing.assert_frame_equal(frame, alone)


def _firm_rows(series: pd.DataFrame, run: str, columns) -> pd.DataFrame:
    """One run's rows of a sweep's timeseries, as sim.simulate's firms table."""
    return series.loc[series.run == run, list(columns)].reset_index(drop=True)


def test_timeseries_is_every_runs_tables_joined_in_job_and_seed_order(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "CHUNK", 2)  # a job's file is written in several row groups
    out = tmp_path / "sweep"
    assert cli.main(["-m", "scenario=baseline,open_weights", "replicates=3", "workers=1", *FAST,
                     f"hydra.sweep.dir={out}"]) == 0
    expected = []
    for job, scenario in enumerate(["baseline", "open_weights"]):
        params = to_params(load_config(scenario, FAST))
        for seed in range(3):
            result = sim.simulate(params, seed=seed)
            industry = result.industry.drop(columns="date").rename(
                columns=lambda c: c if c == "month" else f"industry_{c}")
            frame = result.firms.assign(seed=seed).merge(industry, on="month")
            frame.insert(0, "job", job)
            frame.insert(0, "run", f"{job}-{seed}")
            expected.append(frame.assign(scenario=scenario))
    expected = pd.concat(expected, ignore_index=True)
    # A folder of the jobs' files (hard links), read as one table.
    assert sorted(p.name for p in (out / "timeseries.parquet").iterdir()) == [
        "000000.parquet", "000001.parquet"]
    assert pq.ParquetFile(out / "0" / "timeseries.parquet").num_row_groups == 2
    pd.testing.assert_frame_equal(pd.read_parquet(out / "timeseries.parquet"), expected)
    columns = ["run", "firm", "capability"]
    labs = pd.read_parquet(out / "timeseries.parquet", columns=columns,
                           filters=[("kind", "!=", "hyperscaler")])
    pd.testing.assert_frame_equal(labs, expected.loc[expected.kind != "hyperscaler", columns]
                                  .reset_index(drop=True))


@pytest.mark.slow
def test_submitit_local_launcher_runs_the_same_sweep(tmp_path):
    out = tmp_path / "sweep"
    assert cli.main(["-m", "hydra/launcher=submitit_local", "scenario=baseline,compute_boom",
                     "replicates=2", "workers=1", *FAST, f"hydra.sweep.dir={out}"]) == 0
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 4 and results.error.isna().all()
    alone = sim.simulate(to_params(load_config("compute_boom", FAST)), seed=1).summary
    row = results[(results.scenario == "compute_boom") & (results.seed == 1)].iloc[0]
    assert row.winner_capability == alone["winner_capability"]
    assert row.hhi_revenue_final == pytest.approx(alone["hhi_revenue_final"], rel=0, abs=0)


@pytest.mark.slow
def test_an_experiment_ends_with_its_report(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert cli.main(["-m", "+experiment=who_wins", "replicates=1", *FAST,
                     f"hydra.sweep.dir={out}"]) == 0
    assert len(pd.read_parquet(out / "results.parquet")) == len(SCENARIOS)
    html = out / "report" / "report.html"
    assert html.exists() and str(html) in capsys.readouterr().out


def test_a_failing_report_fails_the_command_but_keeps_the_results(tmp_path, monkeypatch, capsys):
    import sim.report

    def broken(sweep_dir):
        raise ValueError("drawing failed")

    monkeypatch.setattr(sim.report, "report", broken)
    monkeypatch.setattr(sweep, "REPORT_FAILED", False)
    out = tmp_path / "sweep"
    assert cli.main(["-m", "+experiment=who_wins", "replicates=1", "workers=1", *FAST,
                     f"hydra.sweep.dir={out}"]) == 1
    assert "the report failed (ValueError: drawing failed)" in capsys.readouterr().err
    assert len(pd.read_parquet(out / "results.parquet")) == len(SCENARIOS)
