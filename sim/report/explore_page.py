"""An exploration's page: report() writes to EXPLORE_DIR/report/ each figure as PNG and SVG,
the tables behind them as CSV, and one self-contained report.html (figures embedded as
base64 PNG) whose section "What decides the winner" gives the sensitivity bars per headline
outcome, PRIM boxes in words over every sampled uncertainty, and each group's chance to win
over the whole design. `aisim report EXPLORE_DIR` and the end of `aisim explore` call it."""

from __future__ import annotations

import base64
import datetime
import html
import importlib.metadata
import platform
from pathlib import Path

import pandas as pd

from .. import explore
from . import explore_stats as es
from .page import PAGE, frame_html, git_revision

NOISE = ("The 0/1 outcomes (who leads, who captures more) are noisy at few trajectories: every "
         "run has its own seed, so the run-outcome noise (<code>training.outcome_sigma</code>) "
         "flips them even where a parameter does nothing, and many parameters tie within their "
         "intervals. Rank them from more trajectories or a Sobol stage over the top ones.")
COMMON = ("The runs of one trajectory or block share a seed (<code>seeds=common</code>): a "
          "parameter that does nothing moves no outcome, so its index is zero, and the "
          "run-outcome noise (<code>training.outcome_sigma</code>) enters only between "
          "trajectories or blocks, widening the intervals; a parameter that changes a firm's "
          "decisions can still send the run down another path of draws.")


SOBOL_NOISE = (" In a Sobol design the runs that move one parameter also draw another seed, "
               "so each parameter's ST holds the run noise too: where every ST is high and "
               "every S1 near zero, the outcome is mostly noise at these settings; compare the "
               "parameters by how far their ST and S1 stand apart from the others'.")


