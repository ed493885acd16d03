"""A login with psql writes an audited row without its audit record: PostgreSQL refuses the
commit, whoever writes it, and nothing is written. (The book's owner can turn the triggers
off; ``verify`` then names the row, ``test_verify_after_the_fact``.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.attacks.conftest import Book

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")

CUSTOMER = "(SELECT id FROM customer WHERE code = 'CUST_1')"
WRITES = {
    "an acknowledged alert inserted": (
        "ann",
        "alert",
        "INSERT INTO alert (customer_id, alert_type, message, balance_cents, created_us, "
        f"acknowledged_us, acknowledged_by) VALUES ({CUSTOMER}, 'low_balance', 'x', 0, 1, 2, "
        "'Bob')",
    ),
    "an alert raised": (
        "ann",
        "alert",
        "INSERT INTO alert (customer_id, alert_type, message, balance_cents, created_us) "
        f"VALUES ({CUSTOMER}, 'low_balance', 'x', 0, 1)",
    ),
    "an alert acknowledged": (
        "ann",
        "alert",
        "UPDATE alert SET acknowledged_us = 5, acknowledged_by = 'Bob'",
    ),
    "a refusal recorded": (
        "ann",
        "rejected_attempt",
        "INSERT INTO rejected_attempt (customer_code, change_type, amount_cents, performed_by, "
        "errors_json, created_us) VALUES ('CUST_1', 'deposit', 1, 'x', '[]', 1)",
    ),
    "an approval request": (
        "ann",
        "approval_request",
        "INSERT INTO approval_request (customer_id, change_type, amount_cents, reason, "
        "metadata_json, maker, maker_label, created_us, expires_us) "
        f"VALUES ({CUSTOMER}, 'deposit', 5000000, 'big', '{{}}', 'x', 'x', 1, 3600000001)",
    ),
    "an authority limit": (
        "owner",
        "authority",
        "UPDATE authority SET limit_cents = NULL WHERE kind = 'role' AND subject = 'operator'",
    ),
    "a tier rule": ("owner", "tier_rule", "UPDATE tier_rule SET max_cents = max_cents * 10"),
    "a customer's tier": (
        "bob",
        "customer",
        "UPDATE customer SET vip_level = 'bronze' WHERE code = 'CUST_1'",
    ),
    "a customer created": (
        "owner",
        "customer",
        "INSERT INTO customer (code, name, agent_id, vip_level, currency, status, balance_cents, "
        "event_count, head_hash, created_us) SELECT 'CUST_2', name, agent_id, vip_level, "
        "currency, status, 0, 0, repeat('0', 64), created_us FROM customer WHERE code = 'CUST_1'",
    ),
}


def _rows(book: Book, table: str) -> list[tuple[object, ...]]:
    with book.psql("owner") as cur:
        cur.execute(f"SELECT * FROM {table} ORDER BY 1")
        return list(cur.fetchall())


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_an_audited_write_without_its_record_is_refused(book: Book, write: str) -> None:
    login, table, statement = WRITES[write]
    owner = book.services("owner")
    made = owner.manager.update_balance("CUST_1", None, Decimal("-19990"), "withdrawal", "w", "o")
    assert made.success and made.alerts  # an unacknowledged alert to acknowledge
    before = _rows(book, table)
    with book.psql(login) as cur, pytest.raises(psycopg2.Error, match="without the audit record"):
        cur.execute(statement)
    assert _rows(book, table) == before
    assert [p.problem for p in book.services("dan").verifier.verify().problems] == []
