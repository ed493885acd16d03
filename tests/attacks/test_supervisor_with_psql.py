"""Supervisors and makers with psql attack four eyes: the database refuses each attack.

A request is made through the app (as the maker); the attack then goes straight to the
database as a real login, the way the review carried it out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

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
    cur.execute("SELECT current_schema()")
    schema = cur.fetchone()[0]
    cur.execute(DECIDE.format(schema=schema, decided=decided), (request_id,))


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