def report(folder: Path | str) -> Path:
    """Write the exploration's figures, tables and report.html; return the page's path."""
    from .draw import save
    from .explore_figures import fig_chances, fig_sensitivity, fig_tradeoff

    folder = Path(folder)
    x = es.load(folder)
    out = folder / "report"
    out.mkdir(exist_ok=True)
    for old in [*out.glob("*.png"), *out.glob("*.svg"), *out.glob("*.csv")]:
        old.unlink()
    sections: list[str] = []

    def figure(fig, name: str, caption: str) -> str:
        data = base64.b64encode(save(fig, out, name).read_bytes()).decode("ascii")
        return (f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
                f"<figcaption>{caption}</figcaption></figure>")

    what = {o: explore.OUTCOMES[o][0] for o in x.outcomes}
    # 1. sensitivity bars
    heads = [o for o in es.HEADLINE if o in x.outcomes] or x.outcomes[:6]
    tables = {o: es.bars(x, o) for o in heads}
    top = pd.concat(tables.values(), ignore_index=True)
    top.to_csv(out / "sensitivity_top.csv", index=False)
    by = explore.RANK_BY[x.method]
    ranked = [o for o in heads if len(tables[o])]
    body = [f"<p>{explore.WHAT[x.method]}; bars: the top {es.TOP_BARS} uncertainties of each "
            f"headline outcome by {by}, with 95 % bootstrap intervals "
            f"({explore.RESAMPLES[x.method]} resamples). "
            + (COMMON if x.meta["design"].get("seeds") == "common" else
               NOISE + (SOBOL_NOISE if x.method == "sobol" else "")) + "</p>"]
    if ranked:
        body.append(figure(fig_sensitivity(x, tables, what), "sensitivity",
                           "The uncertainties that matter most, per outcome"))
        body.append(frame_html(_top_table(x, tables, ranked)))
    constant = [o for o in heads if not len(tables[o])]
    if constant:
        body.append(f"<p>Constant over the runs (no index): {', '.join(constant)}.</p>")
    sections.append(_section("1. What matters most for each outcome", body))
    # 2. scenario discovery
    found = [es.discover(x, o) for o in es.DISCOVER if o in x.ok]
    es.trajectory(found).to_csv(out / "prim_trajectory.csv", index=False)
    boxes = pd.concat([es.restrictions(f).assign(outcome=f.outcome) for f in found],
                      ignore_index=True)
    boxes.to_csv(out / "prim_boxes.csv", index=False)
    body = [f"<p>PRIM (the EMA workbench's) over all {len(x.keys)} sampled uncertainties of "
            f"the {len(x.ok)} runs: peel 5 % of the runs in the box at a time while the share "
            "with the outcome rises; the chosen box is the largest within 2 points of the "
            "densest box still holding half of the outcome's runs, keeping only restrictions "
            "whose quasi-p-value is below 5 %; how often each is found again in "
            f"{es.RESAMPLES} PRIM runs on random halves says how stable it is. A "
            "classification tree (scikit-learn, depth 3) gives a second view; its balanced "
            "accuracy in 5-fold cross-validation says whether the uncertainties predict the "
            "outcome at all (0.5: no better than chance).</p>", "<ul>"]
    for f in found:
        body.append(f"<li>{html.escape(f.sentence())} Tree: balanced accuracy "
                    f"{f.score:.2f}.{_caution(f)}</li>")
    body.append("</ul>")
    if any(f.steps for f in found):
        body.append(figure(fig_tradeoff(found), "prim_tradeoff", "Coverage against density "
                           "of each peeling step; the star is the chosen box, off the line where "
                           "restrictions that were not significant were dropped"))
    for f in found:
        if f.box is not None and f.box.limits:
            body.append(f"<h4>{html.escape(f.words)}: the box's restrictions</h4>"
                        + frame_html(es.restrictions(f)))
        if f.tree:
            body.append(f"<details><summary>Classification tree: {html.escape(f.words)} "
                        f"(balanced accuracy {f.score:.2f})</summary><pre>"
                        f"{html.escape(f.tree)}</pre></details>")
    sections.append(_section("2. Where in the uncertainty space a group wins", body))
    # 3. chances
    t = es.chances(x)
    t.to_csv(out / "group_chances.csv", index=False)
    shown = t.assign(chance=[f"{r.p:.0%} ({r.lo:.0%}-{r.hi:.0%})" for r in t.itertuples()])
    sections.append(_section("3. Each group's chance to win over the whole space", [
        f"<p>Share of the {len(x.ok)} runs of the design whose winner is of each group, with "
        "95 % Wilson intervals: the sustained leader (the lab leading in most of the last "
        "three years' months, or by more than the run-outcome noise in 12 of them; none when "
        "the lead is contested), the one-month snapshot leader at the horizon, and whether "
        "that leader belongs to a hyperscaler's ownership group; and who captures the "
        "value to the horizon, accounted in full (docs/model.md 3.5): the group (clouds, "
        "labs' own shareholders, investors, chip vendors) whose total is largest, and whether "
        "the labs' own shareholders capture more than the clouds. The hyperscaler-owned "
        "measure overlaps the "
        "kinds: a partner lab consolidated with its hyperscaler (an exclusive cloud deal, or "
        "a stake of at least <code>finance.consolidation_stake</code>) is an independent lab "
        "and hyperscaler-owned at once. The runs weigh the space as "
        f"the {x.method} design samples it: each uncertainty over its whole range, each "
        "choice equally likely.</p>",
        figure(fig_chances(t), "group_chances", "Each group's chance to win"),
        frame_html(shown[["measure", "group", "k", "n", "chance"]])]))
    sections.append(_section("4. Provenance", [_provenance(x)]))
    intro = (f"<p>Exploration <code>{html.escape(str(folder.resolve()))}</code>: "
             f"{x.method} over {len(x.keys)} uncertainties, {len(x.ok)} successful runs of "
             f"{len(x.results)}. The tables behind the figures are the CSV files beside this "
             "page; results.parquet and sensitivity.csv in the folder hold every run and "
             "index.</p>")
    page = out / "report.html"
    page.write_text(PAGE.format(
        title="aisim explore: what decides the winner",
        body=intro + "<h2>What decides the winner</h2>\n" + "\n".join(sections)))
    return page


