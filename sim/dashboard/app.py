"""The dashboard page: one scenario, sliders for its main parameters, live plots (Mesa SolaraViz).

`aisim dashboard` serves it; `solara run sim.dashboard.app` does too. The model is
`DashboardModel`, the simulation model built the way `aisim scenario=NAME KEY=VALUE seed=S`
builds it, so the page and the command line give the same numbers.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import io
import threading
from dataclasses import dataclass

import numpy as np
import PIL.Image
import reacton.ipywidgets as rw
import solara
import solara.checks
import solara.server.settings
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter
from omegaconf import OmegaConf

from ..config import RunConfig, load_config, options, to_params
from ..model import AIIndustry
from ..params import ConfigError, allowed
from ..plots import color
from ..roster import START_DATE, START_YEAR

# The package's __init__ set SOLARA_TELEMETRY_MIXPANEL_ENABLE before solara was imported,
# unless `solara run` imported it first: switch telemetry off here too (the server sends its
# start event only after it has loaded this module).
solara.server.settings.telemetry.mixpanel_enable = False
# In development mode (plain `solara run`) the page would also load solara.dev's "success"
# page once per machine, an install check that phones home: off as well.
solara.checks.should_perform_solara_check = lambda: False

SCENARIOS = options("scenario")


@dataclass(frozen=True)
class Knob:
    """A slider: the config key it sets, and its span in slider units (config value / scale)."""

    key: str
    label: str
    lo: float
    hi: float
    step: float
    shown: str = "{}"  # the value in the status line (sliders show no numbers)
    scale: float = 1.0  # config units per slider unit (USD per USD billion)


# Model keyword -> slider. Spans are the useful part of each parameter's allowed range
# (sim/params.py); `slider()` widens them to a scenario's value and checks them against it.
KNOBS = {
    "doubling_months": Knob("compute.doubling_months", "Compute doubling time (months)",
                            1.0, 36.0, 0.5, "compute doubles every {:g} months"),
    "lab_pull": Knob("talent.lab_pull", "Talent edge: labs' pull on researchers",
                     -2.0, 4.0, 0.1, "labs' pull on talent {:.1f}"),
    "us_capital_pool_usd_bn": Knob("finance.us_capital_pool_usd_per_year",
                                   "US capital pool (USD bn a year)", 0.0, 200.0, 1.0,
                                   "US capital ${:,.0f}bn a year", 1e9),
    "sovereign_fail_prob": Knob("finance.sovereign_fail_prob",
                                "Sovereign friction: chance a deal fails", 0.0, 1.0, 0.05,
                                "{:.0%} of sovereign deals fail"),
    "inhouse_push": Knob("strategy.inhouse_push", "In-house push (make weight per review)",
                         -0.2, 0.5, 0.01, "in-house push {:+.2f}"),
    "n_customers": Knob("demand.n_customers", "Customers", 1000, 50_000, 1000,
                        "{:,} customers"),
}


_HYDRA = threading.Lock()  # load_config uses Hydra's process-wide state; sessions share it


@functools.cache
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
    # A slider can only give values the parameter accepts.
    assert lo * knob.scale in allowed(knob.key) and hi * knob.scale in allowed(knob.key), knob
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
    seeds = allowed("seed", RunConfig)
    try:
        value = int(str(seed).strip())
    except ValueError:
        value = None
    if value is None or value not in seeds:
        raise ConfigError(f"seed={seed!r}: expected a whole number from {seeds.lo} to {seeds.hi}")
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
        self.seed_used = cast_seed(seed)
        super().__init__(to_params(cfg), seed=self.seed_used)

    def settings(self) -> str:
        """What this run is: scenario, seed and the sliders' values."""
        cfg = dataclasses.asdict(self.p)
        shown = [k.shown.format(_get(cfg, k.key) / k.scale if k.scale != 1 else _get(cfg, k.key))
                 for k in KNOBS.values()]
        return f"{self.p.scenario}, seed {self.seed_used}: " + ", ".join(shown)


# ---------------------------------------------------------------------------- plots
# Drawing text (ticks, titles, legends) is most of what a matplotlib figure costs, and it does
# not change from month to month: each plot draws its frame once and then only its data onto
# that background (blitting), redrawing the frame only when the y-range must grow. One step
# plus all plots stays far below a second (benchmarks/bench_dashboard.py).
FIGSIZE, DPI = (5.6, 3.6), 100


