"""The exploration's report (`aisim report EXPLORE_DIR`, and the end of `aisim explore`): its
sections exist, its numbers are those of results.parquet and sensitivity.csv, a PRIM box is
said in words; and an exploration's runs as submitit jobs (launcher=submitit_local) resume
and isolate a failed job."""

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from sim import cli, explore, explore_cluster, runner
from sim.report import explore_stats as es
from sim.report.stats import wilson
from sim.runner import Outcome
from test_explore import FAST, SUMMARY

KEYS = "only=compute.doubling_months,demand.budget_sigma,training.run_months,policy.lab"


def planted(p, seed: int) -> dict:
    """A hyperscaler-owned model leads when compute doubles slowly (> 8 months), and holds
    the lead for three years then too; labs capture more when budgets spread widely
    (budget_sigma > 1.9) and labs race; run_months does nothing."""
    slow = p.compute.doubling_months > 8
    racing = p.policy.lab["_target_"].endswith("RacingLab")
    more = p.demand.budget_sigma > 1.9 and racing
    return {**SUMMARY, "seed": seed,
            "frontier_capability_final": 30.0 - 10.0 * np.log(p.compute.doubling_months),
            "leader_kind": "inhouse_lab" if slow else "independent_lab",
            "leader_owner": "Google" if slow else "OpenAI",
            "sustained_leader": "Google DeepMind" if slow else ("" if seed % 5 == 0
                                                                 else "OpenAI"),
            "sustained_leader_group": "inhouse" if slow else ("" if seed % 5 == 0
                                                             else "independent"),
            "value_labs_usd": 3.0 if more else 1.0, "value_total_usd": 6.0 if more else 4.0,
            "winner_value": "OpenAI" if more else "Amazon",
            "winner_value_group": "labs" if more else "clouds"}


def planted_runner(fail=()):
    def run(tasks, workers, progress):
        for i, p, seed in tasks:
            yield i, (Outcome(seed, error="RuntimeError: boom") if i in fail
                      else Outcome(seed, planted(p, seed)))
    return run


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    """An lhs exploration of the planted model through `aisim explore` (its report made at
    the end), with one failed run."""
    out = tmp_path_factory.mktemp("explored")
    mp = pytest.MonkeyPatch()
    mp.setattr(explore, "execute", planted_runner(fail={7}))
    try:
        code = cli.main(["explore", "method=lhs", "samples=400", KEYS, f"dir={out}"])
    finally:
        mp.undo()
    assert code == 1  # one run failed: everything is written, the command fails
    return out


def test_explore_ends_with_a_report_whose_sections_exist(explored):
    page = explored / "report" / "report.html"
    text = page.read_text()
    for heading in ("What decides the winner", "1. What matters most for each outcome",
                    "2. Where in the uncertainty space a group wins",
                    "3. Each group's chance to win over the whole space", "4. Provenance"):
        assert heading in text, heading
    assert "noisy at few trajectories" in text and "every run has its own seed" in text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 3 and all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")
    for name in ("sensitivity_top.csv", "prim_trajectory.csv", "prim_boxes.csv",
                 "group_chances.csv", "sensitivity.png", "prim_tradeoff.png",
                 "group_chances.png"):
        assert (explored / "report" / name).exists(), name
    # Provenance: the command, the runs, the failure, the seconds.
    done = json.loads((explored / "done.json").read_text())
    assert done["command"].startswith("aisim explore method=lhs samples=400 only=")
    assert done["command"] in text and "400 runs (400 in the design), 1 failed" in text
    assert f"the last call took {done['seconds']:.0f} s" in text
    assert "RuntimeError: boom" in text


