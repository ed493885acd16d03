"""A small book on each backend, and a fingerprint of everything it holds.

Every hostile case asserts that the book is unchanged afterwards: the same rows in every
table of the book (refused attempts are *recorded* by design, in rejected_attempt with
their audit record, so those may gain a row each) and that ``verify`` still passes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect, initialize_balance_tables

#: What a refused attempt may add: its row, and the audit record that vouches for it.
RECORDED_REFUSALS = {"rejected_attempt": None, "audit_record": "kind <> 'refusal'"}


def book_tables(services: Services) -> list[str]:
    """Every table of the book (both backends)."""
    db = services.db
    if services.manager.postgres:
        sql = (
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(str(row[0]) for row in db.execute_sql(sql))


def fingerprint(services: Services, tables: tuple[str, ...] | None = None) -> str:
    """sha256 over every row of ``tables`` (by default every table of the book, a
    refusal's own rows aside)."""
    digest = hashlib.sha256()
    for table in tables or book_tables(services):
        if table in RECORDED_REFUSALS and RECORDED_REFUSALS[table] is None:
            continue
        where = f" WHERE {RECORDED_REFUSALS[table]}" if table in RECORDED_REFUSALS else ""
        rows = sorted(map(repr, services.db.execute_sql(f"SELECT * FROM {table}{where}")))
        digest.update(f"{table}:{rows!r}".encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


@dataclass
class Book:
    services: Services
    url: str
    before: str = ""

    def snapshot(self) -> None:
        self.before = fingerprint(self.services)

    def assert_unchanged(self) -> None:
        self.services.db.close()  # a fresh connection: nothing cached from the failed call
        assert fingerprint(self.services) == self.before, "the book changed"
        report = self.services.verifier.verify()
        assert report.ok, report.problems


def make_book(url: str, clock, acting_as: str = "admin") -> Book:  # type: ignore[no-untyped-def]
    """The book, seeded; its services act as ``acting_as`` (SQLite: the configured role;
    an operator's hostile input above 10,000.00 reaches the four-eyes path)."""
    db = connect(url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="setup")
    manager = services.manager
    manager.create_customer("C1", "A1", name="Ada", vip_level="gold")
    manager.create_customer("E1", "A1", name="Eve", vip_level="silver", currency="EUR")
    manager.update_balance("C1", None, "1500", "deposit", "seed", "setup")
    manager.update_balance("C1", None, "-600", "adjustment", "seed", "setup")  # -> 900: alert
    manager.update_balance("E1", None, "200", "deposit", "seed", "setup")
    if acting_as != "admin":
        services = build_services(db, Settings(operator="op", role=acting_as), clock, "op")
    book = Book(services, url)
    book.snapshot()
    return book


@pytest.fixture(
    params=[
        ("sqlite", "admin"),
        ("sqlite", "operator"),
        pytest.param(("postgres", "admin"), marks=pytest.mark.postgres),
    ],
    ids=["sqlite", "sqlite-operator", "postgres"],
)
def book(clock, request: pytest.FixtureRequest) -> Iterator[Book]:  # type: ignore[no-untyped-def]
    """Each hostile case on each backend as an admin, and on SQLite as an operator too (a
    PostgreSQL login's role is the server's: the attacks suite covers those logins)."""
    backend, acting_as = request.param
    url = str(request.getfixturevalue(f"{backend}_url"))
    book = make_book(url, clock, acting_as)
    yield book
    book.services.db.close()


@pytest.fixture
def sqlite_book(sqlite_url, clock) -> Iterator[Book]:  # type: ignore[no-untyped-def]
    book = make_book(sqlite_url, clock)
    yield book
    book.services.db.close()


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.endswith("\n")
