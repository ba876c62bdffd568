"""Outcomes robust to a one-month snapshot: the sustained leader and its group (issue 18)."""

import numpy as np

import sim
from sim.simulation import group_of, sustained_leader

NAMES = ["A", "B", "C"]


def _caps(rows):
    return np.array(rows, dtype=float)


def test_a_lab_leading_most_of_the_window_is_the_sustained_leader():
    leader = ["B"] * 20 + ["A"] * 16  # A leads at the end (the snapshot), B most of the time
    caps = _caps([[10.0, 10.01, 5.0]] * 36)
    assert sustained_leader(leader, caps, NAMES, noise=0.3) == "B"
    # Only the last 36 months count.
    assert sustained_leader(["C"] * 100 + leader, _caps([[0, 0, 1]] * 100 + [[10, 10.01, 5]] * 36),
                            NAMES, noise=0.3) == "B"


def test_without_a_majority_a_clear_lead_for_a_year_decides():
    # A leads 14 months by 1 step (clear), B 12 months and C 10 months by hair's breadths.
    leader = ["A"] * 14 + ["B"] * 12 + ["C"] * 10
    caps = _caps([[11.0, 10.0, 9.0]] * 14 + [[10.0, 10.05, 9.0]] * 12 + [[10.0, 9.0, 10.02]] * 10)
    assert sustained_leader(leader, caps, NAMES, noise=0.3) == "A"
    # With a clear lead under 12 months, the lead is contested.
    short = ["A"] * 11 + ["B"] * 13 + ["C"] * 12
    caps = _caps([[11.0, 10.0, 9.0]] * 11 + [[10.0, 10.05, 9.0]] * 13 + [[10.0, 9.0, 10.02]] * 12)
    assert sustained_leader(short, caps, NAMES, noise=0.3) == ""
    # With no noise, any margin is clear: B's 13 months decide.
    assert sustained_leader(short, caps, NAMES, noise=0.0) == "B"


def test_labs_without_a_model_do_not_count_as_runner_up():
    caps = _caps([[10.0, -np.inf, -np.inf]] * 12 + [[10.0, 10.1, -np.inf]] * 24)
    leader = ["A"] * 12 + ["B"] * 24
    assert sustained_leader(leader, caps, NAMES, noise=0.3) == "B"
    # A lab alone at the frontier (no rival has a model) leads clearly.
    caps = _caps([[10.0, -np.inf, -np.inf]] * 6 + [[10.0, 10.05, -np.inf]] * 6)
    leader = ["A"] * 6 + ["B"] * 6
    assert sustained_leader(leader, caps, NAMES, noise=0.3) == ""
    assert sustained_leader(leader, caps, NAMES, noise=0.3, months=6) == "A"


def test_summary_names_the_sustained_leader_and_its_group():
    result = sim.simulate({"horizon_months": 48, "demand": {"n_customers": 1000}}, seed=2)
    s = result.summary
    assert s["sustained_leader_group"] in {"independent", "inhouse", "open_weights",
                                           "founded_in_run", ""}
    if s["sustained_leader"]:
        last = result.industry.leader.iloc[-36:]
        firm = result.firms[result.firms.firm == s["sustained_leader"]]
        assert (last == s["sustained_leader"]).any() or not firm.empty
    model = sim.model.AIIndustry(seed=0)
    groups = {lab.name: group_of(lab) for lab in model.labs if not lab.dormant}
    assert groups == {"OpenAI": "independent", "Anthropic": "independent",
                      "Google DeepMind": "inhouse", "Microsoft AI": "inhouse",
                      "Amazon AGI": "inhouse", "Meta": "open_weights"}
