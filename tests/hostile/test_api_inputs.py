"""Hostile values through the Python API: each is a rejected result or a typed
``BalanceError`` with a message naming the problem, and the book is left as it was.

One row per case; every case runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from balance_tui.domain.errors import BalanceError
from tests.hostile.conftest import Book

_NESTED: dict[str, Any] = {}
_cursor = _NESTED
for _ in range(500):
    _cursor["a"] = {}
    _cursor = _cursor["a"]

# (value, a word the message must contain)
AMOUNTS: list[tuple[Any, str]] = [
    (True, "True/False"),
    (False, "True/False"),
    (None, "not NoneType"),
    ([], "not list"),
    ({}, "not dict"),
    (b"100", "not bytes"),
    (object(), "not object"),
    ("", "Enter an amount"),
    ("   ", "Enter an amount"),
    ("abc", "not an amount"),
    ("1OO", "not an amount"),
    ("2k", "not an amount"),
    ("1.5e3", "not an amount"),
    ("1e3", "not an amount"),
    ("0x10", "not an amount"),
    ("1_000", "not an amount"),
    ("1 000", "not an amount"),
    ("١٢٣", "not an amount"),
    ("１００", "not an amount"),
    ("1٢3", "not an amount"),
    ("٣", "not an amount"),
    ("1,0,0", "not an amount"),
    ("1,00", "not an amount"),
    (",100", "not an amount"),
    ("--5", "two signs"),
    ("+-5", "two signs"),
    ("$$5", "not an amount"),
    ("5$", "not an amount"),
    ("1.001", "more than 2 decimal places"),
    ("1\n2", "not an amount"),
    ("\u202e5", "not an amount"),
    ("1\x00", "not an amount"),
    ("9" * 50, "too long"),
    ("9" * 39, "beyond the largest"),
    ("NaN", "not a finite amount"),
    ("-Infinity", "not a finite amount"),
    ("sNaN", "not a finite amount"),
    (float("nan"), "not a finite"),
    (float("inf"), "not a finite"),
    (0.001, "more than 2 decimal places"),
    (1e20, "beyond the largest"),
    (-0.0, "minus sign on zero"),
    (Decimal("NaN"), "not a finite"),
    (Decimal("sNaN"), "not a finite"),
    (Decimal("Infinity"), "not a finite"),
    (Decimal("1E+999999"), "beyond the largest"),
    (Decimal("-1E+999999"), "beyond the largest"),
    (Decimal("1E-999999"), "more than 2 decimal places"),
    (Decimal("-0"), "minus sign on zero"),
    (Decimal("0.001"), "more than 2 decimal places"),
    (Decimal("1234567890123456789012345678.9"), "beyond the largest"),
    (10**70, "far beyond"),
    (-(10**70), "far beyond"),
    (2**63, "beyond the largest"),
    (10**12 + 1, "beyond the largest"),
    ("€50", "EUR"),
    ("£50", "GBP"),
    (0, "amount is zero"),
    ("0", "amount is zero"),
]


@pytest.mark.parametrize(("amount", "says"), AMOUNTS, ids=[repr(a)[:30] for a, _ in AMOUNTS])
def test_hostile_amounts_are_refused(book: Book, amount: Any, says: str) -> None:
    result = book.services.manager.update_balance(
        "C1", None, amount, "deposit", "hostile", "tester"
    )
    assert not result.success and result.event is None
    assert any(says in e for e in result.validation.errors), result.validation.errors
    assert all("\n" not in e for e in result.validation.errors)
    book.assert_unchanged()


def test_a_settlement_of_minus_zero_is_refused(book: Book) -> None:
    result = book.services.manager.update_balance("C1", None, "-0", "settlement", "r", "op")
    assert not result.success and "minus sign on zero" in result.validation.errors[0]
    book.assert_unchanged()


def test_the_callers_decimal_context_does_not_round_money(book: Book) -> None:
    import decimal

    with decimal.localcontext() as context:
        context.prec = 5
        result = book.services.manager.update_balance(
            "C1", None, Decimal("1234.56"), "deposit", "exact", "tester"
        )
    assert result.success and result.event is not None
    assert result.event.amount == Decimal("1234.56")
    assert result.new_balance == Decimal("2134.56")


# (keyword, value, a word the message must contain)
FIELDS: list[tuple[str, Any, str]] = [
    ("reason", "", "Give a reason"),
    ("reason", "   ", "Give a reason"),
    ("reason", None, "Give a reason"),
    ("reason", 123, "must be text"),
    ("reason", b"bytes", "must be text"),
    ("reason", "a" * 501, "the limit is 500"),
    ("reason", "x\x00y", "NUL"),
    ("reason", "lone \ud800 surrogate", "surrogate"),
    ("reason", "\udfff", "surrogate"),
    ("performed_by", "", "Give an operator"),
    ("performed_by", None, "Give an operator"),
    ("performed_by", "o" * 201, "the limit is 200"),
    ("performed_by", "\ud83d", "surrogate"),
    ("performed_by", 7, "must be text"),
    ("customer_id", "", "Name the customer"),
    ("customer_id", None, "Name the customer"),
    ("customer_id", 123, "Name the customer"),
    ("customer_id", "C1\n", "No customer"),
    ("customer_id", "C1 ", "No customer"),
    ("customer_id", "../C1", "No customer"),
    ("customer_id", "NOBODY", "No customer"),
    ("change_type", "", "Unknown change type"),
    ("change_type", "bogus", "Unknown change type"),
    ("change_type", None, "Unknown change type"),
    ("change_type", 5, "Unknown change type"),
    ("change_type", "reversal", "made by reversing"),
    ("change_type", "withdrawal\x00", "Unknown change type"),
    ("metadata", _NESTED, "16 levels"),
    ("metadata", {"a": float("nan")}, "JSON cannot carry"),
    ("metadata", {"a": float("inf")}, "JSON cannot carry"),
    ("metadata", {"a": [1e400]}, "JSON cannot carry"),
    ("metadata", {1: "x"}, "keys must be text"),
    ("metadata", {"a": {2.5: "x"}}, "keys must be text"),
    ("metadata", [], "JSON object"),
    ("metadata", "text", "JSON object"),
    ("metadata", {"a": "\ud800"}, "surrogate"),
    ("metadata", {"a": "x" * 20_000}, "10,000 characters"),
    ("metadata", {"a": object()}, "cannot be stored as JSON"),
    ("metadata", {"a": Decimal("1")}, "cannot be stored as JSON"),
    ("metadata", {"a": "\x00"}, "NUL"),
    ("idempotency_key", "", "Give an idempotency key"),
    ("idempotency_key", "  ", "Give an idempotency key"),
    ("idempotency_key", "k" * 201, "the limit is 200"),
    ("idempotency_key", 5, "must be text"),
    ("idempotency_key", "k\x00", "NUL"),
    ("vip_level", "bogus", "Unknown VIP tier"),
    ("vip_level", 3, "is a name"),
    ("vip_level", "silver", "not silver"),
    ("agent_id", "A2", "belongs to agent A1"),
    ("currency", "EUR", "keeps USD"),
    ("currency", "usd1", "3-letter code"),
    ("currency", 5, "3-letter code"),
]


@pytest.mark.parametrize(
    ("field", "value", "says"), FIELDS, ids=[f"{f}={v!r}"[:40] for f, v, _ in FIELDS]
)
def test_hostile_fields_of_an_update_are_refused(
    book: Book, field: str, value: Any, says: str
) -> None:
    call: dict[str, Any] = {
        "customer_id": "C1",
        "agent_id": None,
        "change_amount": "10",
        "change_type": "deposit",
        "reason": "r",
        "performed_by": "op",
    } | {field: value}
    try:
        result = book.services.manager.update_balance(**call)
    except BalanceError as exc:
        message = str(exc)
    else:
        assert not result.success
        message = " ".join(result.validation.errors)
    assert says in message
    assert "\n" not in message
    book.assert_unchanged()


IDS: list[tuple[Any, str]] = [
    (True, "not bool"),
    (False, "not bool"),
    ("1", "not str"),
    (1.0, "not float"),
    (Decimal(1), "not Decimal"),
    (None, "not NoneType"),
    (0, "out of range"),
    (-1, "out of range"),
    (2**63, "out of range"),
    (2**70, "out of range"),
    (10**100, "out of range"),
    (99_999, "No "),
]


@pytest.mark.parametrize(("event_id", "says"), IDS, ids=[repr(i)[:20] for i, _ in IDS])
def test_hostile_event_ids_for_a_reversal(book: Book, event_id: Any, says: str) -> None:
    with pytest.raises(BalanceError, match=says):
        book.services.manager.reverse_event(event_id, "op", "undo")
    book.assert_unchanged()


@pytest.mark.parametrize(("alert_id", "says"), IDS, ids=[repr(i)[:20] for i, _ in IDS])
def test_hostile_alert_ids_for_an_acknowledgement(book: Book, alert_id: Any, says: str) -> None:
    with pytest.raises(BalanceError, match=says):
        book.services.notifications.acknowledge_alert(alert_id, "op")
    book.assert_unchanged()


@pytest.mark.parametrize(("event_id", "says"), IDS, ids=[repr(i)[:20] for i, _ in IDS])
def test_hostile_event_ids_for_a_lookup(book: Book, event_id: Any, says: str) -> None:
    with pytest.raises(BalanceError, match=says):
        book.services.audit.get_event(event_id)


CUSTOMERS: list[tuple[dict[str, Any], str]] = [
    ({"customer_id": "N1\n"}, "is not valid"),
    ({"customer_id": ""}, "is not valid"),
    ({"customer_id": "a b"}, "is not valid"),
    ({"customer_id": "x" * 65}, "is not valid"),
    ({"customer_id": "ü1"}, "is not valid"),
    ({"customer_id": "-lead"}, "is not valid"),
    ({"customer_id": 12}, "is not valid"),
    ({"customer_id": "C1"}, "already exists"),
    ({"agent_id": "A1\n"}, "is not valid"),
    ({"agent_id": ""}, "is not valid"),
    ({"agent_id": "A 1"}, "is not valid"),
    ({"vip_level": "bogus"}, "Unknown VIP tier"),
    ({"vip_level": None}, "is a name"),
    ({"currency": "usd1"}, "3-letter code"),
    ({"currency": "US"}, "3-letter code"),
    ({"currency": ""}, "3-letter code"),
    ({"currency": "ÜSD"}, "3-letter code"),
    ({"name": "\x00"}, "NUL"),
    ({"name": "n" * 201}, "the limit is 200"),
    ({"name": "\ud800"}, "surrogate"),
    ({"name": 5}, "must be text"),
]


@pytest.mark.parametrize(("changes", "says"), CUSTOMERS, ids=[repr(c)[:40] for c, _ in CUSTOMERS])
def test_hostile_new_customers_are_refused(book: Book, changes: dict[str, Any], says: str) -> None:
    call: dict[str, Any] = {"customer_id": "NEW1", "agent_id": "A9"} | changes
    with pytest.raises(BalanceError, match=says):
        book.services.manager.create_customer(**call)
    book.assert_unchanged()


@pytest.mark.parametrize(
    ("hours", "says"),
    [(0, "from 1"), (-5, "from 1"), (10**12, "from 1"), (True, "from 1"), ("24", "from 1")],
)
def test_hostile_history_windows(book: Book, hours: Any, says: str) -> None:
    with pytest.raises(BalanceError, match=says):
        book.services.audit.get_recent_balance_changes(hours=hours)


def test_a_symbol_of_the_customers_own_currency_is_accepted(book: Book) -> None:
    result = book.services.manager.update_balance("E1", None, "€25", "deposit", "cash", "op")
    assert result.success and result.new_balance == Decimal("225.00")
    usd = book.services.manager.update_balance("E1", None, "$25", "deposit", "cash", "op")
    assert not usd.success and "keeps EUR" in usd.validation.errors[0]


def test_a_full_disk_is_named_and_nothing_is_half_written(sqlite_book: Book) -> None:
    """SQLite's own size cap (max_page_count) fails writes exactly as a full disk does."""
    db = sqlite_book.services.db
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(BalanceError, match="disk that holds the database is full"):
        for i in range(5_000):
            sqlite_book.services.manager.update_balance(
                "C1", None, "1", "deposit", f"filling {i} " + "x" * 400, "op"
            )
    db.close()
    balance = sqlite_book.services.manager.get_customer("C1").balance
    history = sqlite_book.services.audit.get_balance_history("C1", limit=1_000)
    assert balance == history[0].new_balance
    assert sqlite_book.services.verifier.verify().ok
