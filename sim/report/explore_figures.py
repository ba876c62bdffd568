"""The exploration report's figures: sensitivity bars per outcome with their intervals, PRIM's
coverage-density trade-off, and each group's chance to win with Wilson intervals. Each
function returns its matplotlib figure; explore_page saves them."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from ..plots import color  # noqa: F401,I001 (first: it sets matplotlib's Agg backend)
import matplotlib.pyplot as plt  # noqa: E402

from .draw import suptitle
from .explore_stats import Exploration, Found

INDEX_STYLE = {"mu_star": ("#1f4e79", "Morris mu* (mean absolute effect)"),
               "ST": ("#1f4e79", "Sobol ST (total, with interactions)"),
               "S1": ("#9dc3e6", "Sobol S1 (alone)"),
               "S1_rbd": ("#1f4e79", "RBD-FAST S1 (alone)")}
GROUP_COLOURS = {"independent lab": "#c0504d", "hyperscaler-owned (in-house) lab": "#1f4e79",
                 "in-house lab": "#1f4e79", "hyperscaler-owned": "#00a4ef",
                 "open-weights lab": "#70ad47", "lab founded in the run": "#17becf",
                 "none (the lead is contested)": "#aaaaaa", "none": "#aaaaaa",
                 "clouds": "#1f4e79", "labs' own shareholders": "#c0504d",
                 "investors": "#2e8b57", "chip vendors": "#7f7f7f",
                 "labs capture more": "#c0504d"}
WRAP = 34  # characters a line of a parameter's name


def fig_sensitivity(x: Exploration, tables: dict[str, pd.DataFrame], what: dict[str, str]):
    """One panel per outcome: its top parameters' indices as bars with 95 % intervals."""
    names = [o for o, t in tables.items() if len(t)]
    ncols = 2 if len(names) > 1 else 1
    nrows = math.ceil(len(names) / ncols)
    per = max(len(tables[o].parameter.unique()) for o in names)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, layout="constrained",
                             figsize=(7.6 * ncols, (0.42 * per + 1.3) * nrows + 1.2))
    for ax in axes.flat[len(names):]:
        ax.remove()
    for ax, o in zip(axes.flat, names):
        t = tables[o]
        params = list(dict.fromkeys(t.parameter))
        labels = list(dict.fromkeys(t.label))
        indices = list(dict.fromkeys(t["index"]))
        h = 0.8 / len(indices)
        for j, index in enumerate(indices):
            r = t[t["index"] == index].set_index("parameter").loc[params]
            pos = np.arange(len(params)) - 0.4 + h * (j + 0.5)
            colour, name = INDEX_STYLE[index]
            ax.barh(pos, r.value, height=h, color=colour, label=name)
            have = r.ci_low.notna().to_numpy()
            ax.errorbar(r.value[have], pos[have], xerr=[(r.value - r.ci_low)[have].clip(lower=0),
                                                        (r.ci_high - r.value)[have].clip(lower=0)],
                        fmt="none", ecolor="#222222", elinewidth=0.8, capsize=2)
        ax.set_yticks(np.arange(len(params)),
                      [textwrap.fill(s, WRAP, break_long_words=False) for s in labels],
                      fontsize=8)
        ax.set_ylim(len(params) - 0.5, -0.5)
        ax.axvline(0, color="#888888", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(textwrap.fill(f"{o}: {what[o]}", 70), fontsize=9)
    handles = {}
    for ax in axes.flat[:len(names)]:
        for hd, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, hd)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center",
               ncol=len(handles), title="index, with its 95 % bootstrap interval")
    suptitle(fig, f"What matters most for each headline outcome ({x.method}, {len(x.ok)} runs "
                  f"over {len(x.keys)} uncertainties): the top {per} of each")
    return fig