class LivePlot:
    """A figure whose frame (axes, ticks, titles, legend) is drawn once and whose data
    artists (animated=True) are drawn onto it for each month recorded."""

    title, ylabel, yscale = "", "", "linear"
    ylim = (0.0, 1.0)  # starting y-limits
    grow = None  # step (log10 units on a log axis) the y-limits grow by to fit the data

    def __init__(self, model: AIIndustry):
        self.fig = Figure(figsize=FIGSIZE, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.12, right=0.76, top=0.91, bottom=0.09)
        ax = self.ax = self.fig.subplots()
        ax.set_title(self.title, fontsize=10)
        ax.set_ylabel(self.ylabel, fontsize=9)
        ax.set_yscale(self.yscale)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.set_xlim(START_YEAR, START_YEAR + model.p.horizon_months / 12)
        self.artists = []
        self.setup(model)
        if ax.get_legend_handles_labels()[0]:  # beside the axes: data never hides it
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        self.background = None

    def setup(self, model: AIIndustry) -> None:
        """Create the data artists and legend entries."""

    def update(self, model: AIIndustry, t: int, x: np.ndarray) -> np.ndarray | None:
        """Show the first t months (x: their dates in years); return the values shown."""

    def png(self, model: AIIndustry) -> bytes:
        t = model.month
        shown = self.update(model, t, START_YEAR + np.arange(t) / 12)
        ylim = self.ylim if self.background is None else self.ax.get_ylim()
        if self.grow and shown is not None and np.isfinite(shown).any():
            ylim = _grow(shown[np.isfinite(shown)], ylim, self.grow, self.yscale == "log")
        if self.background is None or ylim != self.ax.get_ylim():
            self.ax.set_ylim(ylim)
            self.canvas.draw()  # the frame: animated artists are left out
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self.background)
        for artist in self.artists:
            self.ax.draw_artist(artist)
        out = io.BytesIO()
        # Fast PNG compression: the default level costs more than drawing the data.
        PIL.Image.frombuffer("RGBA", self.canvas.get_width_height(),
                             self.canvas.buffer_rgba()).save(out, "png", compress_level=1)
        return out.getvalue()

    def line(self, label: str, **kw):
        (line,) = self.ax.plot([], [], label=label, animated=True, **kw)
        self.artists.append(line)
        return line

    def replace(self, artists: list) -> None:
        """New data artists instead of the old ones (stacks and bars are rebuilt)."""
        for artist in self.artists:
            artist.remove()
        self.artists = artists


def _grow(values: np.ndarray, ylim: tuple, step: float, log: bool) -> tuple[float, float]:
    """y-limits on a grid of `step` that cover the values: the current ones while the data
    fits (the frame is redrawn only when they change), else widened with a step to spare."""
    f, inv = (np.log10, lambda v: 10.0**v) if log else (float, float)
    lo, hi, cur = f(values.min()), f(values.max()), (f(ylim[0]), f(ylim[1]))
    if cur[0] <= lo and hi <= cur[1]:
        return ylim
    return (inv(min(cur[0], np.floor(lo / step) * step)),
            inv(max(cur[1], np.ceil(hi / step) * step + step)))


class CapabilityPlot(LivePlot):
    title = "Capability of each lab's best released model"
    ylabel, ylim, grow = "log10 effective FLOP", (24.0, 27.0), 1.0

    def setup(self, model):
        self.lines = {lab.index: self.line(lab.name, color=color(lab.name)) for lab in model.labs}

    def update(self, model, t, x):
        f = model.recorder.firm
        idx = list(self.lines)
        cap = np.where(f["alive"][:t, idx] > 0, f["capability"][:t, idx], np.nan)
        for k, line in enumerate(self.lines.values()):
            line.set_data(x, cap[:, k])
        return cap


class RevenueSharePlot(LivePlot):
    title, ylabel, ylim = "Share of customers' spending on models", "%", (0.0, 100.0)

    def setup(self, model):
        self.labs = list(model.labs)
        for lab in self.labs:  # legend entries; the stack itself is rebuilt each month
            self.ax.fill_between([], [], label=lab.name, color=color(lab.name))

    def update(self, model, t, x):
        share = model.recorder.firm["market_share"][:t, [lab.index for lab in self.labs]]
        self.replace(self.ax.stackplot(x, share.T * 100, colors=[color(lab.name) for lab in self.labs],
                                       alpha=0.9, animated=True) if t else [])


class CashPlot(LivePlot):
    title = "Cash (in-house labs are funded by their owner)"
    ylabel, yscale, ylim, grow = "USD billion", "log", (1.0, 1e3), 1.0

    def setup(self, model):
        self.lines = {f.index: self.line(f.name, color=color(f.name))
                      for f in model.firms if f.kind != "inhouse_lab"}  # no cash of their own

    def update(self, model, t, x):
        f, idx = model.recorder.firm, list(self.lines)
        cash = np.clip(f["cash_usd"][:t, idx], 1e6, None) / 1e9
        # A closed lab's line ends, and an acquired one's (its owner holds its cash).
        own = (f["alive"][:t, idx] > 0) & (model.recorder.kind[:t, idx] != "inhouse_lab")
        cash = np.where(own, cash, np.nan)
        for k, line in enumerate(self.lines.values()):
            line.set_data(x, cash[:, k])
        return cash


class HHIPlot(LivePlot):
    title, ylabel, ylim = "Concentration of the model market (HHI)", "HHI (0-10,000)", (0, 10_000)

    def setup(self, model):
        self.revenue = self.line("by model revenue", color="#444444")
        self.ownership = self.line("by ownership\n(partners\nconsolidated)", color="#c00000")
        self.ax.axhline(1800, ls="--", color="#999999", lw=1)
        self.ax.text(START_YEAR + 0.1, 1900, "highly concentrated (1,800)", fontsize=7,
                     color="#666666")

    def update(self, model, t, x):
        ind = model.recorder.industry
        self.revenue.set_data(x, ind["hhi_revenue"][:t])
        self.ownership.set_data(x, ind["hhi_ownership"][:t])


