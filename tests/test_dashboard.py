"""The dashboard (issue #6): sliders from the scenario's config within each parameter's range,
the page's numbers equal the command line's, a headless render finds every slider and steps
the model, and `aisim dashboard` rejects bad input with one line."""

import os
import socket
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

solara = pytest.importorskip("solara")
import ipyvuetify as v  # noqa: E402
import ipywidgets as widgets  # noqa: E402
import mesa  # noqa: E402

import sim  # noqa: E402
from sim import cli  # noqa: E402
from sim.config import load_config, to_params  # noqa: E402
from sim.dashboard import app, main, parse  # noqa: E402
from sim.params import ConfigError, allowed  # noqa: E402

# Sliders and values away from every default, and the `aisim` overrides that say the same.
SETTINGS = {"doubling_months": 9.0, "lab_pull": 1.2, "us_capital_pool_usd_bn": 25.0,
            "sovereign_fail_prob": 0.55, "inhouse_push": 0.05, "n_customers": 3000}
OVERRIDES = ["compute.doubling_months=9", "talent.lab_pull=1.2",
             "finance.us_capital_pool_usd_per_year=25e9", "finance.sovereign_fail_prob=0.55",
             "strategy.inhouse_push=0.05", "demand.n_customers=3000"]
PLOTS = (app.CapabilityPlot, app.RevenueSharePlot, app.CashPlot, app.HHIPlot, app.LeaderPlot)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():  # Mesa 3.3.1's SolaraViz breaks solara's hook rules
        warnings.simplefilter("ignore", UserWarning)
        yield


def test_issue_sliders_map_to_real_keys():
    keys = {k.key for k in app.KNOBS.values()}
    assert keys == {"compute.doubling_months", "talent.lab_pull",
                    "finance.us_capital_pool_usd_per_year", "finance.sovereign_fail_prob",
                    "strategy.inhouse_push", "demand.n_customers"}
    # Every knob is a keyword of the model SolaraViz rebuilds on Reset.
    assert set(app.model_params("baseline")) == {"scenario", "seed", *app.KNOBS}


@pytest.mark.parametrize("scenario", app.SCENARIOS)
def test_sliders_start_at_the_scenarios_values_within_each_parameters_range(scenario):
    cfg = load_config(scenario)
    for name, knob in app.KNOBS.items():
        s = app.slider(name, scenario)
        section, key = knob.key.split(".")
        assert s["value"] * knob.scale == cfg[section][key]
        # Every value the slider can give is one the parameter accepts.
        assert s["min"] * knob.scale in allowed(knob.key)
        assert s["max"] * knob.scale in allowed(knob.key)
        assert s["min"] <= s["value"] <= s["max"]
        assert s["type"] == ("SliderInt" if isinstance(cfg[section][key], int) else "SliderFloat")


def test_scenarios_that_change_a_slider_move_its_default():
    assert app.slider("doubling_months", "compute_boom")["value"] == 4.0
    assert app.slider("doubling_months", "compute_slowdown")["value"] == 12.0
    assert app.slider("us_capital_pool_usd_bn", "capital_crunch")["value"] == 10.0
    assert app.slider("sovereign_fail_prob", "capital_crunch")["value"] == 0.7
    assert app.slider("lab_pull", "talent_edge")["value"] == 2.0
    assert app.slider("inhouse_push", "bigtech_inhouse")["value"] == 0.1


@pytest.mark.parametrize(("text", "seed"), [("43", 43), (" 7 ", 7), (5, 5), ("0", 0)])
def test_the_seed_field_is_cast_before_seeding(text, seed):
    assert app.cast_seed(text) == seed


@pytest.mark.parametrize("text", ["abc", "1.5", "-1", "", str(2**31)])
def test_a_bad_seed_names_the_allowed_values(text):
    with pytest.raises(ConfigError, match="seed=.*whole number from 0 to 2147483647"):
        app.cast_seed(text)