def test_the_bars_are_the_sensitivity_tables_numbers(explored):
    sens = pd.read_csv(explored / "sensitivity.csv")
    top = pd.read_csv(explored / "report" / "sensitivity_top.csv")
    assert set(top["index"]) == {"S1_rbd"}
    assert set(top.outcome) == {"hyperscaler_owned_leads", "sustained_inhouse_leads",
                                "sustained_independent_leads", "labs_capture_more",
                                "value_labs_share", "cloud_share_of_ai_spend",
                                "hhi_ownership"} - {
        "cloud_share_of_ai_spend", "hhi_ownership"}  # constant in the planted model
    merged = top.merge(sens, on=["parameter", "outcome", "index"], suffixes=("", "_csv"))
    assert len(merged) == len(top)
    for col in ("value", "ci_low", "ci_high"):
        assert np.allclose(merged[col], merged[f"{col}_csv"], equal_nan=True)
    first = top[top["rank"] == 0].set_index("outcome").parameter
    assert first["hyperscaler_owned_leads"] == "compute.doubling_months"
    assert first["labs_capture_more"] in ("demand.budget_sigma", "policy.lab")
    page = (explored / "report" / "report.html").read_text()
    row = top[(top.outcome == "hyperscaler_owned_leads") & (top["rank"] == 0)].iloc[0]
    assert (f"months for frontier compute to double: {explore._num(row.value)} "
            f"[{explore._num(row.ci_low)}, {explore._num(row.ci_high)}]") in page


def test_group_chances_are_counts_of_the_results(explored):
    results = pd.read_parquet(explored / "results.parquet")
    ok = results[results.error.isna()]
    t = pd.read_csv(explored / "report" / "group_chances.csv").fillna("")
    sustained = t[t.measure.str.startswith("sustained")].set_index("group")
    assert sustained.k["hyperscaler-owned (in-house) lab"] == (
        ok.sustained_leader_group == "inhouse").sum()
    assert sustained.k["independent lab"] == (ok.sustained_leader_group == "independent").sum()
    assert sustained.k["none (the lead is contested)"] == (ok.sustained_leader_group == "").sum()
    assert sustained.k.sum() == len(ok) == 399 and (t.n == 399).all()
    kind = t[t.measure.str.startswith("leader's kind")].set_index("group")
    assert kind.k["in-house lab"] == (ok.leader_kind == "inhouse_lab").sum()
    owned = t[t.measure.str.contains("hyperscaler-owned")].iloc[0]
    assert owned.k == ok.hyperscaler_owned_leads.sum()
    most = t[t.measure.str.startswith("group capturing the most value")].set_index("group")
    labs_most = ((ok.value_labs_usd > ok.value_clouds_usd)
                 & (ok.value_labs_usd > ok.value_investors_usd))
    assert most.k["labs' own shareholders"] == labs_most.sum() > 0
    assert most.k.sum() == len(ok)
    more = t[t.measure.str.startswith("labs' own shareholders capture more")].iloc[0]
    assert more.k == (ok.value_labs_usd > ok.value_clouds_usd).sum() == most.k["labs' own "
                                                                                "shareholders"]
    lo, hi = wilson(t.k, t.n)
    assert np.allclose(t.lo, lo) and np.allclose(t.hi, hi) and np.allclose(t.p, t.k / t.n)
    page = (explored / "report" / "report.html").read_text()
    r = sustained.loc["hyperscaler-owned (in-house) lab"]
    assert f"{r.p:.0%} ({r.lo:.0%}-{r.hi:.0%})" in page


def test_prim_boxes_are_said_in_words_with_their_stability(explored):
    page = (explored / "report" / "report.html").read_text()
    ok = pd.read_parquet(explored / "results.parquet").query("error.isna()")
    base = ok.hyperscaler_owned_leads.mean()
    m = re.search(r"A hyperscaler-owned model leads at the horizon in (\d+)% of the runs where "
                  r"months for frontier compute to double &gt;= ([\d.]+) \((\d+) runs", page)
    assert m, page[page.find("<ul>"):page.find("</ul>")]
    assert int(m.group(1)) >= 95 and float(m.group(2)) == pytest.approx(8, abs=0.5)
    assert f"against {base:.0%} overall" in page
    assert "Labs capture more value than clouds in" in page
    assert "labs&#x27; policy is racing" in page  # a policy by its option's name
    boxes = pd.read_csv(explored / "report" / "prim_boxes.csv")
    owned = boxes[boxes.outcome == "hyperscaler_owned_leads"]
    assert list(owned.uncertainty) == ["compute.doubling_months"]
    assert owned["found again in resamples (%)"].between(0, 100).all()
    assert re.search(r"Tree: balanced accuracy (0\.9\d|1\.00)", page)
    steps = pd.read_csv(explored / "report" / "prim_trajectory.csv")
    assert {"hyperscaler_owned_leads", "labs_capture_more"} <= set(steps.outcome)
    assert (steps.groupby("outcome").coverage.first() == 1.0).all()


