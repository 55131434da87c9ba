from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paydesk.core.money import (
    CurrencyMismatch,
    Money,
    format_money,
    is_supported_currency,
    minor_unit_exponent,
    percent_of,
    split_proportionally,
)


def test_money_adds_within_one_currency_and_refuses_two():
    assert Money(150, "usd") + Money(50, "usd") == Money(200, "usd")
    with pytest.raises(CurrencyMismatch):
        Money(150, "usd") + Money(50, "eur")


@pytest.mark.parametrize("amount", [1.5, "10", Decimal("1"), True])
def test_money_refuses_anything_but_int(amount):
    with pytest.raises(TypeError):
        Money(amount, "usd")


@pytest.mark.parametrize("currency", ["USD", "xyz", "xxx", "", "us"])
def test_unsupported_currencies_are_refused(currency):
    assert not is_supported_currency(currency)
    with pytest.raises(ValueError):
        Money(1, currency)


@pytest.mark.parametrize(
    ("currency", "exponent"), [("usd", 2), ("rub", 2), ("jpy", 0), ("kwd", 3)]
)
def test_minor_unit_exponent(currency, exponent):
    assert minor_unit_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(123450, "usd"), "en", "$1,234.50"),
        (Money(123450, "rub"), "ru", "1\xa0234,50\xa0₽"),
        (Money(500, "jpy"), "en", "¥500"),
    ],
)
def test_format_money_follows_the_locale(money, locale, text):
    assert format_money(money, locale) == text


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [(1000, Decimal("7.5"), 75), (3590, Decimal("7.5"), 269), (5, Decimal("10"), 1), (4, Decimal("12.5"), 1), (0, Decimal("20"), 0)],
)
def test_percent_of_rounds_half_up(amount, rate, expected):
    assert percent_of(amount, rate) == expected


@given(
    total=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30),
)
def test_split_proportionally_always_adds_up_exactly(total, weights):
    parts = split_proportionally(total, weights)
    assert len(parts) == len(weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1 + 1e-6