class LeaderPlot(LivePlot):
    """Who holds the frontier, month by month: one bar per spell of leadership."""

    title = "Frontier leader (best released model on sale)"

    def setup(self, model):
        self.names = [lab.name for lab in model.labs]
        self.ylim = (len(self.names) - 0.5, -0.5)
        self.ax.set_yticks(range(len(self.names)), self.names, fontsize=8)
        self.fig.subplots_adjust(left=0.24, right=0.97)

    def update(self, model, t, x):
        leaders, bars, start = model.recorder.leader[:t], [], 0
        for m in range(1, t + 1):
            if m == t or leaders[m] != leaders[start]:
                if leaders[start]:
                    bars.append(self.ax.broken_barh(
                        [(START_YEAR + start / 12, (m - start) / 12)],
                        (self.names.index(leaders[start]) - 0.4, 0.8),
                        color=color(leaders[start]), animated=True))
                start = m
        self.replace(bars)


def plot_component(cls: type[LivePlot]):
    """A SolaraViz component showing `cls` for the model, redrawn when the model steps."""

    def component(model: AIIndustry):
        plot = solara.use_memo(lambda: cls(model), [model])
        png = solara.use_memo(lambda: plot.png(model), [model, model.month])
        return rw.Image(value=png, format="png", layout={"width": "100%"})  # fill the card

    component.__name__ = cls.__name__
    return component


def status(model: AIIndustry) -> dict:
    """The latest month's headline numbers (None before the first step)."""
    t = model.month - 1
    if t < 0:
        return {"date": START_DATE[:7]}
    ind = model.recorder.industry
    return {"date": f"{START_YEAR + t // 12}-{t % 12 + 1:02d}",
            "leader": model.recorder.leader[t] or "none",
            "frontier_capability": float(ind["frontier_capability"][t]),
            "hhi_revenue": float(ind["hhi_revenue"][t]),
            "labs_alive": int(ind["labs_alive"][t])}


def status_text(model: AIIndustry) -> str:
    s = status(model)
    if "leader" not in s:
        return f"<b>{s['date']}</b>, before the first month: press Step or ▶."
    return (f"<b>{s['date']}</b> · frontier leader <b>{s['leader']}</b> · frontier capability "
            f"{s['frontier_capability']:.2f} · HHI by revenue {s['hhi_revenue']:,.0f} · "
            f"labs in business {s['labs_alive']}")


@solara.component
def Status(model: AIIndustry):
    update_counter.get()  # drawn again whenever SolaraViz steps the model
    # HTML, not solara.Markdown: that loads KaTeX, which solara-assets does not ship (offline).
    text = status_text(model)
    if isinstance(model, DashboardModel):
        text += f"<br><small>Running {model.settings()}</small>"
    solara.HTML(tag="div", unsafe_innerHTML=text, style="padding: 4px 12px")


COMPONENTS = [plot_component(c) for c in (CapabilityPlot, RevenueSharePlot, CashPlot, HHIPlot,
                                          LeaderPlot)]


@solara.component
def Page():
    """Scenario selector and status line around Mesa's SolaraViz. Choosing a scenario builds
    its model and resets the sliders to its values (SolaraViz is rebuilt, keyed by scenario)."""
    scenario, set_scenario = solara.use_state("baseline")
    fresh = solara.use_memo(lambda: DashboardModel(scenario=scenario), [scenario])
    model = solara.use_reactive(fresh)  # follows `fresh`; SolaraViz's Reset replaces it
    params = solara.use_memo(lambda: model_params(scenario), [scenario])
    # A replaced model (Reset, another scenario, page closed) leaves Mesa's id registry
    # (AIIndustry.release): ~0.7 MB each otherwise.
    solara.use_effect(lambda: model.value.release, [model.value])
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Scenario", values=SCENARIOS, value=scenario, on_value=set_scenario)
            solara.Text("Sliders and seed take effect on Reset.")
    Status(model.value)
    SolaraViz(model, components=COMPONENTS, model_params=params,
              name=f"aisim: who wins the AI race? ({scenario})").key(scenario)


@solara.component
def Layout(children=[]):  # noqa: B006 (solara's signature)
    """Solara's AppLayout (`solara run` wraps Page in a module's Layout), with one addition:
    an error while building the model, such as Reset with seed "abc", is one line and a way
    back instead of a traceback page. (The controls sit in AppLayout's sidebar, so the error
    reaches no boundary below this one.)"""
    error, clear_error = solara.use_exception()
    if error is not None:
        with solara.Column(style="padding: 24px"):
            solara.Error(f"Could not build the model: {error}")
            solara.Button("Back to the dashboard", on_click=clear_error, color="primary")
        return
    solara.AppLayout(children=children)
