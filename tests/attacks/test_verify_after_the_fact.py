"""What the book's owner writes around the app with the triggers turned off (the database
refuses it from anyone while they stand, ``test_audited_writes``), ``verify`` names
afterwards: every alert, acknowledgement, refusal, request, decision, authority and customer's
attributes must carry its audit record."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.attacks.conftest import Book
from tests.rewrite import with_guards_off

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")


def _problems(book: Book) -> list[str]:
    return [p.problem for p in book.services("dan").verifier.verify().problems]


def _as_owner_unguarded(book: Book, table: str, statement: str, *params: object) -> int | None:
    """Run ``statement`` as the owner with ``table``'s triggers off; its RETURNING id."""
    db = book.services("owner").db
    with_guards_off(db, (table,), [(statement, params)])
    found = (
        db.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone() if table != "authority" else None
    )
    return None if found is None else found[0]


def test_a_fresh_book_and_its_seeded_authority_verify(book: Book) -> None:
    assert _problems(book) == []


def test_an_alert_inserted_acknowledged_around_the_app_is_named(book: Book) -> None:
    alert_id = _as_owner_unguarded(
        book,
        "alert",
        """INSERT INTO alert (customer_id, alert_type, message, balance_cents, created_us,
             acknowledged_us, acknowledged_by)
           SELECT id, 'low_balance', 'x', 0, 1, 2, 'Bob' FROM customer""",
    )
    assert _problems(book) == [
        f"alert #{alert_id} has no audit record",
        f"acknowledgement of alert #{alert_id} has no audit record",
    ]


def test_an_alerts_text_rewritten_around_the_app_is_named(book: Book) -> None:
    """An alert's type, text and figures are chained through its audit record."""
    owner = book.services("owner")
    made = owner.manager.update_balance("CUST_1", None, Decimal("-80000"), "withdrawal", "w", "o")
    alert_id = made.alerts[0].id
    rewrite = "UPDATE alert SET message = 'all calm', alert_type = 'note' WHERE id = %s"
    _as_owner_unguarded(book, "alert", rewrite, alert_id)
    assert _problems(book) == [f"alert #{alert_id} differs from its audit record"]


def test_an_acknowledgement_made_around_the_app_is_named(book: Book) -> None:
    owner = book.services("owner")
    made = owner.manager.update_balance("CUST_1", None, Decimal("-80000"), "withdrawal", "w", "o")
    assert made.alerts
    alert_id = made.alerts[0].id
    acknowledge = "UPDATE alert SET acknowledged_us = 5, acknowledged_by = 'Bob' WHERE id = %s"
    _as_owner_unguarded(book, "alert", acknowledge, alert_id)
    assert _problems(book) == [f"acknowledgement of alert #{alert_id} has no audit record"]


def test_a_request_made_around_the_app_is_named(book: Book) -> None:
    request_id = _as_owner_unguarded(
        book,
        "approval_request",
        """INSERT INTO approval_request (customer_id, change_type, amount_cents, reason,
             metadata_json, maker, maker_label, created_us, expires_us)
           SELECT id, 'deposit', 5000000, 'big', '{}', 'x', 'x', 1, 3600000001 FROM customer""",
    )
    assert _problems(book) == [f"approval request #{request_id} has no audit record"]


def test_a_silent_edit_of_the_seeded_authority_is_named(book: Book) -> None:
    _as_owner_unguarded(
        book,
        "authority",
        "UPDATE authority SET limit_cents = NULL, set_by = 'migration 0006' "
        "WHERE kind = 'role' AND subject = 'operator'",
    )
    assert _problems(book) == ["authority role:operator differs from its audit record"]


def test_a_customer_retiered_around_the_app_is_named(book: Book) -> None:
    """A customer's attributes are changed through the app, audited; a change made around
    it has no record and is named."""
    _as_owner_unguarded(
        book, "customer", "UPDATE customer SET vip_level = 'bronze' WHERE code = 'CUST_1'"
    )
    assert _problems(book) == ["customer CUST_1 differs from its audit record"]
