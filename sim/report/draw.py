"""What the report's figures share: panel grids (one panel per scenario), date axes,
median-and-band lines, rate bars with Wilson intervals, one legend per figure, firm colours
and order, and saving a figure as PNG and SVG."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..plots import color  # noqa: I001 (first: it sets matplotlib's Agg backend)
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from .load import Sweep
from .stats import ENTRANT, points

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


def firm_colour(firm: str):
    return ENTRANT_COLOR if firm == ENTRANT else color(firm)


def firm_order(s: Sweep, firms) -> list[str]:
    """The 2024 roster in its usual order, then the entrants' group."""
    order = [f for f in s.labs.firm.cat.categories if not str(f).startswith("Entrant ")]
    return [f for f in [*order, ENTRANT] if f in set(firms)]


def point_lines(fig, axes, s: Sweep, cols, titles, ylabel: str, ylim=None) -> None:
    """Mean across seeds of industry columns over time, a line per scenario and swept point
    (so a sweep is not averaged away), one panel per column, legend below."""
    group = s.industry.run.map(points(s))
    # In the scenarios' order (as every other figure), then the swept values.
    rank = {scen: i for i, scen in enumerate(s.scenarios)}
    labels = sorted(group.unique(), key=lambda g: (
        rank.get(g, rank.get(g.split(", ")[0], len(rank))), g))
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


def save(fig, out: Path, name: str) -> Path:
    png = out / f"{name}.png"
    fig.savefig(png, dpi=100)
    fig.set_layout_engine("none")  # keep the layout just made: the SVG gets the same one
    fig.savefig(out / f"{name}.svg")
    plt.close(fig)
    return png