def test_aisim_report_takes_an_exploration_folder(explored, capsys):
    (explored / "report" / "report.html").unlink()
    assert cli.main(["report", str(explored)]) == 0
    assert capsys.readouterr().out.strip() == str(explored / "report" / "report.html")
    assert cli.main(["report", str(explored / "runs")]) == 2  # neither kind of folder
    assert "no results.parquet" in capsys.readouterr().err


def test_labels_name_declared_keys_and_dollars_read_as_dollars():
    from sim import discovery
    from sim import uncertainties as unc

    assert set(es.LABELS) <= set(unc.declared())
    key = "finance.us_capital_pool_usd_per_year"
    assert es.value_format(key)(6.02e10) == "$60.2B"
    assert es.value_format("talent.pay_usd_per_year.pool")(1.5e5) == "$150k"
    assert es.value_format("compute.doubling_months")(8.75) == "8.75"
    box = discovery.Box({"compute.doubling_months": (9.0, None), key: (None, 6e10)},
                        0.6, 0.78, 0.2, 100)
    keys = list(box.limits)
    text = box.words("an in-house lab leads in 2034", 0.31, {k: es.label(k) for k in keys},
                     {k: es.value_format(k) for k in keys})
    assert text.startswith("an in-house lab leads in 2034 in 78% of the runs where months for "
                           "frontier compute to double >= 9 and US venture capital for AI labs "
                           "(USD a year) <= $60B (100 runs")


# ---- on a cluster: submitit jobs ---------------------------------------------------------


class FakeJob:
    def __init__(self, n, fn, args, fail):
        self.job_id, self._fn, self._args, self._fail = f"fake_{n}", fn, args, fail

    def done(self):
        return True

    def result(self):
        if self._fail:
            raise RuntimeError("the node died")
        return self._fn(*self._args)

    def cancel(self, check=True):
        pass


class FakeExecutor:
    """submitit.AutoExecutor's part run_jobs uses; the jobs run here, one of them fails."""

    made = []

    def __init__(self, folder, cluster):
        self.folder, self.cluster, self.parameters = folder, cluster, {}
        FakeExecutor.made.append(self)

    def update_parameters(self, **kw):
        self.parameters.update(kw)

    def map_array(self, fn, *columns):
        return [FakeJob(n, fn, args, n == 1) for n, args in enumerate(zip(*columns))]


def test_jobs_split_the_runs_and_a_failed_job_is_isolated_and_retried(tmp_path, monkeypatch):
    import submitit

    monkeypatch.setattr(submitit, "AutoExecutor", FakeExecutor)
    monkeypatch.setattr(runner, "run", lambda tasks, workers, **kw: (
        Outcome(seed, planted(p, seed)) for p, seed in tasks))
    words = ["method=morris", "samples=4", KEYS, "launcher=submitit_slurm", "jobs=3",
             "partition=big", "timeout_min=30", "workers=4", "mem_gb=8"]
    spec = explore.parse(words)
    assert spec.design() == explore.parse(words[:3]).design()  # how, not which: resumable
    explore.explore(spec, tmp_path, echo=lambda _: None)
    made = FakeExecutor.made[-1]
    assert made.cluster == "slurm" and made.parameters == {
        "name": "aisim-explore", "cpus_per_task": 4, "timeout_min": 30, "mem_gb": 8.0,
        "slurm_partition": "big"}
    results = pd.read_parquet(tmp_path / "results.parquet")
    assert len(results) == 4 * 5
    failed = results.error.notna()
    assert list(failed) == [7 <= i < 14 for i in range(20)]  # job 1's chunk: runs 7-13
    assert results.error[failed].str.startswith("job fake_1 failed: RuntimeError: the node "
                                                "died").all()
    assert results.hyperscaler_owned_leads[~failed].notna().all()
    assert sorted(f.name for f in (tmp_path / "runs").glob("*.parquet")) == [
        "000000-0000.parquet", "000002-0000.parquet", "000003.parquet"]
    # The same command again (by default one job per 100 runs on Slurm) runs only the failed
    # job's runs.
    spec = explore.parse([w for w in words if w != "jobs=3"])
    monkeypatch.setattr(FakeExecutor, "map_array", lambda self, fn, *cols: [
        FakeJob(n, fn, args, False) for n, args in enumerate(zip(*cols))])
    (tmp_path / "done.json").unlink()
    explore.explore(spec, tmp_path, echo=lambda _: None)
    assert pd.read_parquet(tmp_path / "results.parquet").error.isna().all()
    assert (tmp_path / "runs" / "000004-0000.parquet").exists()
    again = pd.read_parquet(tmp_path / "runs" / "000004-0000.parquet")
    assert list(again.run) == list(range(7, 14))


