"""A small book on each backend, and a fingerprint of everything it holds.

Every hostile case asserts that the book is unchanged afterwards: the same rows in agent,
customer, balance_event and alert (refused attempts are *recorded* by design, in
rejected_attempt, so that table may gain a row) and that ``verify`` still passes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect, initialize_balance_tables

BOOK_TABLES = ("agent", "customer", "balance_event", "alert")


def fingerprint(services: Services, tables: tuple[str, ...] = BOOK_TABLES) -> str:
    """sha256 over every row of the book's tables, in id order."""
    digest = hashlib.sha256()
    for table in tables:
        rows = services.db.execute_sql(f"SELECT * FROM {table} ORDER BY id").fetchall()
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


def make_book(url: str, clock) -> Book:  # type: ignore[no-untyped-def]
    db = connect(url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="setup")
    manager = services.manager
    manager.create_customer("C1", "A1", name="Ada", vip_level="gold")
    manager.create_customer("E1", "A1", name="Eve", vip_level="silver", currency="EUR")
    manager.update_balance("C1", None, "1500", "deposit", "seed", "setup")
    manager.update_balance("C1", None, "-600", "adjustment", "seed", "setup")  # -> 900: alert
    manager.update_balance("E1", None, "200", "deposit", "seed", "setup")
    book = Book(services, url)
    book.snapshot()
    return book


@pytest.fixture
def book(db_url, clock) -> Iterator[Book]:  # type: ignore[no-untyped-def]
    book = make_book(db_url, clock)
    yield book
    book.services.db.close()


@pytest.fixture
def sqlite_book(sqlite_url, clock) -> Iterator[Book]:  # type: ignore[no-untyped-def]
    book = make_book(sqlite_url, clock)
    yield book
    book.services.db.close()


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.endswith("\n")
