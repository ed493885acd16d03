"""Properties: whatever text, metadata or amount a caller passes, the change either applies
exactly as given or is refused cleanly — never another exception, never a changed book on a
refusal, and the book always verifies."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance_tui.domain.errors import BalanceError, InvalidAmountError
from balance_tui.domain.money import cents_to_decimal, parse_amount
from tests.conftest import TestClock
from tests.hostile.conftest import Book, fingerprint, make_book

MONEY_TABLES = ("agent", "customer", "balance_event")
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


@pytest.fixture(scope="module")
def shared_book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    path = tmp_path_factory.mktemp("properties") / "book.db"
    return make_book(str(path), TestClock())


def _outcome(book: Book, **changes: Any) -> tuple[bool, Any]:
    call: dict[str, Any] = {
        "customer_id": "C1",
        "agent_id": None,
        "change_amount": "1.00",
        "change_type": "deposit",
        "reason": "property",
        "performed_by": "op",
    } | changes
    before = fingerprint(book.services)
    before_money = fingerprint(book.services, MONEY_TABLES)
    try:
        result = book.services.manager.update_balance(**call)
    except BalanceError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert fingerprint(book.services) == before
        return False, None
    if not result.success:
        assert result.validation.errors
        if result.alerts:  # a refusal for a limit is recorded as a limit_exceeded alert
            assert {a.alert_type for a in result.alerts} == {"limit_exceeded"}
            assert fingerprint(book.services, MONEY_TABLES) == before_money
        else:
            assert fingerprint(book.services) == before
        return False, None
    return True, result


@SETTINGS
@given(reason=st.text(max_size=600))
def test_any_reason_is_stored_exactly_or_refused(shared_book: Book, reason: str) -> None:
    applied, result = _outcome(shared_book, reason=reason)
    if applied:
        stored = shared_book.services.audit.get_event(result.event.id)
        assert stored.reason == reason


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


@SETTINGS
@given(metadata=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_any_json_metadata_round_trips_or_is_refused(
    shared_book: Book, metadata: dict[str, Any]
) -> None:
    applied, result = _outcome(shared_book, metadata=metadata)
    if applied:
        stored = shared_book.services.audit.get_event(result.event.id)
        assert stored.metadata == json.loads(json.dumps(metadata))
    else:
        text = json.dumps(metadata)
        refusable = not _finite(metadata) or len(text) > 10_000 or "\\u0000" in text
        refusable = refusable or any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        assert refusable or "\\ud" in text, metadata


@SETTINGS
@given(text=st.text(max_size=45))
def test_any_amount_text_parses_exactly_or_is_refused(text: str) -> None:
    try:
        cents = parse_amount(text)
    except InvalidAmountError as exc:
        assert str(exc)
        return
    # Accepted: it was plain ASCII money and says what it is.
    assert all(c.isascii() for c in text.strip())
    digits = text.strip().lstrip("+-$€£ ").lstrip("+-").replace(",", "")
    assert Decimal(digits).quantize(Decimal("0.01")) == abs(cents_to_decimal(cents))


@SETTINGS
@given(
    amount=st.one_of(
        st.text(max_size=20),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.floats(),
    )
)
def test_any_amount_applies_exactly_or_is_refused(shared_book: Book, amount: Any) -> None:
    applied, result = _outcome(shared_book, change_amount=amount, change_type="adjustment")
    if applied:
        assert result.event.amount == result.new_balance - result.event.previous_balance


def test_the_book_verifies_after_every_property(shared_book: Book) -> None:
    assert shared_book.services.verifier.verify().ok
