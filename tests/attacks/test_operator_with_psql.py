"""An operator with psql attacks the book directly: the database refuses each attack.

Every test here is an attack of the review that a login could carry out on a book
migrated by an earlier version; each asserts the database's refusal, and that nothing
was written.
"""

from __future__ import annotations

import pytest

from tests.attacks.conftest import Book, balance_of, events, insert_event

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")

MILLION = 1_000_000_00
SHADOWS = {
    "an unlimited temp authority table": (
        "CREATE TEMP TABLE authority (kind text, subject text, limit_cents bigint, "
        "set_by text, set_us bigint)",
        "INSERT INTO authority VALUES ('login', session_user, NULL, 'me', 0)",
    ),
    "a temp pg_roles view that makes everyone a superuser": (
        "CREATE TEMP VIEW pg_roles AS SELECT rolname, true AS rolsuper, oid "
        "FROM pg_catalog.pg_roles",
    ),
    "a temp balance_event table the attacker owns": (
        "CREATE TEMP TABLE balance_event (customer_id bigint, sequence bigint, "
        "new_cents bigint, hash text)",
    ),
}


def test_a_login_may_not_create_temporary_objects_in_a_migrated_book(book: Book) -> None:
    with book.psql("ann") as cur, pytest.raises(psycopg2.Error, match="permission denied"):
        cur.execute("CREATE TEMP TABLE authority (kind text)")


@pytest.mark.parametrize("shadow", list(SHADOWS), ids=list(SHADOWS))
def test_a_temporary_shadow_does_not_lift_the_operators_authority(book: Book, shadow: str) -> None:
    """Even where a DBA gave TEMPORARY back, the triggers never read the attacker's objects."""
    book.grant_temporary("ann")
    with book.psql("ann") as cur:
        for statement in SHADOWS[shadow]:
            cur.execute(statement)
        before = (balance_of(cur), events(cur))
        with pytest.raises(psycopg2.Error, match="above the authority"):
            insert_event(cur, MILLION)
        assert (balance_of(cur), events(cur)) == before


def test_a_temp_balance_event_does_not_let_a_balance_move_off_its_events(book: Book) -> None:
    book.grant_temporary("ann")
    with book.psql("ann") as cur:
        cur.execute(
            "CREATE TEMP TABLE balance_event AS SELECT id AS customer_id, 1::bigint AS sequence, "
            "123456789::bigint AS new_cents, head_hash AS hash FROM customer"
        )
        with pytest.raises(psycopg2.Error, match="balance only changes with its event"):
            cur.execute(
                "UPDATE customer SET balance_cents = 123456789, event_count = 1 "
                "WHERE code = 'CUST_1'"
            )
        assert balance_of(cur) == 20_000_00


@pytest.mark.parametrize(
    "assignment",
    [
        "vip_level = 'diamond'",
        "status = 'active'",
        "name = 'Someone else'",
        "currency = 'EUR'",
        "agent_id = agent_id",
    ],
)
def test_an_operator_may_not_edit_a_customers_attributes(book: Book, assignment: str) -> None:
    with book.psql("ann") as cur, pytest.raises(psycopg2.Error, match="permission denied"):
        cur.execute(f"UPDATE customer SET {assignment} WHERE code = 'CUST_1'")


def test_a_head_hash_that_is_not_the_latest_events_is_refused(book: Book) -> None:
    with (
        book.psql("ann") as cur,
        pytest.raises(psycopg2.Error, match="balance only changes with its event"),
    ):
        cur.execute("UPDATE customer SET head_hash = repeat('f', 64) WHERE code = 'CUST_1'")


@pytest.mark.parametrize(
    ("sequence", "created_us", "refusal"),
    [
        ("1000000000000", "(SELECT MAX(created_us) FROM balance_event)", "out of its chain"),
        ("event_count", "(SELECT MAX(created_us) FROM balance_event)", "out of its chain"),
        (
            "event_count + 1",
            "(SELECT MAX(created_us) - 86400000000 FROM balance_event)",
            "before its previous event",
        ),
        (
            "event_count + 1",
            "(EXTRACT(EPOCH FROM now()) * 1000000)::bigint + 86400000000",
            "ahead of the database server's clock",
        ),
    ],
    ids=["sequence 10^12", "a sequence again", "backdated a day", "a day in the future"],
)
def test_an_event_off_its_customers_chain_or_clock_is_refused(
    book: Book, sequence: str, created_us: str, refusal: str
) -> None:
    with book.psql("ann") as cur:
        with pytest.raises(psycopg2.Error, match=refusal):
            insert_event(cur, 5_00, sequence=sequence, created_us=created_us)
        assert events(cur) == 1
        insert_event(cur, 5_00)  # the same change, in order, is taken
        assert events(cur) == 2


def test_an_alert_inserted_acknowledged_records_the_real_acknowledger(book: Book) -> None:
    """The row names the login that wrote it, whatever it claims; and without its audit
    record it is not committed at all."""
    with book.psql("ann") as cur:
        cur.execute("BEGIN")
        cur.execute(
            """INSERT INTO alert (customer_id, alert_type, message, balance_cents, created_us,
                 acknowledged_us, acknowledged_by, acknowledged_db_user)
               SELECT id, 'low_balance', 'x', 0, 1, 2, 'Bob', 'someone_else'
               FROM customer WHERE code = 'CUST_1' RETURNING acknowledged_db_user"""
        )
        assert cur.fetchone()[0] == book.login("ann")
        with pytest.raises(psycopg2.Error, match="without the audit record"):
            cur.execute("COMMIT")
        cur.execute("ROLLBACK")
        cur.execute("SELECT count(*) FROM alert")
        assert cur.fetchone()[0] == 0