def fig_tradeoff(found: list[Found]):
    """PRIM's peeling trajectory per outcome: coverage against density, coloured by the
    number of restricted uncertainties; the chosen box starred; the base rate dotted."""
    found = [f for f in found if f.steps]
    fig, axes = plt.subplots(1, max(len(found), 1), squeeze=False, layout="constrained",
                             figsize=(5.2 * max(len(found), 1) + 0.8, 4.6))
    last = None
    for ax, f in zip(axes[0], found):
        cov = [b.coverage for b in f.steps]
        den = [b.density for b in f.steps]
        n = [len(b.limits) for b in f.steps]
        ax.plot(cov, den, color="#bbbbbb", lw=0.8, zorder=1)
        last = ax.scatter(cov, den, c=n, cmap="viridis", s=18, zorder=2,
                          vmin=0, vmax=max(max(n), 1))
        if f.box is not None:
            ax.scatter([f.box.coverage], [f.box.density], marker="*", s=220, color="#c0504d",
                       edgecolor="black", zorder=3, label="chosen box")
            right, low = f.box.coverage > 0.6, f.box.density < 0.4  # the side with room
            ax.annotate(f"chosen: {len(f.box.limits)} restriction(s),\n{f.box.n} runs, "
                        f"density {f.box.density:.0%}", (f.box.coverage, f.box.density),
                        textcoords="offset points",
                        xytext=(-12 if right else 12, 14 if low else -30),
                        ha="right" if right else "left", fontsize=8,
                        bbox={"boxstyle": "round", "fc": "white", "ec": "#cccccc"})
        ax.axhline(f.base, color="#888888", ls=":", lw=1, label="rate over all runs")
        ax.set(xlim=(0, 1.02), ylim=(0, 1.02), xlabel="coverage (share of its runs in the box)",
               ylabel="density (share of the box's runs with it)")
        ax.set_title(textwrap.fill(f.words, 48), fontsize=10)
        ax.grid(alpha=0.3)
    if last is not None:
        handles = {lab: h for ax in axes[0] for h, lab in zip(*ax.get_legend_handles_labels())}
        fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=2,
                   fontsize=9)
        bar = fig.colorbar(last, ax=list(axes[0]), label="uncertainties restricted", shrink=0.8)
        bar.ax.yaxis.get_major_locator().set_params(integer=True)
    suptitle(fig, "Scenario discovery: PRIM's coverage-density trade-off, one point per "
                  "peeling step")
    return fig


def fig_chances(t: pd.DataFrame):
    """Each group's chance to win over the design, a panel per measure, Wilson intervals."""
    measures = list(dict.fromkeys(t.measure))
    sizes = [int((t.measure == m).sum()) for m in measures]
    fig, axes = plt.subplots(len(measures), 1, sharex=True, squeeze=False, layout="constrained",
                             figsize=(9, 1.2 + sum(0.42 * s + 0.7 for s in sizes)),
                             height_ratios=[s + 1.2 for s in sizes])
    for ax, m in zip(axes[:, 0], measures):
        r = t[t.measure == m].reset_index(drop=True)
        pos = np.arange(len(r))
        ax.barh(pos, r.p * 100, color=[GROUP_COLOURS.get(g, "#888888") for g in r.group],
                height=0.7)
        ax.errorbar(r.p * 100, pos, xerr=[(r.p - r.lo) * 100, (r.hi - r.p) * 100], fmt="none",
                    ecolor="#222222", elinewidth=0.8, capsize=2)
        for i, row in r.iterrows():  # the share beside its bar, or inside a long one
            inside = row.hi > 0.8
            ax.text(row.lo * 100 - 1.5 if inside else row.hi * 100 + 1.5, i,
                    f"{row.p:.0%} ({row.k}/{row.n})", va="center", fontsize=8,
                    ha="right" if inside else "left", color="white" if inside else "black")
        ax.set_yticks(pos, r.group, fontsize=9)
        ax.set(xlim=(0, 100), ylim=(len(r) - 0.5, -0.5))
        ax.set_title(m, fontsize=10, loc="left")
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("share of the exploration's runs (%), with 95 % Wilson intervals")
    suptitle(fig, "Who wins over the whole uncertainty space")
    return fig
