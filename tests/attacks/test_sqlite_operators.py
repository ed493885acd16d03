"""SQLite: the book names its operators' roles. Its first operator is its admin, everyone
else an operator until an admin says otherwise; a terminal's settings lower a role, never
raise it; a role written with ``sqlite3`` is named by verify."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from balance_tui.config import Settings
from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.services import Services, open_services


def _open(path: Path, name: str, role: str = "admin") -> Services:
    return open_services(str(path), Settings(operator=name, role=role), operator=name)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    amy = _open(path, "amy")  # creates the book: its first operator
    amy.manager.create_customer("C1", "A1", vip_level="gold")
    assert amy.manager.update_balance("C1", None, Decimal("500"), "deposit", "seed", "amy").success
    amy.db.close()
    return path


def test_the_first_operator_is_admin_and_a_newcomer_an_operator(book: Path) -> None:
    eve = _open(book, "eve")
    assert eve.authority.identity("eve").role == "operator"
    with pytest.raises(NotAuthorisedError, match="Only an admin"):
        eve.authority.set_authority("operator", "unlimited", "eve")
    with pytest.raises(NotAuthorisedError, match="Only an admin"):
        eve.operators.set_role("eve", "admin", "eve")
    assert _open(book, "amy").authority.identity("amy").role == "admin"


def test_settings_lower_a_role_and_never_raise_it(book: Path) -> None:
    amy = _open(book, "amy")
    amy.operators.set_role("bob", "supervisor", "amy")
    assert _open(book, "bob", role="admin").authority.identity("bob").role == "supervisor"
    lowered = _open(book, "amy", role="auditor")
    assert lowered.authority.identity("amy").role == "auditor"
    refused = lowered.manager.update_balance("C1", None, Decimal("5"), "deposit", "r", "amy")
    assert not refused.success and "amy is auditor" in refused.validation.errors[0]


def test_the_book_keeps_an_admin(book: Path) -> None:
    amy = _open(book, "amy")
    with pytest.raises(InvalidInputError, match="only admin"):
        amy.operators.set_role("amy", "operator", "amy")
    amy.operators.set_role("bob", "admin", "amy")
    amy.operators.set_role("amy", "operator", "bob")
    assert {e.name: e.role for e in amy.operators.operators()} == {
        "amy": "operator",
        "bob": "admin",
    }
    assert amy.verifier.verify().ok


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE book_operator SET role = 'admin' WHERE name = 'bob'", "operator bob differs"),
        (
            "INSERT INTO book_operator VALUES ('eve', 'admin', 'amy', 1)",
            "operator eve has no audit record",
        ),
        ("DELETE FROM book_operator WHERE name = 'bob'", "operator bob was removed"),
    ],
    ids=["raised", "added", "removed"],
)
def test_a_role_written_with_sqlite3_is_named_by_verify(
    book: Path, statement: str, named: str
) -> None:
    _open(book, "amy").operators.set_role("bob", "supervisor", "amy")
    with sqlite3.connect(book) as conn:
        conn.execute(statement)
    problems = [p.problem for p in _open(book, "amy").verifier.verify().problems]
    assert len(problems) == 1 and named in problems[0], problems


@pytest.mark.postgres
def test_on_postgres_the_server_holds_the_roles(postgres_url: str) -> None:
    owner = open_services(postgres_url, Settings(operator="owner"), migrate=True)
    with pytest.raises(InvalidInputError, match="a DBA grants"):
        owner.operators.set_role("bob", "supervisor", "owner")
    owner.db.close()
