"""PostgreSQL enforces authority itself: a login with psql cannot go around the app.

Logins are made in the test (holding the balance_* roles that ``migrate`` creates and
grants) and dropped afterwards; every statement here goes through a plain psycopg2
connection as that login, not through the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from decimal import Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")


@pytest.fixture
def book(pg_logins: Callable[[str, str], str], clock) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    urls = {
        name: pg_logins(name, role)
        for name, role in (
            ("ann", "operator"),
            ("bob", "supervisor"),
            ("dan", "auditor"),
            ("ada", "admin"),
        )
    }
    opened = []

    def services(name: str) -> Services:
        database = connect(urls[name])
        opened.append(database)
        return build_services(database, Settings(operator=name), clock, operator=name)

    ada = services("ada")
    ada.manager.create_customer("CUST_1", "AG_1", vip_level="platinum")
    assert ada.manager.update_balance(
        "CUST_1", None, Decimal("20000"), "deposit", "seed", "ada"
    ).success
    yield {"urls": urls, "services": services}
    for database in opened:
        database.close()


def _plain(url: str):  # type: ignore[no-untyped-def]
    base, _, options = url.partition("?options=")
    conn = psycopg2.connect(base, options=f"-csearch_path={options.split('%3D')[-1]}")
    conn.autocommit = True
    return conn


def _event_row(cur, cents: int, approval_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    cur.execute(
        """INSERT INTO balance_event (customer_id, sequence, agent_code, currency, change_type,
             amount_cents, previous_cents, new_cents, reason, performed_by, db_user, vip_level,
             metadata_json, risk_score, warnings_json, created_us, prev_hash, hash,
             approval_id, chain_version)
           SELECT id, event_count + 1, 'AG_1', 'USD', 'deposit', %s, balance_cents,
             balance_cents + %s, 'psql', 'the_boss', 'the_boss', vip_level, '{}', 0, '[]',
             (SELECT MAX(created_us) FROM balance_event), head_hash, repeat('f', 64), %s, 2
           FROM customer WHERE code = 'CUST_1'""",
        (cents, cents, approval_id),
    )


def test_a_direct_insert_above_the_posters_authority_is_refused(book) -> None:  # type: ignore[no-untyped-def]
    with closing(_plain(book["urls"]["ann"])) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error, match="above the authority"):
            _event_row(cur, 50_000_00)
        _event_row(cur, 5_00)  # within authority the database lets it in (verify will not)
        cur.execute("SELECT db_user FROM balance_event ORDER BY id DESC LIMIT 1")
        assert cur.fetchone()[0] != "the_boss"  # recorded as the real login


_DECISION = (
    "INSERT INTO approval_decision (request_id, verdict, checker, checker_label, note, "
    "decided_us) VALUES (%s, 'approved', 'someone_else', 'x', '', 1)"
)


def test_a_direct_insert_linked_to_an_unapproved_or_self_approved_request_is_refused(book) -> None:  # type: ignore[no-untyped-def]
    ann = book["services"]("ann")
    request = ann.manager.update_balance(
        "CUST_1", None, Decimal("15000"), "deposit", "big", "ann"
    ).request
    assert request is not None
    with closing(_plain(book["urls"]["ann"])) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error, match=r"does not apply approval request #\d+"):
            _event_row(cur, 15_000_00, request.id)  # pending: not approved
        with pytest.raises(psycopg2.Error, match="permission denied"):
            cur.execute(_DECISION, (request.id,))  # an operator decides nothing
        with pytest.raises(psycopg2.Error, match="permission denied"):
            cur.execute("DELETE FROM approval_request")
    bob = book["services"]("bob")
    own = bob.manager.update_balance(
        "CUST_1", None, Decimal("150000"), "deposit", "bigger", "bob"
    ).request
    assert own is not None
    with (
        closing(_plain(book["urls"]["bob"])) as conn,
        conn.cursor() as cur,
        pytest.raises(psycopg2.Error, match=r"maker of approval request #\d+ cannot decide"),
    ):
        cur.execute(_DECISION, (own.id,))


def test_a_supervisor_approves_and_the_event_is_linked(book) -> None:  # type: ignore[no-untyped-def]
    ann, bob = book["services"]("ann"), book["services"]("bob")
    request = ann.manager.update_balance(
        "CUST_1", None, Decimal("15000"), "deposit", "big", "ann"
    ).request
    result = bob.approvals.approve(request.id, "bob")
    assert result.status == "applied"
    with closing(_plain(book["urls"]["dan"])) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT approval_id, db_user FROM balance_event WHERE id = %s", (result.event.id,)
        )
        approval_id, db_user = cur.fetchone()
    assert approval_id == request.id
    assert db_user.startswith("bob_")


def test_direct_balance_update_and_trail_edits_are_refused(book) -> None:  # type: ignore[no-untyped-def]
    with closing(_plain(book["urls"]["ann"])) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error, match="balance only changes with its event"):
            cur.execute("UPDATE customer SET balance_cents = 99999999 WHERE code = 'CUST_1'")
        for statement in (
            "UPDATE balance_event SET reason = 'x'",
            "DELETE FROM balance_event",
            "DELETE FROM audit_record",
            "UPDATE authority SET limit_cents = NULL",
        ):
            with pytest.raises(psycopg2.Error, match="permission denied"):
                cur.execute(statement)


def test_the_auditor_reads_and_every_write_is_refused_by_the_database(book) -> None:  # type: ignore[no-untyped-def]
    with closing(_plain(book["urls"]["dan"])) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM balance_event")
        assert cur.fetchone()[0] == 1
        for statement in (
            "UPDATE customer SET name = 'x'",
            "INSERT INTO agent (code, name, created_us) VALUES ('X', 'x', 0)",
            "UPDATE alert SET acknowledged_us = 1",
            "INSERT INTO authority VALUES ('login', 'dan', NULL, 'dan', 0)",
        ):
            with pytest.raises(psycopg2.Error, match="permission denied"):
                cur.execute(statement)


def test_only_an_admin_sets_authority(book) -> None:  # type: ignore[no-untyped-def]
    from balance_tui.domain.errors import NotAuthorisedError

    bob, ada = book["services"]("bob"), book["services"]("ada")
    with pytest.raises(NotAuthorisedError, match="Only an admin"):
        bob.authority.set_authority("operator", "1000000", "bob")
    ada.authority.set_authority("operator", "20000", "ada")
    ann = book["services"]("ann")
    assert ann.authority.identity("ann").authority == Decimal("20000.00")
    assert (
        ann.manager.update_balance(
            "CUST_1", None, Decimal("15000"), "deposit", "now within", "ann"
        ).status
        == "applied"
    )
