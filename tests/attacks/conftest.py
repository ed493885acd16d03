"""A PostgreSQL book with real logins, and psql-like connections to attack it with.

Each login is made for the test, holds one ``balance_<role>`` group role, and is dropped
afterwards (``pg_logins``). Attacks go through a plain psycopg2 connection as that login,
the same as psql: nothing of the app stands between the attacker and the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from typing import Any

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect

psycopg2 = pytest.importorskip("psycopg2")

LOGINS = (("ann", "operator"), ("bob", "supervisor"), ("cat", "supervisor"), ("dan", "auditor"))


class Book:
    """The book's logins: ``services(name)`` is the app as that login, ``psql(name)`` a raw
    connection as that login (autocommit, so every statement stands alone)."""

    def __init__(self, urls: dict[str, str], clock: Any) -> None:
        self.urls = urls
        self.clock = clock
        self.opened: list[Any] = []

    def services(self, name: str) -> Services:
        database = connect(self.urls[name])
        self.opened.append(database)
        return build_services(database, Settings(operator=name), self.clock, operator=name)

    @contextmanager
    def psql(self, name: str) -> Iterator[Any]:
        base, _, options = self.urls[name].partition("?options=")
        schema = options.split("%3D")[-1]
        with closing(psycopg2.connect(base, options=f"-csearch_path={schema}")) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                yield cur

    def login(self, name: str) -> str:
        return self.urls[name].split("://", 1)[1].split("@", 1)[0]

    def grant_temporary(self, name: str) -> None:
        """What a DBA who hands TEMPORARY back would do (dropped with the login)."""
        with self.psql("owner") as cur:
            cur.execute("SELECT current_database()")
            database = cur.fetchone()[0]
            cur.execute(f'GRANT TEMPORARY ON DATABASE "{database}" TO {self.login(name)}')


@pytest.fixture
def book(pg_logins: Callable[[str, str], str], postgres_url: str, clock: Any) -> Iterator[Book]:
    """CUST_1 (diamond) holding 20,000.00, posted by the owner; ann an operator (10,000.00),
    bob and cat supervisors (100,000.00), dan an auditor."""
    urls = {name: pg_logins(name, role) for name, role in LOGINS}
    urls["owner"] = postgres_url
    made = Book(urls, clock)
    owner = made.services("owner")
    owner.manager.create_customer("CUST_1", "AG_1", vip_level="diamond")
    assert owner.manager.update_balance(
        "CUST_1", None, Decimal("20000"), "deposit", "seed", "owner"
    ).success
    yield made
    for database in made.opened:
        database.close()


def insert_event(
    cur: Any,
    cents: int,
    *,
    approval_id: int | None = None,
    change_type: str = "deposit",
    reason: str = "psql",
    metadata: str = "{}",
    sequence: str = "event_count + 1",
    created_us: str = "(SELECT MAX(created_us) FROM {schema}.balance_event)",
) -> None:
    """Append an event to CUST_1 as the connection's login, following its chain (the
    book's table named with its schema, past any temporary table of the attacker's)."""
    cur.execute("SELECT current_schema()")
    schema = cur.fetchone()[0]
    created_us = created_us.format(schema=schema)
    cur.execute(
        f"""INSERT INTO {schema}.balance_event (customer_id, sequence, agent_code, currency,
             change_type, amount_cents, previous_cents, new_cents, reason, performed_by,
             db_user, vip_level, metadata_json, risk_score, warnings_json, created_us,
             prev_hash, hash, approval_id, chain_version)
           SELECT id, {sequence}, 'AG_1', 'USD', %s, %s, balance_cents, balance_cents + %s,
             %s, 'psql', 'psql', vip_level, %s, 0, '[]', {created_us}, head_hash,
             repeat('f', 64), %s, 2 FROM customer WHERE code = 'CUST_1'""",
        (change_type, cents, cents, reason, metadata, approval_id),
    )


def move_customer(cur: Any) -> None:
    """Move CUST_1's balance, count and head to its latest event, as the app does."""
    cur.execute(
        """UPDATE customer c SET balance_cents = e.new_cents, event_count = e.sequence,
             head_hash = e.hash
           FROM balance_event e WHERE c.code = 'CUST_1' AND e.customer_id = c.id
             AND e.sequence = (SELECT MAX(sequence) FROM balance_event WHERE customer_id = c.id)"""
    )


def balance_of(cur: Any) -> int:
    cur.execute("SELECT balance_cents FROM customer WHERE code = 'CUST_1'")
    return int(cur.fetchone()[0])


def events(cur: Any) -> int:
    cur.execute("SELECT COUNT(*) FROM balance_event")
    return int(cur.fetchone()[0])
