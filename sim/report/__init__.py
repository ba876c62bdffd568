"""`aisim report SWEEP_DIR` (or `python -m sim.report SWEEP_DIR`): who wins, and why.

Reads a sweep folder's results.parquet (a row per run) and timeseries.parquet (every run's
firm rows per month) and writes to SWEEP_DIR/report/: each figure as PNG and SVG, the tables
behind the figures as CSV, and one self-contained report.html (figures embedded as base64
PNG; no scripts, no links). Prints the HTML's path. Only the columns the figures need are
read, and the industry columns (the same on every firm's row) from one hyperscaler's rows.
"""

from __future__ import annotations

import base64
import datetime
import html
import importlib.metadata
import math
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..plots import color  # noqa: I001 (first: it sets matplotlib's Agg backend)
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from .load import ROSTER_COLS, ReportError, Sweep, load  # noqa: F401
from .stats import ENTRANT, OUTCOMES, YEARS, bands, by_lab, choose_box, concentration_table, describe, drivers, fmt, leader_table, points, prim, rates, scenario_table, wilson  # noqa: F401

USAGE = "usage: aisim report SWEEP_DIR   (writes SWEEP_DIR/report/report.html)"
CLOUD, LABS = "#1f4e79", "#c0504d"  # cloud sellers vs model builders (groups, not firms)
OUTCOME_COLORS = {"hyperscaler_owned_leads": "#00a4ef", "inhouse_leads": "#0b5394"}
ENTRANT_COLOR = "#17becf"  # labs founded during runs, as one group


def grid(s: Sweep, title: str, ylabel: str):
    """One panel per scenario, three to a row, no empty panels, dates on the x axes."""
    n = len(s.scenarios)
    ncols = min(3, n)
    fig, axes = plt.subplots(math.ceil(n / ncols), ncols, sharey=True, squeeze=False,
                             figsize=(max(5.2 * ncols + 0.8, 10), 3.4 * math.ceil(n / ncols)
                                      + 1.6 + (n == 1)), layout="constrained")
    for ax in axes.flat[n:]:
        ax.remove()
    panels = list(axes.flat[:n])
    for i, (ax, scen) in enumerate(zip(panels, s.scenarios)):
        ax.set_title(f"{scen} ({int((s.ok.scenario == scen).sum())} runs)", fontsize=10)
        date_axis(ax, s.dates, xlabel=i + ncols >= n)  # label panels with none below
    suptitle(fig, title)
    fig.supylabel(ylabel)
    return fig, panels


def suptitle(fig, text: str, size: int = 13) -> None:
    """A figure title wrapped to the figure's width (about 8 characters an inch at 13 pt)."""
    fig.suptitle(textwrap.fill(text, int(fig.get_figwidth() * 104 / size)), fontsize=size)


