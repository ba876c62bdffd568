"""The page: report() writes to SWEEP_DIR/report/ each figure as PNG and SVG, the tables
behind the figures as CSV, and one self-contained report.html (figures embedded as base64
PNG; no scripts, no links); main() is `aisim report`."""

from __future__ import annotations

import base64
import datetime
import html
import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .load import MARKET_COLS, ROSTER_COLS, ReportError, Sweep, load, scenario_notes
from .stats import (OUTCOMES, YEARS, concentration_table, drivers, leader_table,
                    scenario_table, sustained_table, value_table)

USAGE = ("usage: aisim report SWEEP_DIR|EXPLORE_DIR   (writes DIR/report/report.html; an "
         "`aisim explore` folder gets the exploration's page)")


def concentration_display(t: pd.DataFrame) -> pd.DataFrame:
    """The table for the page: "mean (95% lo-hi)" per HHI, counts to two decimals."""
    shown = t[["scenario and swept point", "runs"]].copy()
    for name in ("HHI ownership", "HHI revenue"):
        shown[f"{name} at the horizon"] = [
            f"{m:,.0f} ({lo:,.0f}-{hi:,.0f})" for m, lo, hi in
            zip(t[f"{name} mean"], t[f"{name} 95% lo"], t[f"{name} 95% hi"])]
    for col in [c for c in t.columns if c.startswith("mean ")]:
        shown[col] = t[col].map(lambda v: f"{v:.2f}")
    return shown


