"""The audit chain's lock: a login that writes nothing cannot take it, and a writer who
holds it is named to whoever waits, within the write's lock timeout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from balance_tui.domain.errors import AuditChainBusyError
from tests.attacks.conftest import Book

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")

#: The advisory key the chain was once locked with ("audit" in ASCII).
OLD_ADVISORY_KEY = 0x6175646974


def _ask_approval(book: Book) -> str:
    made = book.services("ann").manager.update_balance(
        "CUST_1", None, Decimal("15000"), "deposit", "big", "ann"
    )
    return made.status


def test_an_auditor_cannot_take_the_audit_chains_lock(book: Book) -> None:
    with book.psql("dan") as cur, pytest.raises(psycopg2.Error, match="permission denied"):
        cur.execute("SELECT id FROM audit_chain_lock WHERE id = 1 FOR UPDATE")


def test_an_auditor_holding_the_old_advisory_key_stalls_nobody(book: Book) -> None:
    with book.psql("dan") as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (OLD_ADVISORY_KEY,))
        assert _ask_approval(book) == "pending_approval"


def test_a_writer_holding_the_chain_is_named_to_the_one_who_waits(book: Book) -> None:
    with book.psql("bob") as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT id FROM audit_chain_lock WHERE id = 1 FOR UPDATE")
        with pytest.raises(AuditChainBusyError, match=book.login("bob")):
            _ask_approval(book)
        cur.execute("ROLLBACK")
    assert _ask_approval(book) == "pending_approval"