def date_axis(ax, dates: pd.Series, xlabel: bool = True) -> None:
    years = (dates.iloc[-1] - dates.iloc[0]).days / 365
    ax.xaxis.set_major_locator(mdates.YearLocator(1 if years <= 6 else 2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(dates.iloc[0], dates.iloc[-1])
    ax.grid(alpha=0.3)
    if xlabel:
        ax.set_xlabel("date (month start)")


def band_plot(ax, s: Sweep, b: pd.DataFrame, label: str, colour: str, scale: float = 1.0,
              ls: str = "-") -> None:
    d = s.dates.loc[b.index]
    ax.fill_between(d, b.p10 * scale, b.p90 * scale, color=colour, alpha=0.15, lw=0)
    ax.plot(d, b["median"] * scale, color=colour, ls=ls, label=label)


def legend(fig, panels, ncol: int, **kw) -> None:
    """One legend for all panels, below them."""
    seen = {}
    for ax in panels:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    fig.legend(seen.values(), seen.keys(), loc="outside lower center", ncol=ncol, **kw)


def rate_bars(ax, s: Sweep, series) -> None:
    """Grouped horizontal bars of rates (%) per scenario with Wilson intervals (faint where
    the outcome never happened); series: (rates table, colour, label) each."""
    h = 0.8 / len(series)
    for i, (r, colour, label) in enumerate(series):
        r = r.set_index("scenario").loc[s.scenarios]
        pos = np.arange(len(s.scenarios)) - 0.4 + h * (i + 0.5)
        ax.barh(pos, r.p * 100, height=h, color=colour, label=label)
        for zero in (True, False):
            sel = (r.k == 0).to_numpy() == zero
            w = r[sel]
            ax.errorbar(w.p * 100, pos[sel], xerr=[(w.p - w.lo) * 100, (w.hi - w.p) * 100],
                        fmt="none", ecolor="#bbbbbb" if zero else "#222222", elinewidth=0.8,
                        capsize=1.5)
    for sep in np.arange(len(s.scenarios) - 1) + 0.5:
        ax.axhline(sep, color="#dddddd", lw=0.8)
    ax.set_yticks(np.arange(len(s.scenarios)), s.scenarios)
    ax.set(xlim=(0, 100), ylim=(len(s.scenarios) - 0.5, -0.5))
    ax.grid(axis="x", alpha=0.3)


def fig_leaders(s: Sweep, table: pd.DataFrame):
    years, firms = sorted(table.year.unique()), sorted(table.firm.unique())
    fig, axes = plt.subplots(1, len(years), sharey=True, squeeze=False, layout="constrained",
                             figsize=(4.6 * len(years) + 2.5,
                                      max(3.5, 1.2 + 0.22 * len(s.scenarios) * max(len(firms),
                                                                                  3))))
    for ax, y in zip(axes[0], years):
        t = table[table.year == y]
        rate_bars(ax, s, [(t[t.firm == f], color(f), f) for f in firms])
        ax.set(title=f"start of {y}", xlabel="probability of leading (%)")
    legend(fig, axes[0], len(firms), title="frontier leader (highest capability)")
    suptitle(fig, "Who holds the frontier: share of seeds a firm leads, with 95% Wilson "
                  "intervals")
    return fig


def firm_colour(firm: str):
    return ENTRANT_COLOR if firm == ENTRANT else color(firm)


def firm_order(s: Sweep, firms) -> list[str]:
    """The 2024 roster in its usual order, then the entrants' group."""
    order = [f for f in s.labs.firm.cat.categories if not str(f).startswith("Entrant ")]
    return [f for f in [*order, ENTRANT] if f in set(firms)]


def fig_capability(s: Sweep):
    fig, panels = grid(s, "Capability of each lab's best released model (labs founded in the "
                          "run: the best of them): median and 10-90% band across seeds",
                       "capability (log10 effective training FLOP)")
    labs = by_lab(s.labs.assign(capability=s.labs.capability.where(s.labs.alive)),
                  "capability", "max")
    b = bands(labs, "capability", ("scenario", "firm", "month"))
    for ax, scen in zip(panels, s.scenarios):
        for firm in firm_order(s, labs.firm):
            if (scen, firm) in b.index:
                band_plot(ax, s, b.loc[(scen, firm)].dropna(), firm, firm_colour(firm))
    legend(fig, panels, 6)
    return fig


def fig_shares(s: Sweep):
    fig, panels = grid(s, "Share of customers' spending on models (revenue market share), "
                          "mean across seeds", "share of spending on models (%)")
    labs = by_lab(s.labs, "market_share", "sum")
    # Mean over every run of the scenario (a lab absent from a run has share 0 there).
    runs = s.ok.groupby("scenario").size()
    total = labs.groupby(["scenario", "month", "firm"], observed=True).market_share.sum()
    mean = total / runs.reindex(total.index.get_level_values("scenario")).to_numpy()
    for ax, scen in zip(panels, s.scenarios):
        share = mean.loc[scen].unstack("firm").fillna(0)
        share = share[firm_order(s, share.columns)]
        ax.stackplot(s.dates.loc[share.index], share.T.to_numpy() * 100, labels=share.columns,
                     colors=[firm_colour(f) for f in share.columns], alpha=0.9)
        ax.set_ylim(0, 100)
    legend(fig, panels, 6)
    return fig


def fig_pair(s: Sweep, cols, labels, colours, title, ylabel, scale=1.0, hline=None, ylim=None):
    """Two industry series per scenario, each a median with a 10-90% band."""
    fig, panels = grid(s, title, ylabel)
    tables = {c: bands(s.industry, c) for c in cols}
    for ax, scen in zip(panels, s.scenarios):
        for c, lab, col, ls in zip(cols, labels, colours, ("-", "--")):
            band_plot(ax, s, tables[c].loc[scen], lab, col, scale, ls)
        if hline is not None:
            ax.axhline(hline[0], color="#888888", lw=1, ls=":", label=hline[1])
        if ylim is not None:  # set_ylim(None) would freeze the autoscaled limits
            ax.set_ylim(ylim)
    legend(fig, panels, 3)
    return fig, panels, tables


def fig_value(s: Sweep):
    fig, _, t = fig_pair(
        s, ["cloud_ai_profit_usd_cum", "lab_profit_usd_cum"],
        ["cloud sellers (the hyperscalers)", "model builders (all labs)"], [CLOUD, LABS],
        "Value captured: cumulative profit since 2024-01, median and 10-90% band across seeds "
        "(A25, A26)", "cumulative profit (USD billion)", 1e-9, (0, "zero"))
    table = pd.concat({"cloud": t["cloud_ai_profit_usd_cum"], "labs": t["lab_profit_usd_cum"]},
                      axis=1)
    table.columns = [f"{a}_{b}" for a, b in table.columns]
    return fig, table.reset_index()


def fig_concentration(s: Sweep):
    return fig_pair(
        s, ["industry_hhi_revenue", "industry_hhi_ownership"],
        ["HHI by revenue share", "HHI by ownership (partners consolidated with their cloud)"],
        ["#444444", "#c00000"], "Concentration of the model market: median and 10-90% band "
        "across seeds (A7, A31, A32)", "HHI (0-10,000)",
        hline=(1800, "highly concentrated (1,800)"), ylim=(0, 10_000))[0]


def fig_money(s: Sweep):
    fig, panels, _ = fig_pair(
        s, ["industry_strategic_invested_cum_usd", "industry_roundtrip_cum_usd"],
        ["strategic investment paid to labs", "returned to the investors' clouds (round trip)"],
        ["#6f42c1", "#ff9900"], "Money flows: hyperscalers' investment in labs and the cloud "
        "spending it returned, cumulative, median and 10-90% band (A17)",
        "cumulative (USD billion)", 1e-9)
    last = s.industry[s.industry.month == s.industry.month.max()]
    for ax, scen in zip(panels, s.scenarios):
        f = last[last.scenario == scen]
        paid = f.industry_strategic_invested_cum_usd
        ax.text(0.02, 0.95, "no strategic investment" if (paid <= 0).all() else
                "median share returned by the horizon: "
                f"{(f.industry_roundtrip_cum_usd / paid)[paid > 0].median():.0%}",
                transform=ax.transAxes, va="top", fontsize=8)
    return fig


def fig_survival(s: Sweep):
    fig, ax = plt.subplots(figsize=(10, 5.2), layout="constrained")
    n_alive = s.industry.industry_independent_labs_alive
    alive = n_alive.groupby([s.industry.scenario, s.industry.month], observed=True).mean()
    start = int(n_alive[s.industry.month == 0].median())  # the 2024 roster (before founding)
    for i, scen in enumerate(s.scenarios):
        a = alive.loc[scen]
        ax.plot(s.dates.loc[a.index], a, color=plt.get_cmap("tab10")(i % 10),
                ls=["-", "--", ":", "-."][i % 4], lw=2, label=scen)
    ax.set(title="Survival of independent labs (A22): mean number alive across seeds",
           ylabel="independent labs alive (mean)", ylim=(0, max(start, alive.max(), 1) * 1.1))
    if 0 < start and alive.max() <= start:  # with entry, more may be alive than at the start
        ax.secondary_yaxis("right", functions=(lambda v: v / start * 100,
                                               lambda v: v * start / 100)) \
            .set_ylabel(f"share of the {start} alive at the start (%)")
    if (n_alive == start).all():
        ax.text(0.5, 0.6, f"No independent lab closed in any run: all {len(s.scenarios)} "
                "scenario lines lie on top of each other", transform=ax.transAxes,
                ha="center", fontsize=10, color="#c00000")
    date_axis(ax, s.dates)
    ax.legend(title="scenario", loc="upper right", ncol=3, fontsize=8)
    return fig


def point_lines(fig, axes, s: Sweep, cols, titles, ylabel: str, ylim=None) -> None:
    """Mean across seeds of industry columns over time, a line per scenario and swept point
    (so a sweep is not averaged away), one panel per column, legend below."""
    group = s.industry.run.map(points(s))
    labels = sorted(group.unique(), key=lambda g: (not g.startswith("baseline"), g))
    for ax, col, title in zip(axes, cols, titles):
        mean = s.industry[col].groupby([group, s.industry.month], observed=True).mean()
        for i, g in enumerate(labels):
            m = mean.loc[g]
            ax.plot(s.dates.loc[m.index], m, color=plt.get_cmap("tab10")(i % 10),
                    ls=["-", "--", ":", "-."][i // 10 % 4], lw=2, label=g)
        ax.set(title=title, ylabel=ylabel)
        if ylim is not None:
            ax.set_ylim(ylim)
        date_axis(ax, s.dates)
    fig.legend(*axes[0].get_legend_handles_labels(), title="scenario and swept point",
               loc="outside lower center", ncol=2, fontsize=8)


def fig_roster(s: Sweep):
    """The roster over time (A12, A31): labs founded and labs gone, mean across seeds."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.6), layout="constrained", sharey=True)
    point_lines(fig, axes, s, ROSTER_COLS, ("labs founded so far", "labs gone so far "
                                            "(closed, acqui-hired or acquired)"),
                "labs (mean across seeds)")
    suptitle(fig, "The roster over time: entry and exit", 12)
    return fig


def fig_concentration_points(s: Sweep):
    """Concentration over time per scenario and swept point (A31, A32: does entry, or
    merger control, change it?)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.6), layout="constrained", sharey=True)
    point_lines(fig, axes, s, ["industry_hhi_revenue", "industry_hhi_ownership"],
                ("HHI by revenue share", "HHI by ownership (partners consolidated)"),
                "HHI (mean across seeds)", ylim=(0, 10_000))
    for ax in axes:
        ax.axhline(1800, color="#888888", lw=1, ls=":")
    suptitle(fig, "Concentration by swept point: mean across seeds (dotted: 1,800, highly "
                  "concentrated)", 12)
    return fig


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


def fig_heatmap(s: Sweep):
    """Two swept parameters: P(an independent lab leads) (top row) and concentration - the
    median ownership HHI at the horizon (bottom row), one column per scenario."""
    kx, ky = s.swept
    t = rates(s.ok, ["scenario", ky, kx], "lab_leads")
    hhi = s.ok.groupby(["scenario", ky, kx]).hhi_ownership_final.median().rename("hhi")
    t = t.merge(hhi.reset_index(), on=["scenario", ky, kx])
    fig, axes = plt.subplots(2, len(s.scenarios), squeeze=False, layout="constrained",
                             figsize=(max(5.5 * len(s.scenarios), 8) + 1.5, 10))
    for col, scen in enumerate(s.scenarios):
        cell = t[t.scenario == scen].pivot(index=ky, columns=kx)
        p, k, n, h = (cell[c].to_numpy() for c in ("p", "k", "n", "hhi"))
        labels = (np.vectorize(lambda p, k, n: f"{p:.0%}\n({k:.0f}/{n:.0f})")(p, k, n),
                  np.vectorize(lambda v: f"{v:,.0f}")(h))
        for row, (values, vmax, cmap) in enumerate(((p * 100, 100, "viridis"),
                                                    (h, 10_000, "magma"))):
            ax = axes[row, col]
            im = ax.imshow(values, origin="lower", cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
            for (i, j), v in np.ndenumerate(values):
                if not np.isnan(v):
                    ax.text(j, i, labels[row][i, j], ha="center", va="center", fontsize=9,
                            color="black" if v > 0.6 * vmax else "white")
            ax.set_xticks(range(values.shape[1]), [fmt(v) for v in cell.p.columns])
            ax.set_yticks(range(values.shape[0]), [fmt(v) for v in cell.p.index])
            ax.set(xlabel=kx, ylabel=ky, title=f"{scen} ({int(cell.n.sum().sum())} runs)")
            if col == len(s.scenarios) - 1:
                fig.colorbar(im, ax=axes[row].tolist(), label=(
                    "P(independent lab leads) (%)", "ownership HHI, median")[row])
    suptitle(fig, f"Who holds the frontier, and how concentrated the market is, at "
             f"{s.horizon}", 12)
    return fig, t


def fig_drivers(s: Sweep, d: dict):
    n = 1 + bool(d["prim"])
    fig, axes = plt.subplots(1, n, squeeze=False, layout="constrained",
                             figsize=(7 * n + 0.5, max(5, 1.8 + 0.55 * len(s.scenarios))))
    ax, r = axes[0, 0], d["rates"]
    rate_bars(ax, s, [(r[r.outcome == o], OUTCOME_COLORS[o], lab) for o, lab in OUTCOMES.items()])
    for o in OUTCOMES:
        ax.axvline(s.ok[o].mean() * 100, color=OUTCOME_COLORS[o], ls="--", lw=1,
                   label=f"all runs: {s.ok[o].mean():.0%}")
    ax.set(xlabel=f"share of seeds, at {s.horizon} (%)",
           title="Per scenario (95% Wilson intervals)")
    legend(fig, [ax], 2 * n, fontsize=9)
    if d["prim"]:
        ax = axes[0, 1]
        for o, label in OUTCOMES.items():
            c = OUTCOME_COLORS[o]
            if o not in d["prim"]:
                ax.text(0.03, 0.5, f"{label}: in {s.ok[o].sum()} of {len(s.ok)} runs, no box "
                        "to find", transform=ax.transAxes, fontsize=9, color=c)
                continue
            steps, box = d["prim"][o], d["boxes"][o]
            ax.plot([b["coverage"] * 100 for b in steps], [b["density"] * 100 for b in steps],
                    "o-", ms=4, color=c, label=f"{label}: peeling")
            ax.plot(box["coverage"] * 100, box["density"] * 100, "*", ms=16, color=c,
                    mec="black", label=f"chosen box: {box['where']}"[:90])
        ax.set(xlabel="coverage: share of the outcome's runs inside the box (%)",
               ylabel="density: share of the box's runs\nwith the outcome (%)",
               title="PRIM over the swept parameters: coverage against density",
               xlim=(0, 105), ylim=(0, 105))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    suptitle(fig, f"What decides the winner: a hyperscaler-owned model leads at {s.horizon}", 12)
    return fig


def save(fig, out: Path, name: str) -> Path:
    png = out / f"{name}.png"
    fig.savefig(png, dpi=100)
    fig.set_layout_engine("none")  # keep the layout just made: the SVG gets the same one
    fig.savefig(out / f"{name}.svg")
    plt.close(fig)
    return png


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
th {{ background: #f0f0f0; }} td:first-child {{ text-align: left; }}
.up {{ color: #1f4e79; }} .down {{ color: #c0504d; }}
pre {{ background: #f7f7f7; padding: 0.5em; font-size: 0.8em; overflow-x: auto; }}
</style></head><body>
<h1>{title}</h1>
{body}
</body></html>
"""


def report(sweep_dir: Path | str) -> Path:
    """Write the figures, their tables and report.html to SWEEP_DIR/report/; return the page."""
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
    section("2. Capability over time", "Median and 10-90% band across seeds of each lab's best "
            "released model; a closed lab's line ends.", fig_capability(s), "capability")
    section("3. Revenue market share", "Labs' shares of customers' spending on models, mean "
            "across seeds (Meta's share is spending on its open model, which Meta does not "
            "receive).", fig_shares(s), "market_share")
    fig, value = fig_value(s)
    value.to_csv(out / "value_captured.csv", index=False)
    section("4. Value captured (A25, A26)", "Cumulative profit of the cloud sellers (the "
            "hyperscalers) against all model builders (independent, in-house and open-weights "
            "labs).", fig, "value_captured")
    section("5. Concentration (A7, A31, A32)", "HHI of labs' revenue shares, and the same with "
            "partner labs consolidated with their controlling hyperscaler; dotted: the 1,800 "
            "'highly concentrated' line.", fig_concentration(s), "concentration")
    if s.swept:
        conc = concentration_table(s)
        conc.to_csv(out / "concentration_by_point.csv", index=False)
        section("5b. Concentration by swept point (A31, A32)", "The same HHIs, mean across "
                "seeds, a line per scenario and swept point; the table gives each point's "
                f"values at {s.horizon} with 95% intervals of the mean and, with entry, the "
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
    pd.DataFrame([{"outcome": o, "step": i, **{k: v for k, v in b.items() if k != "limits"},
                   **{f"{c} {end}": lim[j] for c, lim in b["limits"].items()
                      for j, end in enumerate(("lo", "hi"))}}
                  for o, steps in d["prim"].items() for i, b in enumerate(steps)],
                 columns=None if d["prim"] else ["outcome", "step", "support", "n", "density",
                                                 "coverage"]
                 ).to_csv(out / "prim_trajectory.csv", index=False)
    lines = [f"<li>P({label}) = <b>{b['density']:.0%}</b> when {html.escape(b['where'])} "
             f"({b['n']} runs, "
             f"{b['support']:.0%} of the sweep, holding {b['coverage']:.0%} of the runs where "
             f"it happens), vs <b>{s.ok[o].mean():.0%}</b> overall.</li>"
             if (b := d["boxes"].get(o)) else f"<li>P({label}) = {s.ok[o].mean():.0%} overall "
             f"({int(s.ok[o].sum())} of {len(s.ok)} runs).</li>" for o, label in OUTCOMES.items()]
    how = ("PRIM over " + ", ".join(s.swept) + ": peel 5% of the runs in the box at a time "
           "while the rate rises, down to 10% of the runs; the chosen box is the largest whose "
           "rate is within 2 points of the best box still holding half of the runs with the "
           "outcome. Beside it, the rate per scenario." + ("" if d["prim"] else " Here neither "
           "outcome varies across the runs, so there is nothing for PRIM to separate.")
           if s.swept else "This sweep varies "
           "only the scenario (no numeric parameter): there is no box to find, the rates per "
           "scenario below are the answer.")
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
    base = "baseline" if "baseline" in s.scenarios and len(s.scenarios) > 1 else None
    section("10. Scenarios compared", f"Outcomes at {s.horizon}; profits cumulative over the "
            "run. " + ("Under each value: the signed difference from baseline." if base else
                       "No baseline to compare with in this sweep."), None, "",
            table_html(table, base))
    section("11. Provenance", "The sweep's record and the software that made this page.", None,
            "", provenance(s))
    intro = (f"<p>Sweep <code>{html.escape(str(sweep_dir.resolve()))}</code>: {len(s.ok)} "
             f"successful runs; scenarios: {', '.join(s.scenarios)}; swept parameters: "
             f"{', '.join(s.swept) or 'none'}. Outcomes 'at the horizon' are measured at "
             f"{s.horizon}. The tables behind the figures are the CSV files beside this page.</p>")
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
        print(f"aisim report: error: expected one SWEEP_DIR; {USAGE}", file=sys.stderr)
        return 2
    try:
        page = report(argv[0])
    except ReportError as err:
        print(f"aisim report: error: {err}", file=sys.stderr)
        return 2
    print(page)
    return 0
