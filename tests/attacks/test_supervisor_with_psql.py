"""Supervisors and makers with psql attack four eyes: the database refuses each attack.

A request is made through the app (as the maker); the attack then goes straight to the
database as a real login, the way the review carried it out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from balance_tui.domain.hashing import audit_hash, canonical_json
from balance_tui.store.approvals import DECISION_COLUMNS
from balance_tui.store.audit_records import AUDITED
from tests.attacks.conftest import Book, balance_of, events, insert_event

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")

DECIDE = (
    "INSERT INTO {schema}.approval_decision (request_id, verdict, checker, checker_label, "
    "note, decided_us) SELECT id, 'approved', 'x', 'x', '', {decided} "
    "FROM {schema}.approval_request WHERE id = %s"
)


def request(book: Book, maker: str, amount: str, reason: str = "big") -> int:
    made = book.services(maker).manager.update_balance(
        "CUST_1", None, Decimal(amount), "deposit", reason, maker
    )
    assert made.request is not None, made
    return made.request.id


def decide(cur: Any, request_id: int, decided: str = "created_us + 1") -> None:
    """Decide with psql as a careful insider would: the decision and, in the same
    transaction, the audit record that vouches for it, appended to the chain."""
    cur.execute("SELECT current_schema(), session_user")
    schema, login = cur.fetchone()
    cur.execute("BEGIN")
    try:
        cur.execute(DECIDE.format(schema=schema, decided=decided), (request_id,))
        append_record(cur, "decision", str(request_id), DECISION_COLUMNS, login)
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise


def append_record(cur: Any, kind: str, ref_id: str, columns: tuple[str, ...], login: str) -> None:
    cur.execute("SELECT id FROM audit_chain_lock WHERE id = 1 FOR UPDATE")
    table, key, _ = AUDITED[kind]
    cur.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = %s", (ref_id,))
    body = canonical_json(dict(zip(columns, cur.fetchone(), strict=True)))
    cur.execute("SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1")
    head = cur.fetchone()[0]
    cur.execute(
        "INSERT INTO audit_record (kind, ref_id, body, db_user, created_us, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, 1, %s, %s)",
        (kind, ref_id, body, login, head, audit_hash(head, kind, ref_id, body, login)),
    )


def test_a_supervisor_cannot_approve_their_own_request_behind_a_temp_request_table(
    book: Book,
) -> None:
    own = request(book, "bob", "150000")
    book.grant_temporary("bob")
    with book.psql("bob") as cur:
        cur.execute(
            "CREATE TEMP TABLE approval_request AS SELECT * FROM approval_request WHERE false"
        )
        cur.execute("SELECT current_schema()")
        schema = cur.fetchone()[0]
        cur.execute(
            f"INSERT INTO approval_request SELECT * FROM {schema}.approval_request WHERE id = %s",
            (own,),
        )
        cur.execute("UPDATE approval_request SET maker = 'someone'")
        with pytest.raises(psycopg2.Error, match="cannot decide"):
            decide(cur, own)


def test_a_supervisor_cannot_approve_above_their_authority_behind_a_temp_authority(
    book: Book,
) -> None:
    large = request(book, "ann", "400000")
    book.grant_temporary("bob")
    with book.psql("bob") as cur:
        cur.execute(
            "CREATE TEMP TABLE authority (kind text, subject text, limit_cents bigint, "
            "set_by text, set_us bigint)"
        )
        cur.execute("INSERT INTO authority VALUES ('login', session_user, NULL, 'me', 0)")
        with pytest.raises(psycopg2.Error, match="above the authority"):
            decide(cur, large)


def test_a_decision_after_the_request_expired_is_refused(book: Book) -> None:
    late = request(book, "ann", "15000")
    with book.psql("bob") as cur, pytest.raises(psycopg2.Error, match="expired"):
        decide(cur, late, decided="expires_us + 1")


def test_a_request_may_not_wait_longer_than_744_hours(book: Book) -> None:
    with book.psql("ann") as cur, pytest.raises(psycopg2.Error, match="between 1 and 744"):
        cur.execute(
            """INSERT INTO approval_request (customer_id, change_type, amount_cents, reason,
                 metadata_json, maker, maker_label, created_us, expires_us)
               SELECT id, 'deposit', 5000000, 'big', '{}', 'x', 'x', 1, 4102444800000000
               FROM customer WHERE code = 'CUST_1'"""
        )


@pytest.mark.parametrize(
    "change",
    [
        {"change_type": "adjustment"},
        {"reason": "not what was approved"},
        {"metadata": '{"ref": "other"}'},
    ],
    ids=["another type", "another reason", "other metadata"],
)
def test_an_approved_request_applies_only_as_approved(book: Book, change: dict[str, str]) -> None:
    approved = request(book, "ann", "15000", reason="big")
    with book.psql("bob") as cur:
        decide(cur, approved)
    with book.psql("ann") as cur:
        with pytest.raises(psycopg2.Error, match="does not apply approval request"):
            insert_event(cur, 15_000_00, approval_id=approved, **change)
        assert (balance_of(cur), events(cur)) == (20_000_00, 1)
        insert_event(cur, 15_000_00, approval_id=approved, reason="big")  # as approved: taken
        assert events(cur) == 2
