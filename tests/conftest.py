import numpy as np
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


def record_payments(model) -> dict:
    """Record every payment of the model from now on: {(payer, payee, tag): USD}."""
    paid = {}
    pay = model.ledger.pay

    def recording(payer, payee, amount, tag):
        done = pay(payer, payee, amount, tag)
        paid[payer, payee, tag] = paid.get((payer, payee, tag), 0.0) + done
        return done

    model.ledger.pay = recording
    return paid


@pytest.fixture
def payments():
    """`payments(model)`: record_payments."""
    return record_payments


def books_balance(industry) -> bool:
    """Each month the money inside moves only by the flows across the outside accounts."""
    cash = industry.cash_total_usd.to_numpy()
    flows = industry.net_outside_flow_usd.to_numpy()[1:]
    return bool(np.all(np.abs(np.diff(cash) - flows) <= 1e-9 * np.abs(cash[1:])))


@pytest.fixture
def balanced():
    """`balanced(industry)`: books_balance."""
    return books_balance
