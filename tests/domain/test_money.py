"""Money: parsing what operators type, exact conversion, formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balance_tui.domain.errors import InvalidAmountError
from balance_tui.domain.money import (
    MAX_CENTS,
    cents_to_decimal,
    decimal_to_cents,
    format_cents,
    parse_amount,
    to_cents,
)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1,250.50", 125050),
        ("$300", 30000),
        ("-75", -7500),
        ("-$75", -7500),
        ("$-75", -7500),
        ("0.5", 50),
        (".5", 50),
        ("1,000,000", 100_000_000),
        (" 42 ", 4200),
        ("+7.05", 705),
        ("1000000000000", MAX_CENTS),
    ],
)
def test_parse_amount_as_operators_type_it(typed: str, cents: int) -> None:
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount"),
        ("abc", "is not an amount"),
        ("1,2,3", "is not an amount"),
        ("1.234", "more than 2 decimal places"),
        ("NaN", "not a finite amount"),
        ("inf", "not a finite amount"),
        ("-Infinity", "not a finite amount"),
        ("--5", "two signs"),
        ("-$-5", "two signs"),
        ("1000000000000.01", "beyond the largest accepted amount"),
        ("12,34", "is not an amount"),
    ],
)
def test_parse_amount_rejects_with_a_reason(typed: str, message: str) -> None:
    with pytest.raises(InvalidAmountError, match=message):
        parse_amount(typed)


def test_to_cents_takes_decimal_int_str_and_float_through_repr() -> None:
    assert to_cents(Decimal("10.10")) == 1010
    assert to_cents(7) == 700
    assert to_cents("-0.01") == -1
    assert to_cents(0.1) == 10 and to_cents(1.15) == 115
    for bad in (0.125, True, None, [1], Decimal("NaN"), Decimal("Infinity"), 10**13):
        with pytest.raises(InvalidAmountError):
            to_cents(bad)  # type: ignore[arg-type]


def test_format_cents() -> None:
    assert format_cents(-1_200_000) == "-12,000.00"
    assert format_cents(5000, signed=True) == "+50.00"
    assert format_cents(0, signed=True) == "0.00"
    assert format_cents(7) == "0.07"


cents = st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS)


@given(cents)
def test_formatted_amounts_parse_back_exactly(value: int) -> None:
    assert parse_amount(format_cents(value)) == value
    assert parse_amount(format_cents(value, signed=True)) == value


@given(cents)
def test_decimal_round_trip(value: int) -> None:
    decimal = cents_to_decimal(value)
    assert decimal.as_tuple().exponent == -2
    assert decimal_to_cents(decimal) == value


@given(st.integers(0, 10**9), st.integers(0, 99), st.booleans())
def test_typed_digits_mean_what_they_say(units: int, hundredths: int, grouped: bool) -> None:
    whole = f"{units:,}" if grouped else str(units)
    assert parse_amount(f"{whole}.{hundredths:02d}") == units * 100 + hundredths
