"""Parameters: defaults validate; bad input fails with one line naming the key and range."""

import dataclasses

import pytest

from sim.params import ConfigError, Params, from_dict, validate


def test_defaults_validate():
    assert validate(Params()).compute.doubling_months == 6.0


def test_override_nested_value():
    params = from_dict({"compute": {"doubling_months": 4}, "horizon_months": 24})
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
    ],
)
def test_bad_input_names_key_and_range(data, fragment):
    with pytest.raises(ConfigError) as err:
        from_dict(data)
    message = str(err.value)
    assert fragment in message
    assert "\n" not in message


def test_validate_catches_values_set_directly():
    params = Params()
    params.training = dataclasses.replace(params.training, run_months=0)
    with pytest.raises(ConfigError, match=r"training.run_months=0 is out of range"):
        validate(params)


def test_every_numeric_default_has_a_range():
    def walk(obj, prefix=""):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                yield from walk(value, prefix + f.name + ".")
            elif f.name != "scenario":
                yield prefix + f.name, f

    # Policies (policy.lab, policy.hyperscaler) are checked by their own classes' fields.
    missing = [k for k, f in walk(Params())
               if not ({"range", "choices"} & set(f.metadata)) and not k.startswith("policy.")]
    assert missing == []
