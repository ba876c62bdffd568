"""`aisim report SWEEP_DIR`: every figure is written as a valid PNG and SVG and embedded in
one self-contained HTML page, the plotted numbers are those of results.parquet, a
two-parameter sweep gets its heatmap, PRIM finds a planted box, and the verb's exit codes."""

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from sim import cli, report

SCENARIOS = ["baseline", "bigtech_inhouse"]
FIGURES = {"leaders", "capability", "market_share", "value_captured", "value_by_group",
           "concentration",
           "money_flows", "survival", "roster", "winner_drivers", "markets"}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "sweep"
    assert cli.main(["-m", f"scenario={','.join(SCENARIOS)}", "replicates=4",
                     "horizon_months=24", "demand.n_customers=500",
                     f"hydra.sweep.dir={out}"]) == 0
    page = report.report(out)
    return out, page


@pytest.fixture(scope="module")
def two_params(tmp_path_factory):
    out = tmp_path_factory.mktemp("report2") / "sweep"
    assert cli.main(["-m", "compute.doubling_months=4,12", "talent.lab_pull=0.0,2.0",
                     "replicates=2", "horizon_months=12", "demand.n_customers=300",
                     f"hydra.sweep.dir={out}"]) == 0
    return out, report.report(out)


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.refs = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.imgs.append(attrs.get("src", ""))
        self.refs += [v for k, v in attrs.items() if k in ("src", "href") and v]


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_every_figure_is_a_valid_png_and_svg(sweep):
    out, page = sweep
    assert page == out / "report" / "report.html" and page.exists()
    names = {p.stem for p in page.parent.glob("*.png")}
    assert names == FIGURES  # no heatmap: only the scenario is swept
    for name in names:
        assert (page.parent / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        root = ET.parse(page.parent / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_the_page_is_self_contained_and_names_every_scenario(sweep):
    out, page = sweep
    text = page.read_text()
    parser = Refs()
    parser.feed(text)
    assert len(parser.imgs) == len(list(page.parent.glob("*.png")))
    assert all(src.startswith("data:image/png;base64,") for src in parser.imgs)
    assert not [r for r in parser.refs if not r.startswith("data:")]  # no links out at all
    assert "<script" not in text and "<link" not in text
    for scen in SCENARIOS:
        assert scen in text
    for section in range(1, 12):
        assert f"<h2>{section}. " in text
    # Provenance: the sweep's record, seeds, counts, versions and the git revision.
    assert "multirun.yaml" in text and "seeds 0-3" in text and "8 runs, 0 failed" in text
    assert re.search(r"git revision <code>([0-9a-f]{40}|unknown)</code>", text)
    for pkg in ("python", "aisim", "mesa", "numpy", "pandas", "matplotlib", "hydra-core"):
        assert f"{pkg} " in text
    assert "scenario=bigtech_inhouse" in text  # each job's overrides
    assert "varies only the scenario" in text  # no numeric parameter: said so
    # The scenarios described: claims and the first sentence of each file's comment.
    assert "<h2>Scenarios</h2>" in text and "Microsoft funds OpenAI (A1)" in text
    assert "<h2>4c. The markets (issue 17)</h2>" in text


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_plotted_leader_probabilities_are_those_of_the_results(sweep):
    out, page = sweep
    results = pd.read_parquet(out / "results.parquet")
    table = pd.read_csv(page.parent / "leader_probabilities.csv")
    assert set(table.year) == {2026}  # 24 months from 2024-01 reach the start of 2026 only
    leaders = set(results.leader_2026)
    assert set(table.firm) == leaders
    for scen in SCENARIOS:
        runs = results[results.scenario == scen]
        for firm in leaders:
            row = table[(table.scenario == scen) & (table.firm == firm)].iloc[0]
            k = int((runs.leader_2026 == firm).sum())
            assert (row.n, row.k) == (len(runs), k)
            assert row.p == pytest.approx(k / len(runs))
            lo, hi = report.wilson(k, len(runs))
            assert (row.lo, row.hi) == (pytest.approx(lo), pytest.approx(hi))
            assert row.lo <= row.p <= row.hi


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_scenario_table_and_rates_match_the_results(sweep):
    out, page = sweep
    results = pd.read_parquet(out / "results.parquet")
    table = pd.read_csv(page.parent / "scenario_table.csv", index_col=0)
    rates = pd.read_csv(page.parent / "scenario_rates.csv")
    for scen, runs in results.groupby("scenario"):
        owned = runs.leader_owner.isin(["Microsoft", "Amazon", "Google"])
        row = table.loc[scen]
        assert row["P(independent lab leads) %"] == pytest.approx(
            100 * (runs.leader_kind == "independent_lab").mean())
        assert row["P(hyperscaler-owned model leads) %"] == pytest.approx(100 * owned.mean())
        assert row["median HHI ownership"] == pytest.approx(runs.hhi_ownership_final.median())
        assert row["mean lab exits"] == pytest.approx(runs.lab_exits.mean())
        top = runs.winner_capability.value_counts(normalize=True)
        assert row["most likely leader"] == f"{top.index[0]} ({top.iloc[0]:.0%})"
        assert row["median cumulative cloud profit (USD bn)"] == pytest.approx(
            runs.cloud_profit_cum_usd.median() / 1e9)
        r = rates[(rates.scenario == scen) & (rates.outcome == "hyperscaler_owned_leads")]
        assert r.p.iloc[0] == pytest.approx(owned.mean())
    # The value-captured curves end at the summaries' cumulative profits.
    value = pd.read_csv(page.parent / "value_captured.csv")
    end = value[value.month == value.month.max()].set_index("scenario")
    medians = results.groupby("scenario")[["cloud_profit_cum_usd", "lab_profit_cum_usd"]].median()
    assert np.allclose(end.loc[medians.index, "cloud_median"], medians.cloud_profit_cum_usd)
    assert np.allclose(end.loc[medians.index, "labs_median"], medians.lab_profit_cum_usd)
    # Value captured by group: the bars are the summaries' medians and 10-90% bands.
    groups = pd.read_csv(page.parent / "value_by_group.csv")
    assert set(groups.group) == {"value_clouds_usd", "value_labs_usd", "value_investors_usd",
                                 "value_chip_vendors_usd"}
    for row in groups.itertuples():
        v = results[results.scenario == row.scenario][row.group]
        assert (row.runs, row.median) == (len(v), pytest.approx(v.median()))
        assert (row.p10, row.p90) == (pytest.approx(v.quantile(0.1)),
                                      pytest.approx(v.quantile(0.9)))
    for group in ("clouds", "labs", "investors"):
        medians = results.groupby("scenario")[f"value_{group}_usd"].median() / 1e9
        assert np.allclose(table.loc[medians.index, f"median value captured, {group} (USD bn)"],
                           medians)


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_two_parameter_sweep_gets_a_heatmap_and_a_prim_box(two_params):
    out, page = two_params
    assert (page.parent / "heatmap.png").read_bytes()[:4] == b"\x89PNG"
    ET.parse(page.parent / "heatmap.svg")
    results = pd.read_parquet(out / "results.parquet")
    heat = pd.read_csv(page.parent / "heatmap.csv")
    assert len(heat) == 4
    for _, row in heat.iterrows():
        runs = results[(results["compute.doubling_months"] == row["compute.doubling_months"])
                       & (results["talent.lab_pull"] == row["talent.lab_pull"])]
        assert (row.n, row.k) == (len(runs), (runs.leader_kind == "independent_lab").sum())
    text = page.read_text()
    assert "compute.doubling_months" in text and "talent.lab_pull" in text
    # 12 months reach no start of 2026: no leaders figure, said so; PRIM ran or said why not.
    assert {p.stem for p in page.parent.glob("*.png")} == (
        FIGURES - {"leaders"} | {"heatmap", "concentration_by_point"})
    assert "do not reach the start of 2026, 2030, 2034" in text
    assert "PRIM (the EMA workbench's) over compute.doubling_months, talent.lab_pull" in text
    prim = pd.read_csv(page.parent / "prim_trajectory.csv")
    assert len(prim) or "nothing for PRIM to separate" in text
    parser = Refs()
    parser.feed(text)
    assert len(parser.imgs) == len(FIGURES) + 1
    # Concentration per swept point: each point's runs and mean HHI are the results'.
    conc = pd.read_csv(page.parent / "concentration_by_point.csv")
    assert len(conc) == 4 and conc.runs.sum() == len(results)
    for _, row in conc.iterrows():
        point = dict(part.split("=") for part in row["scenario and swept point"].split(", ")[1:])
        runs = results[(results["compute.doubling_months"] == float(point[
            "compute.doubling_months"])) & (results["talent.lab_pull"] == float(point[
                "talent.lab_pull"]))]
        assert row.runs == len(runs)
        assert row["HHI ownership mean"] == pytest.approx(runs.hhi_ownership_final.mean())
        assert row["HHI ownership 95% lo"] <= row["HHI ownership mean"] <= row[
            "HHI ownership 95% hi"]


def test_labs_founded_in_runs_count_as_one_group():
    """"Entrant 2" is a different lab in every run: the figures show the best of them
    (capability) or all of them together (market share), never an average over names."""
    labs = pd.DataFrame({
        "scenario": "baseline", "run": ["0-0"] * 3 + ["0-1"] * 2, "month": 5,
        "firm": pd.Categorical(["OpenAI", "Entrant 1", "Entrant 2", "OpenAI", "Entrant 2"]),
        "capability": [30.0, 28.0, 29.0, 31.0, 27.0],
        "market_share": [0.5, 0.1, 0.2, 0.6, 0.3]})
    best = report.by_lab(labs, "capability", "max").set_index(["run", "firm"]).capability
    assert best[("0-0", report.ENTRANT)] == 29.0 and best[("0-1", report.ENTRANT)] == 27.0
    total = report.by_lab(labs, "market_share", "sum").set_index(["run", "firm"])
    assert total.market_share[("0-0", report.ENTRANT)] == pytest.approx(0.3)
    assert total.market_share[("0-0", "OpenAI")] == 0.5 and len(total) == 4


@pytest.mark.slow  # draws every figure again
def test_failed_runs_are_counted_and_left_out(sweep, tmp_path):
    out, _ = sweep
    copy = tmp_path / "sweep"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("report"))
    results = pd.read_parquet(copy / "results.parquet")
    summary = [c for c in results.columns if c.startswith(("leader", "winner", "hhi"))]
    results.loc[results.run == "0-0", summary] = None
    results.loc[results.run == "0-0", "error"] = "RuntimeError: boom"
    results.to_parquet(copy / "results.parquet", index=False)
    page = report.report(copy)
    text = page.read_text()
    assert "8 runs, 1 failed" in text and "RuntimeError: boom" in text
    table = pd.read_csv(page.parent / "scenario_table.csv", index_col=0)
    assert table.loc["baseline", "runs"] == 3 and table.loc["bigtech_inhouse", "runs"] == 4


def test_wilson_interval():
    lo, hi = report.wilson(0, 10)
    assert lo == pytest.approx(0, abs=1e-12) and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = report.wilson(5, 10)
    assert (lo, hi) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_the_report_verb(sweep, capsys):
    out, page = sweep
    capsys.readouterr()
    assert cli.main(["report", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(page)
    assert "report" in cli.usage()


@pytest.mark.parametrize("args", [["EMPTY"], []])
def test_a_folder_without_results_is_one_line_and_exit_2(args, tmp_path, capsys):
    args = [str(tmp_path) if a == "EMPTY" else a for a in args]
    assert cli.main(["report", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("aisim report: error:")
    assert not (tmp_path / "report").exists()


def test_wilson_bounds_never_cross_the_rate():
    n = np.arange(1, 1001)
    for k in (n, n * 0, n // 2):
        lo, hi = report.wilson(k, n)
        p = k / n
        assert np.all(lo <= p) and np.all(hi >= p) and np.all(lo >= 0) and np.all(hi <= 1)


@pytest.mark.slow  # runs a small sweep and draws every figure
def test_a_policy_sweep_compares_the_policies_as_points_default_first(tmp_path):
    out = tmp_path / "sweep"
    assert cli.main(["-m", "policy/lab=profit,returns", "replicates=2", "horizon_months=12",
                     "demand.n_customers=300", f"hydra.sweep.dir={out}"]) == 0
    results = pd.read_parquet(out / "results.parquet")
    assert sorted(results["policy/lab"].unique()) == ["profit", "returns"]
    report.report(out)
    table = pd.read_csv(out / "report" / "scenario_table.csv")
    assert table.scenario.tolist() == ["baseline, lab=returns", "baseline, lab=profit"]
    page = (out / "report" / "report.html").read_text()
    assert "difference from baseline, lab=returns" in page
    assert "Choices swept (the first is the default): lab: returns, profit" in page


def test_scenarios_are_described_by_their_files_leading_comment(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "# @package _global_\n# Chips run out (A10, A23). Then A99 is only in the second\n"
        "# sentence, which the table leaves out.\nscenario: mine  # A5 here is not the comment\n")
    (tmp_path / "bare.yaml").write_text("# @package _global_\nscenario: bare\n")
    notes = report.scenario_notes(["mine", "mine, lab=profit", "bare", "gone"], tmp_path)
    assert list(notes.scenario) == ["mine", "bare", "gone"]  # points share their scenario's
    assert notes.claims.tolist() == ["A10, A23, A99", "", ""]
    assert notes.description[0] == "Chips run out (A10, A23)."
    assert notes.description[1] == "(no comment at the top of bare.yaml)"
    assert notes.description[2].startswith("(no gone.yaml in ")
    # The real files: every scenario has a description that cites claims.
    real = report.scenario_notes(["baseline", "power_bound", "open_entry"])
    assert real.claims.str.startswith("A").all()
    assert real.description[2].endswith("(A31, A32)?")


def test_markets_figure_plots_each_scenarios_median_and_skips_missing_columns():
    pytest.importorskip("matplotlib")
    from types import SimpleNamespace

    from sim.report.figures import fig_markets

    months = np.arange(3)
    rows = [{"scenario": scen, "run": f"{scen}-{seed}", "month": m,
             "industry_price_index": 0.5 ** m * (seed + 1),
             "industry_chip_vendor_revenue_usd": 1e9 * (seed + m),
             "industry_chip_vendor_margin": 0.7, "industry_power_used_gw": 1.0 + m,
             "industry_power_available_gw": 4.0}
            for scen in ("baseline", "power_bound") for seed in range(3) for m in months]
    s = SimpleNamespace(industry=pd.DataFrame(rows), scenarios=["baseline", "power_bound"],
                        dates=pd.Series(pd.date_range("2024-01-01", periods=3, freq="MS"),
                                        index=months))
    fig, med = fig_markets(s)
    # The median over seeds: seeds 0, 1, 2 give 1, 2, 3 times the index.
    m = med.set_index(["scenario", "month"])
    assert m.loc[("baseline", 2), "industry_price_index"] == pytest.approx(0.25 * 2)
    assert m.loc[("power_bound", 1), "industry_chip_vendor_revenue_usd"] == pytest.approx(2e9)
    axes = fig.axes
    assert len(axes) == 4  # no other clouds' column (an older sweep): no panel for it
    assert axes[0].get_yscale() == "log"
    assert [len(ax.lines) for ax in axes] == [2, 2, 2, 4]  # power: used and available
    assert "Power" in axes[3].get_title()
    np.testing.assert_allclose(axes[2].lines[0].get_ydata(), [70.0] * 3)  # margin in %
