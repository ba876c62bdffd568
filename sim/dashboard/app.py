"""The dashboard page: one scenario, sliders for its main parameters, live plots (Mesa SolaraViz).

`aisim dashboard` serves it; `solara run sim.dashboard.app` does too. The model is
`DashboardModel`, the simulation model built the way `aisim scenario=NAME KEY=VALUE seed=S`
builds it, so the page and the command line give the same numbers.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
from dataclasses import dataclass

import numpy as np
import solara
import solara.server.settings
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from omegaconf import OmegaConf

from ..config import CONFIG_DIR, RunConfig, load_config
from ..model import AIIndustry
from ..params import ConfigError
from ..plots import color
from ..recorder import START
from ..simulate import to_params

# The package's __init__ set SOLARA_TELEMETRY_MIXPANEL_ENABLE before solara was imported,
# unless `solara run` imported it first: switch telemetry off here too (the server sends its
# start event only after it has loaded this module).
solara.server.settings.telemetry.mixpanel_enable = False

SCENARIOS = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))
START_YEAR = int(START[:4])


@dataclass(frozen=True)
class Knob:
    """A slider: the config key it sets, and its span in slider units (config value / scale)."""

    key: str
    label: str
    lo: float
    hi: float
    step: float
    scale: float = 1.0  # config units per slider unit (USD per USD billion)


# Model keyword -> slider. Spans are the useful part of each parameter's allowed range
# (sim/params.py); `slider()` widens them to a scenario's value and checks them against it.
KNOBS = {
    "doubling_months": Knob("compute.doubling_months", "Compute doubling time (months)",
                            1.0, 36.0, 0.5),
    "lab_pull": Knob("talent.lab_pull", "Talent edge: labs' pull on researchers",
                     -2.0, 4.0, 0.1),
    "us_capital_pool_usd_bn": Knob("finance.us_capital_pool_usd_per_year",
                                   "US capital pool (USD bn a year)", 0.0, 200.0, 1.0, 1e9),
    "sovereign_fail_prob": Knob("finance.sovereign_fail_prob",
                                "Sovereign friction: chance a deal fails", 0.0, 1.0, 0.05),
    "inhouse_push": Knob("strategy.inhouse_push", "In-house push (make weight per review)",
                         -0.2, 0.5, 0.01),
    "n_customers": Knob("demand.n_customers", "Customers", 1000, 50_000, 1000),
}


def param_range(key: str) -> tuple[float | None, float | None, bool]:
    """(lo, hi, lo_open) of a parameter from its field metadata in sim/params.py."""
    obj = RunConfig
    for part in key.split("."):
        f = {f.name: f for f in dataclasses.fields(obj)}[part]
        obj = f.default_factory if f.default_factory is not dataclasses.MISSING else None
    return f.metadata["range"]


_HYDRA = threading.Lock()  # load_config uses Hydra's process-wide state; sessions share it


@functools.lru_cache(maxsize=None)
def _scenario(name: str) -> dict:
    with _HYDRA:
        return OmegaConf.to_container(load_config(name), resolve=True)


def scenario_config(name: str) -> dict:
    """The composed config of `aisim scenario=NAME` as a nested dict (a private copy)."""
    return copy.deepcopy(_scenario(name))


def _get(cfg: dict, key: str):
    for part in key.split("."):
        cfg = cfg[part]
    return cfg


def slider(name: str, scenario: str) -> dict:
    """SolaraViz's description of a slider, valued at the scenario's setting."""
    knob = KNOBS[name]
    value = _get(scenario_config(scenario), knob.key) / knob.scale
    lo, hi = min(knob.lo, value), max(knob.hi, value)
    plo, phi, lo_open = param_range(knob.key)
    # A slider can only give values the parameter accepts.
    assert (lo > plo if lo_open else lo >= plo) and hi * knob.scale <= phi, knob
    kind = "SliderInt" if isinstance(knob.step, int) else "SliderFloat"
    number = int if kind == "SliderInt" else float
    return {"type": kind, "label": knob.label, "value": number(value), "min": number(lo),
            "max": number(hi), "step": knob.step}


def model_params(scenario: str) -> dict:
    """SolaraViz's `model_params`: the scenario (fixed here; the selector above sets it),
    the sliders at its values, and the seed."""
    return {"scenario": scenario, **{name: slider(name, scenario) for name in KNOBS},
            "seed": {"type": "InputText", "label": "Seed (whole number)", "value": "0"}}


def cast_seed(seed) -> int:
    """The seed as an int: a text field delivers "43", and Model(seed="43") draws other
    numbers than Model(seed=43)."""
    lo, hi, _ = param_range("seed")
    try:
        value = int(str(seed).strip())
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise ConfigError(f"seed={seed!r}: expected a whole number from {lo} to {hi}")
    return value


class DashboardModel(AIIndustry):
    """The simulation model from a scenario, slider values (None: the scenario's) and a seed:
    what `aisim scenario=S KEY=VALUE ... seed=N` runs. SolaraViz rebuilds it from these
    keywords on Reset."""

    def __init__(self, scenario: str = "baseline", doubling_months=None, lab_pull=None,
                 us_capital_pool_usd_bn=None, sovereign_fail_prob=None, inhouse_push=None,
                 n_customers=None, seed=0):
        cfg = scenario_config(scenario)
        values = dict(doubling_months=doubling_months, lab_pull=lab_pull,
                      us_capital_pool_usd_bn=us_capital_pool_usd_bn,
                      sovereign_fail_prob=sovereign_fail_prob, inhouse_push=inhouse_push,
                      n_customers=n_customers)
        for name, value in values.items():
            if value is not None:
                section, key = KNOBS[name].key.split(".")
                scale = KNOBS[name].scale
                cfg[section][key] = value * scale if scale != 1 else value  # ints stay ints
        super().__init__(to_params(cfg), seed=cast_seed(seed))


# ---------------------------------------------------------------------------- plots
# Small figures drawn from the recorder's arrays (no pandas): one step + all plots stays far
# below a second (benchmarks/bench_dashboard.py).
FIGSIZE, DPI = (5.6, 3.3), 80


def _axes(title: str, ylabel: str):
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    return fig, ax


def _months(model: AIIndustry) -> tuple[int, np.ndarray]:
    """Months recorded so far, and their x positions (years)."""
    t = model.month
    return t, START_YEAR + np.arange(t) / 12


def _finish(fig, ax, model: AIIndustry, legend: bool = True):
    ax.set_xlim(START_YEAR, START_YEAR + model.p.horizon_months / 12)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, ncol=2, loc="upper left")
    return solara.FigureMatplotlib(fig, format="png")


def CapabilityPlot(model: AIIndustry):
    t, x = _months(model)
    fig, ax = _axes("Capability of each lab's best released model", "log10 effective FLOP")
    cap, alive = model.recorder.firm["capability"], model.recorder.firm["alive"]
    for lab in model.labs:
        i = lab.index
        ax.plot(x, np.where(alive[:t, i] > 0, cap[:t, i], np.nan), label=lab.name,
                color=color(lab.name))
    return _finish(fig, ax, model)


def RevenueSharePlot(model: AIIndustry):
    t, x = _months(model)
    fig, ax = _axes("Share of customers' spending on models", "%")
    labs = model.labs
    share = model.recorder.firm["market_share"][:t, [lab.index for lab in labs]].T * 100
    ax.stackplot(x, share, labels=[lab.name for lab in labs],
                 colors=[color(lab.name) for lab in labs], alpha=0.9)
    ax.set_ylim(0, 100)
    return _finish(fig, ax, model)


def CashPlot(model: AIIndustry):
    t, x = _months(model)
    fig, ax = _axes("Cash (in-house labs are funded by their owner)", "USD billion")
    cash = model.recorder.firm["cash_usd"]
    for firm in model.firms:
        if firm.kind != "inhouse_lab":  # no cash of its own
            ax.plot(x, np.clip(cash[:t, firm.index], 1e6, None) / 1e9, label=firm.name,
                    color=color(firm.name))
    ax.set_yscale("log")
    return _finish(fig, ax, model)


def HHIPlot(model: AIIndustry):
    t, x = _months(model)
    fig, ax = _axes("Concentration of the model market (HHI)", "HHI (0-10,000)")
    ind = model.recorder.industry
    ax.plot(x, ind["hhi_revenue"][:t], label="by model revenue", color="#444444")
    ax.plot(x, ind["hhi_ownership"][:t], label="by ownership (partners consolidated)",
            color="#c00000")
    ax.axhline(1800, ls="--", color="#999999", lw=1)
    ax.set_ylim(0, 10_000)
    return _finish(fig, ax, model)


def LeaderPlot(model: AIIndustry):
    """Who holds the frontier, month by month: one bar per spell of leadership."""
    t, _ = _months(model)
    names = [lab.name for lab in model.labs]
    leaders = model.recorder.leader[:t]
    now = f"{leaders[-1] or 'none'} ({status(model)['date']})" if t else "press Step or ▶"
    fig, ax = _axes(f"Frontier leader: {now}", "")
    start = 0
    for m in range(1, t + 1):
        if m == t or leaders[m] != leaders[start]:
            if leaders[start]:
                ax.broken_barh([(START_YEAR + start / 12, (m - start) / 12)],
                               (names.index(leaders[start]) - 0.4, 0.8),
                               color=color(leaders[start]))
            start = m
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)
    return _finish(fig, ax, model, legend=False)


def status(model: AIIndustry) -> dict:
    """The latest month's headline numbers (None before the first step)."""
    t = model.month - 1
    if t < 0:
        return {"date": START[:7]}
    ind = model.recorder.industry
    return {"date": f"{START_YEAR + t // 12}-{t % 12 + 1:02d}",
            "leader": model.recorder.leader[t] or "none",
            "frontier_capability": float(ind["frontier_capability"][t]),
            "hhi_revenue": float(ind["hhi_revenue"][t]),
            "labs_alive": int(ind["labs_alive"][t])}


def status_text(model: AIIndustry) -> str:
    s = status(model)
    if "leader" not in s:
        return f"**{s['date']}**, before the first month: press Step or ▶."
    return (f"**{s['date']}** · frontier leader **{s['leader']}** · frontier capability "
            f"{s['frontier_capability']:.2f} · HHI by revenue {s['hhi_revenue']:,.0f} · "
            f"labs in business {s['labs_alive']}")


def Status(model: AIIndustry):
    return solara.Markdown(status_text(model))


COMPONENTS = [Status, CapabilityPlot, RevenueSharePlot, CashPlot, HHIPlot, LeaderPlot]


@solara.component
def Page():
    """Scenario selector above Mesa's SolaraViz. Choosing a scenario builds its model and
    resets the sliders to its values (the SolaraViz below is rebuilt, keyed by scenario)."""
    scenario, set_scenario = solara.use_state("baseline")
    fresh = solara.use_memo(lambda: DashboardModel(scenario=scenario), [scenario])
    model = solara.use_reactive(fresh)  # follows `fresh`; SolaraViz's Reset replaces it
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Scenario", values=SCENARIOS, value=scenario, on_value=set_scenario)
            solara.Text("Sliders and seed take effect on Reset.")
    SolaraViz(model, components=COMPONENTS, model_params=model_params(scenario),
              name=f"aisim: who wins the AI race? ({scenario})").key(scenario)