def test_dashboard_model_equals_simulate_for_scenario_sliders_and_seed():
    model = app.DashboardModel(scenario="capital_crunch", seed="7", **SETTINGS)
    expected_params = to_params(load_config("capital_crunch", OVERRIDES))
    assert model.p == expected_params
    model.run()
    firms, industry = model.recorder.frames()
    expected = sim.simulate(load_config("capital_crunch", OVERRIDES), seed=7)
    pd.testing.assert_frame_equal(firms, expected.firms)
    pd.testing.assert_frame_equal(industry, expected.industry)
    # A string seed is not the same run as its int, so the cast matters:
    other = sim.simulate(expected_params, seed=8)
    assert not firms.equals(other.firms)


def test_untouched_sliders_give_the_scenario_itself():
    model = app.DashboardModel(scenario="compute_boom")
    assert model.p == to_params(load_config("compute_boom"))


def test_a_plot_is_drawn_over_its_frame_and_changes_each_month():
    model = app.DashboardModel(n_customers=2000)
    plots = [cls(model) for cls in PLOTS]
    before = [p.png(model) for p in plots]
    for _ in range(14):
        model.step()
    after = [p.png(model) for p in plots]
    assert all(a.startswith(b"\x89PNG") for a in after)
    assert all(a != b for a, b in zip(after, before))
    # Blitting draws the same picture as a plot drawn from scratch for this month.
    assert after == [cls(model).png(model) for cls in PLOTS]


def test_cash_and_capability_axes_grow_to_fit_the_data():
    model = app.DashboardModel(scenario="compute_boom", n_customers=1000)
    cap, cash = app.CapabilityPlot(model), app.CashPlot(model)
    model.run()
    cap.png(model), cash.png(model)
    values = model.recorder.firm["capability"][:, [lab.index for lab in model.labs]]
    lo, hi = cap.ax.get_ylim()
    assert lo <= np.nanmin(values) and np.nanmax(values) <= hi
    f, idx = model.recorder.firm, list(cash.lines)
    money = np.clip(f["cash_usd"][:, idx], 1e6, None) / 1e9
    # What is drawn: a lab's months alive and not owned by a hyperscaler.
    money = money[(f["alive"][:, idx] > 0) & (model.recorder.kind[:, idx] != "inhouse_lab")]
    lo, hi = cash.ax.get_ylim()
    assert lo <= money.min() and money.max() <= hi


# ------------------------------------------------------------------ headless page
def render():
    """The page as `solara run` shows it: inside the module's Layout, an AppLayout, which
    holds the sidebar."""
    _, rc = solara.render(app.Layout(children=[app.Page()]), handle_error=False)
    return rc


def images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(widgets.Image).widgets]


def text(rc) -> str:
    """Every text on the page, HTML included."""
    return " ".join(str(w.children) for kind in (v.Html, v.Alert) for w in rc.find(kind).widgets)


def test_headless_page_has_every_slider_and_steps_the_model():
    rc = render()
    for name, knob in app.KNOBS.items():
        widget = rc.find(v.Slider, label=knob.label).widget
        spec = app.slider(name, "baseline")
        assert (widget.v_model, widget.min, widget.max, widget.step) == (
            spec["value"], spec["min"], spec["max"], spec["step"])
    assert rc.find(v.TextField, label="Seed (whole number)").widget.v_model == "0"
    assert rc.find(v.Select, label="Scenario").widget.items == app.SCENARIOS
    assert len(images(rc)) == len(PLOTS)
    start = images(rc)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):
        step.click()
    assert "Step: 3" in text(rc)
    shown = images(rc)
    assert all(a != b for a, b in zip(shown, start))
    # The page shows the CLI's numbers: the baseline, seed 0, after three months.
    expected = sim.simulate(load_config("baseline"), seed=0).industry.iloc[2]
    assert (f"<b>2024-03</b> · frontier leader <b>{expected.leader}</b> · "
            f"frontier capability {expected.frontier_capability:.2f} · "
            f"HHI by revenue {expected.hhi_revenue:,.0f}") in text(rc)


