"""The report's figures, one function each; each returns its matplotlib figure (fig_value
and fig_heatmap also the table drawn). page.report() saves them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plots import color  # noqa: I001 (first: it sets matplotlib's Agg backend)
import matplotlib.pyplot as plt  # noqa: E402

from .draw import (band_plot, date_axis, firm_colour, firm_order, grid, legend, point_lines,
                   rate_bars, suptitle)
from .load import ROSTER_COLS, Sweep
from .stats import OUTCOMES, VALUE_GROUPS, bands, by_lab, fmt, rates

CLOUD, LABS = "#1f4e79", "#c0504d"  # cloud sellers vs model builders (groups, not firms)
OUTCOME_COLORS = {"hyperscaler_owned_leads": "#00a4ef", "inhouse_leads": "#0b5394"}
VALUE_COLORS = {"value_clouds_usd": CLOUD, "value_labs_usd": LABS,
                "value_investors_usd": "#2e8b57", "value_chip_vendors_usd": "#7f7f7f"}


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
        "Book profit cumulated since 2024-01 (the firms' own books, before ownership; value "
        "captured with stakes marked is section 4b), median and 10-90% band across seeds "
        "(A25, A26)", "cumulative profit (USD billion)", 1e-9, (0, "zero"))
    table = pd.concat({"cloud": t["cloud_ai_profit_usd_cum"], "labs": t["lab_profit_usd_cum"]},
                      axis=1)
    table.columns = [f"{a}_{b}" for a, b in table.columns]
    return fig, table.reset_index()


def fig_value_groups(s: Sweep, table: pd.DataFrame):
    """Value captured to the horizon by clouds, labs, investors and chip vendors side by
    side, per scenario: the median across seeds with its 10-90% band."""
    groups = [g for g in VALUE_GROUPS if g in set(table.group)]
    fig, ax = plt.subplots(figsize=(11, max(3.5, 1.6 + 0.3 * len(s.scenarios) * len(groups))),
                           layout="constrained")
    h = 0.8 / len(groups)
    big = table[["p10", "p90"]].abs().to_numpy().max(initial=0.0) >= 5e12
    scale, unit = (1e12, "trillion") if big else (1e9, "billion")
    for i, g in enumerate(groups):
        t = table[table.group == g].set_index("scenario").loc[s.scenarios]
        pos = np.arange(len(s.scenarios)) - 0.4 + h * (i + 0.5)
        med, lo, hi = (t[c].to_numpy(dtype=float) / scale for c in ("median", "p10", "p90"))
        ax.barh(pos, med, height=h, color=VALUE_COLORS[g], label=VALUE_GROUPS[g])
        ax.errorbar(med, pos, xerr=[med - lo, hi - med], fmt="none", ecolor="#222222",
                    elinewidth=0.8, capsize=1.5)
        for p in pos[(lo == 0) & (hi == 0)]:  # a group with nothing (no chip vendor invests)
            ax.text(0, p, " 0", va="center", fontsize=7, color=VALUE_COLORS[g])
    for sep in np.arange(len(s.scenarios) - 1) + 0.5:
        ax.axhline(sep, color="#dddddd", lw=0.8)
    ax.axvline(0, color="#888888", lw=1)
    ax.set_yticks(np.arange(len(s.scenarios)), s.scenarios)
    ax.set(ylim=(len(s.scenarios) - 0.5, -0.5),
           xlabel=f"value captured from 2024-01 to {s.horizon} (USD {unit})")
    ax.grid(axis="x", alpha=0.3)
    legend(fig, [ax], 2, fontsize=9)
    suptitle(fig, "Who captures the value: clouds, labs, investors and chip vendors, accounted "
                  "in full (profit, in-house labs' results, equity marked at the labs' "
                  "values); median and 10-90% band across seeds", 12)
    return fig


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
    legend(fig, [ax], min(len(s.scenarios), 3), title="scenario", fontsize=8)
    return fig


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
            ax.plot([b.coverage * 100 for b in steps], [b.density * 100 for b in steps],
                    "o-", ms=4, color=c, label=f"{label}: peeling")
            where = " and ".join(box.limits) or "no restriction"
            ax.plot(box.coverage * 100, box.density * 100, "*", ms=16, color=c,
                    mec="black", label=f"chosen box: restricts {where}"[:90])
        ax.set(xlabel="coverage: share of the outcome's runs inside the box (%)",
               ylabel="density: share of the box's runs\nwith the outcome (%)",
               title="PRIM over the swept parameters: coverage against density",
               xlim=(0, 105), ylim=(0, 105))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    suptitle(fig, f"What decides the winner: a hyperscaler-owned model leads at {s.horizon}", 12)
    return fig


# The markets' panels (issue #17): (title, columns, scale, y label, log scale).
MARKET_PANELS = [
    ("Price of GPT-4-level models (cheapest offer; 2024-01 = 1)", ["industry_price_index"], 1.0,
     "index (log scale)", True),
    ("Chip vendor's revenue", ["industry_chip_vendor_revenue_usd"], 1e-9,
     "USD billion a month", False),
    ("Chip vendor's gross margin", ["industry_chip_vendor_margin"], 100.0,
     "% of its revenue", False),
    ("Power for AI: used (solid) against available (dotted)",
     ["industry_power_used_gw", "industry_power_available_gw"], 1.0, "GW", False),
    ("Other clouds' revenue (Oracle, CoreWeave and the rest)",
     ["industry_other_clouds_revenue_usd"], 1e-9, "USD billion a month", False)]


def fig_markets(s: Sweep):
    """The markets of issue #17 over time, a line per scenario (median across seeds), a panel
    per market; and the medians drawn."""
    have = [panel for panel in MARKET_PANELS if set(panel[1]) <= set(s.industry.columns)]
    cols = [c for panel in have for c in panel[1]]
    med = s.industry.groupby(["scenario", "month"], observed=True)[cols].median()
    fig, axes = plt.subplots(2, 3, figsize=(16, 10), layout="constrained")
    for ax in axes.flat[len(have):]:
        ax.remove()
    for ax, (title, pcols, scale, ylabel, log) in zip(axes.flat, have):
        for i, scen in enumerate(s.scenarios):
            m = med.loc[scen]
            for col, ls in zip(pcols, ("-", ":")):
                ax.plot(s.dates.loc[m.index], m[col] * scale, lw=1.6 if ls == "-" else 1.2,
                        color=plt.get_cmap("tab10")(i % 10),
                        ls=["-", "--", "-.", (0, (5, 1, 1, 1))][i // 10 % 4] if ls == "-"
                        else ls, label=scen if ls == "-" else None)
        if log:
            ax.set_yscale("log")
        ax.set(title=title, ylabel=ylabel)
        date_axis(ax, s.dates)
    legend(fig, list(axes.flat[:len(have)]), min(len(s.scenarios), 4), title="scenario",
           fontsize=8)
    suptitle(fig, "The markets (issue 17): models' price, the chip vendor, power and the other "
                  "clouds; median across seeds, a line per scenario", 12)
    return fig, med.reset_index()
