"""Parameters: defaults validate; bad input fails with one line naming the key and range."""

import dataclasses
import re

import pytest

from sim.config import RunConfig, to_params, to_run
from sim.params import ConfigError, Params, Range, allowed, validate


def test_defaults_validate():
    assert validate(Params()).compute.doubling_months == 6.0


def test_override_nested_value():
    params = to_params({"compute": {"doubling_months": 4}, "horizon_months": 24})
    assert params.compute.doubling_months == 4.0
    assert isinstance(params.compute.doubling_months, float)
    assert params.horizon_months == 24


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"compute": {"doubling_month": 6}}, "compute.doubling_month: unknown key"),
        ({"compute": {"doubling_months": -1}}, "compute.doubling_months=-1.0 is out of range: allowed (0.5, 120.0]"),
        ({"demand": {"n_customers": 2.5}}, "demand.n_customers=2.5: expected a whole number"),
        ({"horizon_months": "ten"}, "horizon_months='ten': expected a whole number"),
        ({"finance": {"sovereign_fail_prob": 1.5}}, "finance.sovereign_fail_prob=1.5 is out of range: allowed [0.0, 1.0]"),
        ({"strategy": {"partnerships": "yes"}}, "strategy.partnerships='yes': expected true or false"),
        ({"finance": {"deal_figures": "rumour"}}, "finance.deal_figures='rumour': allowed public, article"),
        ({"demand": {"home_cloud_shares": [0.5, 0.5, 0.5]}}, "demand.home_cloud_shares"),
        ({"compute": 3}, "compute: expected a mapping"),
        # A number per name: the bad entry by its own key, not the whole dict.
        ({"chips": {"custom_share": {"Google": 2}}}, "chips.custom_share.Google=2.0 is out of range: allowed [0.0, 1.0]"),
        ({"chips": {"custom_share": {"Oracle": 0.5}}}, "chips.custom_share.Oracle: unknown name Oracle (allowed: Microsoft, Amazon, Google)"),
        ({"talent": {"pay_usd_per_year": {"pool": -1}}}, "talent.pay_usd_per_year.pool=-1.0 is out of range"),
    ],
)
def test_bad_input_names_key_and_range(data, fragment):
    with pytest.raises(ConfigError) as err:
        to_params(data)
    message = str(err.value)
    assert fragment in message
    assert "\n" not in message


def test_validate_catches_values_set_directly():
    params = Params()
    params.training = dataclasses.replace(params.training, run_months=0)
    with pytest.raises(ConfigError, match=r"training.run_months=0 is out of range"):
        validate(params)


def _leaves(obj, prefix=""):
    """(dotted key, field, value) of every parameter of a Params-like dataclass."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from _leaves(value, prefix + f.name + ".")
        else:
            yield prefix + f.name, f, value


def test_every_numeric_default_has_a_range():

    # Policies (policy.lab, policy.hyperscaler) are checked by their own classes' fields.
    missing = [k for k, f, _ in _leaves(Params()) if k != "scenario"
               and not ({"range", "choices"} & set(f.metadata)) and not k.startswith("policy.")]
    assert missing == []


def test_one_way_from_any_config_to_params():
    """None, Params, RunConfig, a dict and a composed DictConfig (with its hydra node and
    the run's keys) all give the same Params, through sim.config.to_params."""
    from omegaconf import OmegaConf

    data = {"compute": {"doubling_months": 4}, "horizon_months": 24}
    params = to_params(data)
    run = to_run({**data, "seed": 3, "replicates": 2})
    assert isinstance(run, RunConfig) and (run.seed, run.replicates) == (3, 2)
    composed = OmegaConf.create({**data, "seed": 3, "workers": 1, "timeseries": False,
                                 "hydra": {"run": {"dir": "${oc.env:NO_SUCH_VARIABLE}"}}})
    for cfg in (params, run, composed, OmegaConf.to_container(composed)):
        same = to_params(cfg)
        assert type(same) is Params and same == params
    assert to_params(None) == to_params({}) == Params()
    with pytest.raises(ConfigError, match="seed=-1 is out of range: allowed \\[0, 2147483647\\]"):
        to_params({"seed": -1})
    with pytest.raises(ConfigError, match="a mapping of keys"):
        to_params("compute.doubling_months=4")


def test_containers_become_plain_values_and_dicts_pass_through():
    from omegaconf import OmegaConf

    nested = {"demand": OmegaConf.create({"home_cloud_shares": {"Google": 0.2}})}
    assert to_params(nested).demand.home_cloud_shares == {"Google": 0.2}
    assert type(to_params(nested).demand.home_cloud_shares) is dict
    listed = {"policy": OmegaConf.create({"hyperscaler": {
        "_target_": "sim.policies.hyperscaler.AllIn", "firms": ["Amazon"]}})}
    assert type(to_params(listed).policy.hyperscaler["firms"]) is list
    # A dict-valued field (such as a policy's {"_target_": ...}) is taken as given.
    from sim.params import _merge

    @dataclasses.dataclass
    class WithPolicy:
        policy: dict = dataclasses.field(default_factory=lambda: {"_target_": "a.B", "x": 1})

    policy = {"_target_": "c.D", "y": [1, 2]}
    assert _merge(WithPolicy(), {"policy": policy}).policy is policy


def test_allowed_reads_each_parameters_range_and_choices():
    assert allowed("compute.doubling_months") == Range(0.5, 120.0, lo_open=True)
    assert str(allowed("compute.doubling_months")) == "(0.5, 120.0]"
    assert 0.5 not in allowed("compute.doubling_months") and 120.0 in allowed("compute.doubling_months")
    assert allowed("finance.deal_figures").choices == ("public", "article")
    assert str(allowed("finance.deal_figures")) == "public, article"
    assert allowed("demand.home_cloud_shares") == Range(0.0, 1.0)
    assert allowed("scenario") == Range() and not allowed("scenario").bounded
    assert allowed("seed", RunConfig) == Range(0, 2**31 - 1)
    with pytest.raises(ConfigError, match="compute.doubling_month: unknown key \\(allowed: "):
        allowed("compute.doubling_month")
    with pytest.raises(ConfigError, match="seed: unknown key"):
        allowed("seed")  # not a model parameter: the run's (RunConfig)
    with pytest.raises(ConfigError, match="a section"):
        allowed("compute")
    with pytest.raises(ConfigError, match="horizon_months is a parameter"):
        allowed("horizon_months.x")


def _nested(key: str, value) -> dict:
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def test_validation_uses_the_same_ranges_as_allowed():
    """Each bound allowed() reports is the one validation enforces, with the same text."""

    checked = 0
    for key, _, value in _leaves(Params()):
        r = allowed(key)
        if r.choices or not r.bounded or isinstance(value, bool | list | dict):
            continue
        outside = [r.hi * 2 + 1] + ([r.lo] if r.lo_open else [])
        for bad in outside:
            with pytest.raises(ConfigError, match=re.escape(f"{key}={bad!r}") + ".*"
                               + re.escape(f"allowed {r}")):
                to_params(_nested(key, type(value)(bad)))
        checked += 1
    assert checked > 50  # every numeric scalar parameter