def table_html(t: pd.DataFrame, baseline: str | None) -> str:
    """The scenario table; under each value its signed difference from baseline."""
    rows = ["<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in ["scenario", *t.columns])
            + "</tr>"]
    for scen, r in t.iterrows():
        cells = [f"<td>{html.escape(str(scen))}</td>"]
        for c, v in r.items():
            if isinstance(v, str):
                cells.append(f"<td>{html.escape(v)}</td>")
                continue
            spec = ",.0f" if c == "runs" or "HHI" in c or "USD" in c else ",.1f"
            cell = format(v, spec)
            diff = v - t.at[baseline, c] if baseline and scen != baseline else 0
            if c != "runs" and format(abs(diff), spec) != format(0, spec):
                arrow, cls = ("&#9650;", "up") if diff > 0 else ("&#9660;", "down")
                cell += f'<br><span class="{cls}">{arrow} {format(diff, "+" + spec)}</span>'
            cells.append(f"<td>{cell}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{''.join(rows)}</table>"


def frame_html(t: pd.DataFrame) -> str:
    return t.to_html(index=False, border=0, float_format=lambda v: f"{v:.3g}")


def provenance(s: Sweep) -> str:
    runs = s.results
    failed = runs[runs["error"].notna()] if "error" in runs else runs.iloc[:0]
    jobs = pd.DataFrame([{"job": job, "overrides": " ".join(lines) or "(none recorded)",
                          "runs": int((runs.job == job).sum()),
                          "failed": int((failed.job == job).sum()),
                          "seeds": seed_ranges(runs.seed[runs.job == job])}
                         for job, lines in s.overrides.items()])
    installed = {d.metadata["Name"].lower(): d.version for d in importlib.metadata.distributions()}
    versions = {"python": platform.python_version(), **{p: installed.get(p, "not installed") for p
                in ("aisim", "mesa", "numpy", "pandas", "matplotlib", "hydra-core")}}
    multirun = s.dir / "multirun.yaml"
    text = multirun.read_text() if multirun.exists() else "(no multirun.yaml in the folder)"
    return "\n".join([
        f"<p>{len(runs)} runs, {len(failed)} failed; seeds {seed_ranges(runs.seed)}; report "
        f"made {datetime.datetime.now().astimezone().isoformat(timespec='seconds')} by git "
        f"revision <code>{git_revision()}</code> (the code making this report; the sweep may "
        "have been run by another).</p>",
        "<p>" + ", ".join(f"{k} {html.escape(v)}" for k, v in versions.items()) + "</p>",
        frame_html(jobs), frame_html(failed[["run", "error"]].head(20)) if len(failed) else "",
        f"<details><summary>multirun.yaml</summary><pre>{html.escape(text)}</pre></details>"])


def seed_ranges(seeds) -> str:
    """'0-7, 10' for seeds 0..7 and 10."""
    seeds = np.array(sorted(set(int(x) for x in seeds)))
    runs = np.split(seeds, np.flatnonzero(np.diff(seeds) != 1) + 1)
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs if len(r))


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[2], timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev.stdout.strip() if rev.returncode == 0 and rev.stdout.strip() else "unknown"


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font-family: sans-serif; max-width: 1250px; margin: 2em auto; line-height: 1.4; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; text-align: right; vertical-align: top; }}
th {{ background: #f0f0f0; }} td:first-child, .notes td {{ text-align: left; }}
.up {{ color: #1f4e79; }} .down {{ color: #c0504d; }}
pre {{ background: #f7f7f7; padding: 0.5em; font-size: 0.8em; overflow-x: auto; }}
</style></head><body>
<h1>{title}</h1>
{body}
</body></html>
"""


def report(sweep_dir: Path | str) -> Path:
    """Write the figures, their tables and report.html to SWEEP_DIR/report/; return the page."""
    # Drawing needs matplotlib, imported here so that `import sim.report` (to use load or
    # stats) does not load it.
    from .draw import save
    from .figures import (fig_capability, fig_concentration, fig_concentration_points,
                          fig_drivers, fig_heatmap, fig_leaders, fig_markets, fig_money,
                          fig_roster,
                          fig_shares, fig_survival, fig_value, fig_value_groups)

    sweep_dir = Path(sweep_dir)
    s = load(sweep_dir)
    out = sweep_dir / "report"
    out.mkdir(exist_ok=True)
    for old in [*out.glob("*.png"), *out.glob("*.svg"), *out.glob("*.csv")]:
        old.unlink()  # a figure or table this sweep no longer gets must not linger
    sections = []

    def section(title: str, text: str, fig=None, name: str = "", *extra: str) -> None:
        img = ""
        if fig is not None:
            data = base64.b64encode(save(fig, out, name).read_bytes()).decode("ascii")
            img = (f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
                   f"<figcaption>{title}</figcaption></figure>")
        sections.append("\n".join([f"<h2>{title}</h2>", f"<p>{text}</p>", *extra, img]))

    leaders = leader_table(s)
    leaders.to_csv(out / "leader_probabilities.csv", index=False)
    missing = ", ".join(str(y) for y in YEARS if y not in set(leaders.year))
    section("1. Who holds the frontier in 2026, 2030 and 2034", "Share of seeds in which each "
            "firm has the most capable model on sale at the start of the year (the last month "
            "of the year before), with 95% Wilson intervals; firms that never lead are left out."
            + (f" The runs do not reach the start of {missing}." if missing else ""),
            fig_leaders(s, leaders) if len(leaders) else None, "leaders")
    held = sustained_table(s)
    if len(held):
        held.to_csv(out / "sustained_leader.csv", index=False)
        section("1b. Who holds the frontier over time", "A one-month snapshot can turn on a "
                "hundredth of a capability step. The sustained leader is the lab that leads in "
                "more than half of the last three years' months or, failing that, leads by "
                "more than the run-outcome noise (<code>training.outcome_sigma</code>) in at "
                "least 12 of them; none when the lead is contested. Share of seeds whose "
                "sustained leader is of each group, with 95% Wilson intervals.", None, "",
                frame_html(held))
    section("2. Capability over time", "Median and 10-90% band across seeds of each lab's best "
            "released model; a closed lab's line ends.", fig_capability(s), "capability")
    section("3. Revenue market share", "Labs' shares of customers' spending on models, mean "
            "across seeds (Meta's share is spending on its open model, which Meta does not "
            "receive).", fig_shares(s), "market_share")
    fig, value = fig_value(s)
    value.to_csv(out / "value_captured.csv", index=False)
    section("4. Profit (A25, A26)", "Cumulative profit of the cloud sellers (the "
            "hyperscalers' AI clouds alone) against all model builders (independent, in-house "
            "and open-weights labs): the firms' own books, before ownership.", fig,
            "value_captured")
    groups = value_table(s)
    if len(groups):
        groups.to_csv(out / "value_by_group.csv", index=False)
        section("4b. Who captures the value", "Value captured to the horizon by each group, "
                "accounted in full (docs/model.md 3.5): a group's change in net worth - cash, "
                "capacity at book value, and the equity it holds in labs marked at the lab's "
                "valuation plus its cash - less the money put in from outside (big tech's "
                "other cash flow, investors' commitments), plus what it was paid out for labs "
                "sold or closed. Clouds include their in-house labs' results and their "
                "stakes; labs are the labs' own shareholders (founders and staff; Meta for its "
                "open-weights lab); chip vendors are the accelerator vendor's gross profit on "
                "its sales plus its investing arm's gain or loss on stakes. The groups "
                "add up to the industry's profit plus the change in labs' values.",
                fig_value_groups(s, groups), "value_by_group")
    if any(c in s.industry.columns for c in MARKET_COLS):  # sweeps before issue 17: none
        fig, markets = fig_markets(s)
        markets.to_csv(out / "markets.csv", index=False)
        section("4c. The markets (issue 17)", "Median across seeds of each month's value, a "
                "line per scenario. What to look at: whether the price of GPT-4-level models "
                "keeps falling (log scale) or a scenario holds it up; whether the chip vendor's "
                "revenue and margin rise with scarce chips or fall as the clouds' own "
                "accelerators take over; where the power used meets the power available (the "
                "solid line on its dotted one: power binds, and compute grows no faster than "
                "the grid); and how much AI compute the other clouds sell.", fig, "markets")
    section("5. Concentration (A7, A31, A32)", "HHI of labs' revenue shares, and the same with "
            "partner labs consolidated with their controlling hyperscaler; dotted: the 1,800 "
            "'highly concentrated' line.", fig_concentration(s), "concentration")
    if s.swept:
        conc = concentration_table(s)
        conc.to_csv(out / "concentration_by_point.csv", index=False)
        section("5b. Concentration by swept point (A31, A32)", "The same HHIs, mean across "
                "seeds, a line per scenario and swept point; the table gives each point's "
                f"values at {s.horizon} with 95% intervals of the mean (Student's t) and, with entry, the "
                "mean numbers of labs founded and of exits by kind. Points whose intervals "
                "overlap are not told apart by this many seeds.",
                fig_concentration_points(s), "concentration_by_point",
                frame_html(concentration_display(conc)))
    section("6. Money flows (A17)", "Cumulative strategic investment of hyperscalers in labs "
            "against the cloud spending it obliged the labs to return to the investor.",
            fig_money(s), "money_flows")
    section("7. Survival of independent labs (A22)", "Mean number of independent labs alive "
            "across seeds, labs founded in the run included; when none are founded the "
            "right axis gives the share of those alive at the start.",
            fig_survival(s), "survival")
    if set(ROSTER_COLS) <= set(s.industry.columns) and s.industry[ROSTER_COLS].to_numpy().any():
        section("7b. The roster over time (A12, A31)", "Mean number of labs founded and of labs "
                "gone (closed, acqui-hired or acquired) so far, across seeds (none are founded "
                "with entry.enabled=false).", fig_roster(s), "roster")
    if len(s.swept) == 2:
        fig, heat = fig_heatmap(s)
        heat.to_csv(out / "heatmap.csv", index=False)
        section("8. Two-parameter sweep", f"Over {s.swept[0]} and {s.swept[1]}: top, P(an "
                f"independent lab leads at {s.horizon}), each cell the rate and (runs with an "
                "independent leader / runs); bottom, the median ownership HHI at the horizon "
                "(labs counted with a hyperscaler that owns, controls or holds 25 %+ of them; "
                "1,800 = highly concentrated).", fig, "heatmap")
    else:
        section("8. Two-parameter sweep", f"No heatmap: this sweep varies {len(s.swept)} "
                f"numeric parameter(s) ({', '.join(s.swept) or 'none'}), not exactly two.")
    d = drivers(s)
    d["rates"].to_csv(out / "scenario_rates.csv", index=False)
    pd.DataFrame([{"outcome": o, "step": i, "mass": b.mass, "n": b.n, "density": b.density,
                   "coverage": b.coverage,
                   **{f"{c} {end}": lim[j] for c, lim in b.limits.items() if len(lim) == 2
                      for j, end in enumerate(("lo", "hi"))}}
                  for o, steps in d["prim"].items() for i, b in enumerate(steps)],
                 columns=None if d["prim"] else ["outcome", "step", "mass", "n", "density",
                                                 "coverage"]
                 ).to_csv(out / "prim_trajectory.csv", index=False)
    lines = [f"<li>{html.escape(b.words(label, s.ok[o].mean()))}.</li>"
             if (b := d["boxes"].get(o)) else f"<li>P({label}) = {s.ok[o].mean():.0%} overall "
             f"({int(s.ok[o].sum())} of {len(s.ok)} runs).</li>" for o, label in OUTCOMES.items()]
    how = ("PRIM (the EMA workbench's) over " + ", ".join(s.swept) + ": peel 5% of the runs in "
           "the box at a time while the rate rises, down to 5% of the runs; the chosen box is "
           "the largest whose rate is within 2 points of the best box still holding half of "
           "the runs with the outcome; how often each restriction is found again in 10 PRIM "
           "runs on random halves of the runs says how stable it is. Beside it, the rate per "
           "scenario." + ("" if d["prim"] else " Here neither "
           "outcome varies across the runs, so there is nothing for PRIM to separate.")
           if s.swept else "This sweep varies "
           "only the scenario" + (" and choices (" + ", ".join(s.choices) + ")" if s.choices
                                  else "") + " (no numeric parameter): there is no box to find, "
           "the rates per point below are the answer.")
    section("9. What decides the winner", f"Outcome: the frontier leader at {s.horizon} "
            "belongs to a hyperscaler's ownership group (its in-house lab, or a partner lab "
            "consolidated with it by exclusivity or stake: leader_owner is one of "
            f"{', '.join(s.hyperscalers)}); and the plain leader_kind version (an in-house lab "
            f"leads). {how}", fig_drivers(s, d), "winner_drivers", f"<ul>{''.join(lines)}</ul>",
            frame_html(d["rates"].assign(rate=[f"{r.p:.0%} ({r.lo:.0%}-{r.hi:.0%}, {r.k}/{r.n})"
                                               for r in d["rates"].itertuples()])
                       .pivot(index="scenario", columns="outcome", values="rate")
                       .loc[s.scenarios].rename(columns=OUTCOMES).rename_axis(columns=None)
                       .reset_index()))
    table = scenario_table(s)
    table.to_csv(out / "scenario_table.csv")
    # The first point of the baseline scenario is the reference (policies and other choices
    # swept as words split a scenario into points).
    base = s.scenarios[0] if s.scenarios[0].startswith("baseline") and len(s.scenarios) > 1 \
        else None
    section("10. Scenarios compared", f"Outcomes at {s.horizon}; profits cumulative over the "
            "run. " + (f"Under each value: the signed difference from {base}." if base else
                       "No baseline to compare with in this sweep.")
            + " The two leader probabilities overlap: a partner lab consolidated with its "
            "hyperscaler (an exclusive cloud deal, or a stake of at least "
            "<code>finance.consolidation_stake</code>) is independent and hyperscaler-owned "
            "at once. The cloud share is of AI value added (cloud revenue against the labs' "
            "sales less serving costs), not of customers' spending.", None, "",
            table_html(table, base))
    section("11. Provenance", "The sweep's record and the software that made this page.", None,
            "", provenance(s))
    chosen = "; ".join(f"{k}: {', '.join(v)}" for k, v in s.choices.items())
    intro = (f"<p>Sweep <code>{html.escape(str(sweep_dir.resolve()))}</code>: {len(s.ok)} "
             f"successful runs. Points compared (the scenario"
             f"{' and the choices swept' if chosen else ''}): "
             f"{html.escape('; '.join(s.scenarios))}."
             + (f" Choices swept (the first is the default): {html.escape(chosen)}." if chosen
                else "")
             + f" Numeric parameters swept: {', '.join(s.swept) or 'none'}. Outcomes 'at the "
             f"horizon' are measured at {s.horizon}. The tables behind the figures are the CSV "
             "files beside this page.</p>")
    notes = scenario_notes(s.scenarios)
    notes.to_csv(out / "scenarios.csv", index=False)
    intro += ("<h2>Scenarios</h2><p>Each scenario's claims and the first sentence of the "
              "comment opening its file (configs/scenario/NAME.yaml, where the rest says what "
              "it changes and why).</p>" + notes.to_html(index=False, border=0, classes="notes"))
    page = out / "report.html"
    page.write_text(PAGE.format(title="aisim: who wins, and why",
                                body=intro + "\n".join(sections)))
    return page


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if len(argv) != 1:
        print(f"aisim report: error: expected one folder; {USAGE}", file=sys.stderr)
        return 2
    try:
        from . import explore_page, explore_stats

        page = (explore_page.report(argv[0]) if explore_stats.is_exploration(argv[0])
                else report(argv[0]))
    except ReportError as err:
        print(f"aisim report: error: {err}", file=sys.stderr)
        return 2
    print(page)
    return 0
