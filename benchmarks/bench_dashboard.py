"""Benchmark of the dashboard's cost per Step (not a test: nothing here fails on timing).

Run:  python benchmarks/bench_dashboard.py [--steps N] [--customers N]

Times are CPU milliseconds (time.process_time(), so other load on a shared machine matters
less than in wall time), medians over N months after one warm-up step. The page is rendered
headless (solara.render, as in tests/test_dashboard.py) and its Step button clicked: that
is what a click costs the server, everything but sending ~80 KB of PNG over the local socket.

What it prints:
1. MODEL: one `model.step()` (a month of the simulation) alone.
2. PLOTS: the five plots of a month as the dashboard draws them (frame drawn once, data
   drawn onto it: blitting), and the same five drawn as fresh matplotlib figures each month
   (the naive way, the reference) - their ratio is what blitting saves.
3. CLICK: Step clicked on the rendered page: model step + plots + Solara's re-render of the
   page (SolaraViz re-renders the page once per plot) - the number to keep well under 1000 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import warnings


def cpu_ms(fn) -> float:
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1000


def fresh_png(plot_cls, model) -> bytes:
    """The reference: a new figure with everything drawn, saved as PNG by matplotlib."""
    plot = plot_cls(model)
    plot.update(model, model.month, 2024 + __import__("numpy").arange(model.month) / 12)
    for artist in plot.artists:
        artist.set_animated(False)
    out = io.BytesIO()
    plot.fig.savefig(out, format="png")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=24, help="months to time (default 24)")
    parser.add_argument("--customers", type=int, default=None,
                        help="demand.n_customers (default: the scenario's, 10,000)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # Mesa's own rules-of-hooks warning
    import ipyvuetify as v
    import solara

    from sim.dashboard import app

    plots = (app.CapabilityPlot, app.RevenueSharePlot, app.CashPlot, app.HHIPlot,
             app.LeaderPlot)
    model = app.DashboardModel(n_customers=args.customers)
    live = [cls(model) for cls in plots]
    model.step()
    for p in live:
        p.png(model)
    step, blit, naive = [], [], []
    for _ in range(args.steps):
        step.append(cpu_ms(model.step))
        blit.append(cpu_ms(lambda: [p.png(model) for p in live]))
        naive.append(cpu_ms(lambda: [fresh_png(cls, model) for cls in plots]))

    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    if args.customers:
        rc.find(v.Slider, label="Customers").widget.v_model = args.customers
        rc.find(v.Btn, children=["Reset"]).widget.click()
    button = rc.find(v.Btn, children=["Step"]).widget
    button.click()
    click = [cpu_ms(button.click) for _ in range(args.steps)]

    med = statistics.median
    print(f"customers {model.p.demand.n_customers:,}, median over {args.steps} months, CPU ms")
    print(f"1. MODEL  one model.step()                       {med(step):7.1f}")
    print(f"2. PLOTS  five plots, blitted (the dashboard)     {med(blit):7.1f}")
    print(f"          five plots, fresh figures (reference)   {med(naive):7.1f}"
          f"   ratio {med(naive) / med(blit):.1f}x")
    print(f"3. CLICK  Step on the rendered page               {med(click):7.1f}"
          f"   ({'well under' if med(click) < 500 else 'NOT well under'} 1 s)")


if __name__ == "__main__":
    main()
