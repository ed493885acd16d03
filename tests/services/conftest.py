"""People at one desk on both backends: on PostgreSQL every person is a real login holding
one of the book's roles (made in the test); on SQLite a person is an operator name whose
role the book names (set by the book's first operator, its admin), as the README describes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect, initialize_balance_tables


@dataclass
class Person:
    services: Services
    #: What the book records as this person's identity (PG: the login; SQLite: the name).
    login: str
    name: str

    def post(self, amount: str, kind: str = "deposit", reason: str = "funds"):  # type: ignore[no-untyped-def]
        return self.services.manager.update_balance(
            "CUST_1", None, Decimal(amount), kind, reason, self.name
        )


Staff = Callable[[str, str], Person]


@pytest.fixture
def staff(db_url: str, clock, request: pytest.FixtureRequest) -> Iterator[Staff]:  # type: ignore[no-untyped-def]
    opened = []
    postgres = db_url.startswith("postgresql")
    if postgres:
        make_login = request.getfixturevalue("pg_logins")
    else:
        owner = connect(db_url)
        opened.append(owner)
        initialize_balance_tables(owner)
        book_admin = build_services(owner, Settings(operator="owner"), clock)
        assert book_admin.operators.claim_first_admin("owner")

    def person(name: str, role: str) -> Person:
        if postgres:
            url = make_login(name, role)
            login = url.split("://", 1)[1].split("@", 1)[0]
            settings = Settings(operator=name)
        else:
            book_admin.operators.set_role(name, role, "owner")
            url, login, settings = db_url, name, Settings(operator=name)
        database = connect(url)
        opened.append(database)
        return Person(build_services(database, settings, clock, operator=name), login, name)

    yield person
    for database in opened:
        database.close()


@pytest.fixture
def desk(staff: Staff) -> dict[str, Person]:
    people = {
        "ada": staff("ada", "admin"),
        "ann": staff("ann", "operator"),
        "bob": staff("bob", "supervisor"),
        "cat": staff("cat", "supervisor"),
        "dan": staff("dan", "auditor"),
    }
    people["ann"].services.manager.create_customer("CUST_1", "AG_1", vip_level="platinum")
    assert people["ada"].post("20000").success
    return people