WEAK_TREE, WEAK_STABILITY = 0.6, 50.0


def _caution(f: es.Found) -> str:
    """A warning where the box is likely noise: the tree does little better than chance, or
    a restriction is found again in fewer than half of the resamples."""
    if f.box is None or not f.box.limits:
        return ""
    weak = [k for k, v in f.box.stability.items() if v < WEAK_STABILITY]
    if round(f.score, 2) >= WEAK_TREE and not weak:  # as the page shows it
        return ""
    why = []
    if round(f.score, 2) < WEAK_TREE:
        why.append("the tree predicts it hardly better than chance")
    if weak:
        why.append(f"{len(weak)} of its {len(f.box.limits)} restrictions are found again in "
                   "fewer than half of the resamples")
    return (f" <b>Read this box with care:</b> {' and '.join(why)}; more runs (or fewer "
            "uncertainties) are needed to tell a region from noise.")


def _section(title: str, parts: list[str]) -> str:
    return "\n".join([f"<h3>{title}</h3>", *parts])


def _top_table(x: es.Exploration, tables: dict, outcomes: list[str]) -> pd.DataFrame:
    """Rank by outcome: each cell the parameter's name and its index with its interval."""
    rows = {}
    for o in outcomes:
        t = tables[o]
        for rank, p in enumerate(dict.fromkeys(t.parameter), 1):
            r = t[(t.parameter == p) & (t["index"] == explore.RANK_BY[x.method])].iloc[0]
            ci = f" [{_g(r.ci_low)}, {_g(r.ci_high)}]" if pd.notna(r.ci_low) else ""
            rows.setdefault(rank, {"rank": rank})[o] = f"{r.label}: {_g(r.value)}{ci}"
    return pd.DataFrame(list(rows.values())).fillna("")


def _g(v: float) -> str:
    return explore._num(v)


def _provenance(x: es.Exploration) -> str:
    design = x.meta["design"]
    fixed = ", ".join(f"{k}={v}" for k, v in design.get("overrides", {}).items()) or "none"
    failed = x.results[x.results.error.notna()]
    versions = {"python": platform.python_version(), **{
        p: _version(p) for p in ("aisim", "mesa", "SALib", "ema_workbench", "scikit-learn")}}
    command = x.done.get("command") or "aisim explore " + " ".join(
        f"{k}={v if not isinstance(v, list) else ','.join(v)}"
        for k, v in design.items() if k not in ("keys", "overrides"))
    seconds = x.done.get("seconds")
    lines = [
        f"<p>Command: <code>{html.escape(command)}</code>.</p>",
        f"<p>{len(x.results)} runs ({x.meta.get('runs', len(x.results))} in the design), "
        f"{len(failed)} failed; seeds {int(x.results.seed.min())}-{int(x.results.seed.max())}; "
        f"method {design['method']}, samples {design['samples']}, seed {design['seed']} "
        f"(seeds {design.get('seeds', 'independent')}); fixed: "
        f"{html.escape(fixed)}; launcher {html.escape(x.done.get('launcher', 'local'))}"
        + (f"; the last call took {seconds:.0f} s" if seconds is not None else "") + ".</p>",
        f"<p>Report made {datetime.datetime.now().astimezone().isoformat(timespec='seconds')} "
        f"by git revision <code>{git_revision()}</code>; "
        + ", ".join(f"{k} {html.escape(v)}" for k, v in versions.items()) + ".</p>",
        "<details><summary>The sampled uncertainties</summary>"
        + frame_html(pd.DataFrame({"key": x.keys, "name": [es.label(k) for k in x.keys],
                                   "range": [es.described(k) for k in x.keys]}))
        + "</details>"]
    if len(failed):
        lines.append(frame_html(failed[["run", "seed", "error"]].head(20)))
    return "\n".join(lines)


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
