"""What the database lets a login write around the app, ``verify`` names afterwards: every
acknowledgement, refusal, request, decision and authority must carry its audit record."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.attacks.conftest import Book

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")


def _problems(book: Book) -> list[str]:
    return [p.problem for p in book.services("dan").verifier.verify().problems]


def test_a_fresh_book_and_its_seeded_authority_verify(book: Book) -> None:
    assert _problems(book) == []


def test_an_alert_inserted_acknowledged_with_psql_is_named(book: Book) -> None:
    with book.psql("ann") as cur:
        cur.execute(
            """INSERT INTO alert (customer_id, alert_type, message, balance_cents, created_us,
                 acknowledged_us, acknowledged_by)
               SELECT id, 'low_balance', 'x', 0, 1, 2, 'Bob' FROM customer RETURNING id"""
        )
        alert_id = cur.fetchone()[0]
    assert _problems(book) == [f"acknowledgement of alert #{alert_id} has no audit record"]


def test_an_acknowledgement_made_with_psql_is_named(book: Book) -> None:
    owner = book.services("owner")
    made = owner.manager.update_balance("CUST_1", None, Decimal("-80000"), "withdrawal", "w", "o")
    assert made.alerts
    alert_id = made.alerts[0].id
    with book.psql("ann") as cur:
        cur.execute(
            "UPDATE alert SET acknowledged_us = 5, acknowledged_by = 'Bob' WHERE id = %s",
            (alert_id,),
        )
    assert _problems(book) == [f"acknowledgement of alert #{alert_id} has no audit record"]


def test_a_request_made_with_psql_is_named(book: Book) -> None:
    with book.psql("ann") as cur:
        cur.execute(
            """INSERT INTO approval_request (customer_id, change_type, amount_cents, reason,
                 metadata_json, maker, maker_label, created_us, expires_us)
               SELECT id, 'deposit', 5000000, 'big', '{}', 'x', 'x', 1, 3600000001
               FROM customer RETURNING id"""
        )
        request_id = cur.fetchone()[0]
    assert _problems(book) == [f"approval request #{request_id} has no audit record"]


def test_a_silent_edit_of_the_seeded_authority_is_named(book: Book) -> None:
    with book.psql("owner") as cur:
        cur.execute(
            "UPDATE authority SET limit_cents = NULL, set_by = 'migration 0006' "
            "WHERE kind = 'role' AND subject = 'operator'"
        )
    assert _problems(book) == ["authority role:operator differs from its audit record"]


def test_a_supervisor_retiering_a_customer_with_psql_is_named(book: Book) -> None:
    """Supervisors may update a customer's attributes (the app does it for them, audited);
    one done around the app has no record and is named."""
    with book.psql("bob") as cur:
        cur.execute("UPDATE customer SET vip_level = 'bronze' WHERE code = 'CUST_1'")
    assert _problems(book) == ["customer CUST_1 differs from its audit record"]
