"""Figures of one run. Imported only by the command line and reports: workers that run
simulations never load matplotlib."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

# One fixed colour per firm in every figure (partners near their cloud's hue).
FIRM_COLORS = {
    "Microsoft": "#00a4ef", "Microsoft AI": "#0b5394",
    "Amazon": "#ff9900", "Amazon AGI": "#b45f06",
    "Google": "#34a853", "Google DeepMind": "#1e6b34",
    "OpenAI": "#6f42c1", "Anthropic": "#d4553a", "Meta": "#7f7f7f",
}


def color(firm: str):
    """A firm's colour; labs founded during a run ("Entrant N") cycle through a muted
    palette, so they are told apart but recede behind the 2024 roster."""
    if firm.startswith("Entrant "):
        number = int(firm.split()[-1]) if firm.split()[-1].isdigit() else 0
        return plt.get_cmap("tab20b")((number * 3) % 20)
    return FIRM_COLORS.get(firm, "#333333")


def overview(result, path) -> None:
    """Four panels: capability per lab, revenue share per lab, cash per firm, concentration."""
    firms, ind = result.firms, result.industry
    labs = firms[firms.kind != "hyperscaler"]
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), constrained_layout=True)
    ax = axes[0, 0]
    for name, g in labs.groupby("firm", sort=False):
        ax.plot(g.date, g.capability.where(g.alive), label=name, color=color(name))
    ax.set(title="Capability of the best released model",
           ylabel="capability (log10 effective training FLOP)")
    ax.legend(fontsize=8, ncol=2)
    ax = axes[0, 1]
    share = labs.pivot(index="date", columns="firm", values="market_share")
    share = share[[c for c in labs.firm.unique()]]
    ax.stackplot(share.index, share.T.to_numpy() * 100, labels=share.columns,
                 colors=[color(c) for c in share.columns], alpha=0.9)
    ax.set(title="Share of customers' spending on models", ylabel="%", ylim=(0, 100))
    ax.legend(fontsize=8, ncol=2, loc="lower left")
    ax = axes[1, 0]
    for name, g in firms.groupby("firm", sort=False):
        if g.kind.iloc[0] == "inhouse_lab":
            continue  # funded month by month by its owner: no cash of its own
        # A closed lab's line ends; an acquired one's cash is its owner's from then on.
        cash = g.cash_usd.where(g.alive & (g.kind != "inhouse_lab")).clip(lower=1e6)
        ax.plot(g.date, cash / 1e9, label=name, color=color(name))
    ax.set(title="Cash (in-house labs are funded by their owner)", ylabel="USD billion",
           yscale="log")
    ax.legend(fontsize=8, ncol=2)
    ax = axes[1, 1]
    ax.plot(ind.date, ind.hhi_revenue, label="HHI by model revenue", color="#444444")
    ax.plot(ind.date, ind.hhi_ownership, label="HHI by ownership (partners consolidated)",
            color="#c00000")
    ax.axhline(1800, ls="--", color="#999999", lw=1)
    ax.text(ind.date.iloc[0], 1850, "highly concentrated (1,800)", fontsize=8, color="#666666")
    ax.set(title="Concentration of the model market", ylabel="HHI (0-10,000)",
           ylim=(0, 10_000))
    ax.legend(fontsize=8, loc="upper right")
    for ax in axes.flat:
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.grid(alpha=0.3)
    s = result.summary
    policies = (f" (policies: labs {s['policy_lab']}, hyperscalers {s['policy_hyperscaler']})"
                if "policy_lab" in s else "")
    fig.suptitle(f"aisim - scenario {s['scenario']}{policies}, seed {s['seed']}: frontier "
                 f"leader at the horizon {s['winner_capability']} "
                 f"({s['leader_kind'].replace('_', ' ')})", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
