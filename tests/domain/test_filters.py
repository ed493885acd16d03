"""The one filter language: customers by part of id or name, shown type names, inclusive to:."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from balance_tui.domain.alerts import ALERT_TYPES
from balance_tui.domain.changes import CHANGE_TYPES
from balance_tui.domain.errors import InvalidInputError
from balance_tui.domain.filters import FilterQuery, parse_filter

HISTORY = ("customer", "agent", "type", "operator", "from", "to")


def test_bare_words_are_one_customer_match() -> None:
    assert parse_filter("Maya  Tanaka", keys=HISTORY).customer == "Maya Tanaka"
    assert parse_filter("customer:133", keys=HISTORY).customer == "133"


@pytest.mark.parametrize(
    "text",
    ["type:significant drop", "type:significant_drop", 'type:"significant drop"', "TYPE:Sig"],
)
def test_type_takes_the_names_shown(text: str) -> None:
    assert parse_filter(text, keys=("type",), types=ALERT_TYPES).type == "significant_drop"


def test_an_ambiguous_or_unknown_type_names_the_choices() -> None:
    with pytest.raises(InvalidInputError, match="significant drop"):
        parse_filter("type:bogus", keys=("type",), types=ALERT_TYPES)
    with pytest.raises(InvalidInputError, match="Unknown type"):
        parse_filter("type:w", keys=("type",), types=CHANGE_TYPES)  # wager or withdrawal


def test_to_is_inclusive_and_from_starts_the_day() -> None:
    query = parse_filter("from:2026-01-01 to:2026-01-31", keys=HISTORY)
    assert query.since == datetime(2026, 1, 1, tzinfo=UTC)
    assert query.until == datetime(2026, 2, 1, tzinfo=UTC)  # all of the 31st


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("to:2026-01-01 from:2026-02-01", "before"),
        ("from:yesterday", "not a day"),
        ("colour:red", "Unknown filter 'colour:'"),
        ("agent:", "needs a value"),
    ],
)
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_filter(text, keys=HISTORY, types=CHANGE_TYPES)


def test_a_key_the_screen_does_not_take_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="use customer:, type:"):
        parse_filter("operator:ann", keys=("customer", "type"))


def test_empty_is_no_filter() -> None:
    assert parse_filter("  ", keys=HISTORY).is_empty
    assert parse_filter("", keys=HISTORY) == FilterQuery()


HISTORY_KEYS = ("customer", "agent", "type", "operator", "from", "to", "ref", "amount", "event")


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("ref:TX78806097", "reference", "TX78806097"),
        ("amount:2762.36", "amount_cents", 276236),
        ("amount:-1,000", "amount_cents", 100000),
        ("#25371", "event_id", 25371),
        ("event:#7", "event_id", 7),
    ],
)
def test_history_finds_references_amounts_and_event_numbers(text: str, field: str, value) -> None:  # type: ignore[no-untyped-def]
    assert getattr(parse_filter(text, keys=HISTORY_KEYS), field) == value


@pytest.mark.parametrize("text", ["amount:lots", "event:x1", "ref:"])
def test_a_bad_reference_amount_or_event_is_named(text: str) -> None:
    with pytest.raises(InvalidInputError, match=text.split(":")[0]):
        parse_filter(text, keys=HISTORY_KEYS)
