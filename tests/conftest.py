import pytest

from sim.config import to_params


@pytest.fixture
def small():
    """A short, small run's parameters: two years, 2,000 customers."""
    def make(**sections):
        data = {"horizon_months": 24, "demand": {"n_customers": 2000}}
        for key, value in sections.items():
            if isinstance(value, dict):
                data.setdefault(key, {}).update(value)
            else:
                data[key] = value
        return to_params(data)
    return make