@pytest.mark.slow
def test_headless_sliders_and_seed_take_effect_on_reset():
    rc = render()
    models = len(mesa.Agent._ids)
    step = rc.find(v.Btn, children=["Step"]).widget
    step.click(), step.click()
    default = images(rc)
    for name, value in SETTINGS.items():
        rc.find(v.Slider, label=app.KNOBS[name].label).widget.v_model = value
    seed = rc.find(v.TextField, label="Seed (whole number)").widget
    seed.v_model = "7"
    seed.fire_event("keyup.enter", None)  # a text field delivers its value on Enter
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert "Step: 0" in text(rc)
    assert len(mesa.Agent._ids) == models, "the replaced model left Mesa's registry"
    assert ("Running baseline, seed 7: compute doubles every 9 months, labs' pull on talent "
            "1.2, US capital $25bn a year, 55% of sovereign deals fail, in-house push +0.05, "
            "3,000 customers") in text(rc)
    step.click(), step.click()
    shown = images(rc)
    assert shown != default
    # The plots are those of the model the command line would run with these values.
    model = app.DashboardModel(seed=7, **SETTINGS)
    model.step(), model.step()
    assert shown == [cls(model).png(model) for cls in PLOTS]


@pytest.mark.slow
def test_headless_scenario_selector_loads_the_scenario_and_its_slider_values():
    rc = render()
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Select, label="Scenario").widget.v_model = "capital_crunch"
    assert "Step: 0" in text(rc)
    label = app.KNOBS["us_capital_pool_usd_bn"].label
    assert rc.find(v.Slider, label=label).widget.v_model == 10.0
    assert rc.find(v.Slider, label=app.KNOBS["sovereign_fail_prob"].label).widget.v_model == 0.7
    for _ in range(2):
        rc.find(v.Btn, children=["Step"]).widget.click()
    model = app.DashboardModel(scenario="capital_crunch")
    model.step(), model.step()
    assert images(rc) == [cls(model).png(model) for cls in PLOTS]


def test_headless_bad_seed_is_one_message_and_the_page_comes_back():
    rc = render()
    seed = rc.find(v.TextField, label="Seed (whole number)").widget
    seed.v_model = "abc"
    seed.fire_event("keyup.enter", None)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert ("Could not build the model: seed='abc': expected a whole number from 0 to "
            "2147483647") in text(rc)
    assert not rc.find(v.Btn, children=["Step"]).widgets
    rc.find(v.Btn, children=["Back to the dashboard"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "Step: 1" in text(rc)


# ------------------------------------------------------------------ the command
def test_dashboard_is_a_verb():
    assert "dashboard" in cli.VERBS
    assert "dashboard" in cli.usage()


def test_defaults_bind_to_localhost():
    args = parse([])
    assert (args.host, args.port, args.open) == ("127.0.0.1", 8765, True)
    assert parse(["--port", "9000", "--no-open"]).port == 9000


@pytest.mark.parametrize("port", ["abc", "0", "65536", "-5", "80.5"])
def test_a_bad_port_is_one_line_and_a_failure(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["dashboard", "--port", port])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "expected a whole number from 1 to 65535" in err


def test_a_busy_port_is_one_line_and_a_failure(capsys):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert main(["--port", str(port), "--no-open"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"cannot listen on 127.0.0.1:{port}" in err


def test_telemetry_is_off():
    assert os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert solara.server.settings.telemetry.mixpanel_enable is False
    assert solara.checks.should_perform_solara_check() is False  # no install check either


@pytest.mark.slow
def test_dashboard_numbers_equal_the_cli_run(tmp_path):
    """`aisim scenario=S KEYS seed=N` writes the same tables the dashboard's model records."""
    subprocess.run([sys.executable, "-m", "sim", "scenario=capital_crunch", "seed=7",
                    *OVERRIDES, f"hydra.run.dir={tmp_path}"], check=True, capture_output=True)
    model = app.DashboardModel(scenario="capital_crunch", seed="7", **SETTINGS)
    model.run()
    firms, industry = model.recorder.frames()
    cli_firms = pd.read_parquet(tmp_path / "firms.parquet")
    assert set(cli_firms.seed) == {7}
    pd.testing.assert_frame_equal(firms, cli_firms[firms.columns], check_dtype=False)
    cli_industry = pd.read_parquet(tmp_path / "industry.parquet")
    pd.testing.assert_frame_equal(industry, cli_industry[industry.columns], check_dtype=False)