def test_chunks_are_contiguous_and_nearly_equal():
    parts = explore_cluster.chunks(list(range(10)), 3)
    assert parts == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert explore_cluster.chunks(list(range(2)), 5) == [[0], [1]]


@pytest.mark.parametrize(("words", "fragment"), [
    (["launcher=ray"], "launcher=ray: unknown launcher (allowed: submitit_slurm, "
                       "submitit_local)"),
    (["jobs=4"], "jobs=4: only with launcher=submitit_slurm"),
    (["launcher=submitit_local", "partition=gpu"], "partition=gpu: only with "
                                                    "launcher=submitit_slurm"),
    (["launcher=submitit_slurm", "jobs=0"], "jobs=0: allowed more than 0"),
    (["launcher=submitit_slurm", "mem_gb=lots"], "mem_gb=lots: expected a number"),
])
def test_bad_launcher_input_is_one_line(words, fragment, tmp_path, capsys):
    assert cli.main(["explore", *words, f"dir={tmp_path / 'x'}"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err


@pytest.mark.slow
def test_submitit_local_runs_real_jobs_resumes_and_matches_the_pool(tmp_path):
    common = ["method=lhs", "samples=12", "only=compute.doubling_months,entry.enabled", *FAST,
              "outcomes=frontier_capability,hhi_revenue"]
    jobs = tmp_path / "jobs"
    assert cli.main(["explore", *common, "launcher=submitit_local", "jobs=3",
                     f"dir={jobs}"]) == 0
    files = sorted(f.name for f in (jobs / "runs").glob("*.parquet"))
    assert files == ["000000-0000.parquet", "000001-0000.parquet", "000002-0000.parquet"]
    assert len(list((jobs / "submitit").glob("*_log.out"))) == 3
    assert cli.main(["explore", *common, "workers=1", f"dir={tmp_path / 'one'}"]) == 0
    assert (jobs / "results.parquet").read_bytes() == \
        (tmp_path / "one" / "results.parquet").read_bytes()
    # Resume: a lost job's file is made again, by a job, and nothing else runs.
    (jobs / "runs" / "000001-0000.parquet").unlink()
    (jobs / "done.json").unlink()
    assert cli.main(["explore", *common, "launcher=submitit_local", "jobs=1",
                     f"dir={jobs}"]) == 0
    again = pd.read_parquet(jobs / "runs" / "000003-0000.parquet")
    assert list(again.run) == [4, 5, 6, 7] and again.error.isna().all()
    assert (jobs / "results.parquet").read_bytes() == \
        (tmp_path / "one" / "results.parquet").read_bytes()
    assert (jobs / "report" / "report.html").exists()


def test_a_morris_screening_suggests_the_sobol_stage(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(explore, "execute", planted_runner())
    assert cli.main(["explore", "method=morris", "samples=2", "only=compute,policy.lab",
                     f"dir={tmp_path}"]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("next, ")][0]
    words = line.partition("aisim explore ")[2].split()
    spec = explore.parse(words)
    assert spec.method == "sobol" and len(spec.keys) == 10
    only = [w for w in words if w.startswith("only=")][0].removeprefix("only=").split(",")
    assert only[0] == "compute.doubling_months"  # the one that decides, in the planted model
    assert (tmp_path / "report" / "report.html").exists()
