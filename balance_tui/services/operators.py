"""SQLite: who the book's operators are and which role each holds (admins name them).

PostgreSQL has logins and the book's roles on the server; there a DBA grants the role and
nothing here applies. Every change is audited; the book never lets its last admin go.
"""

from __future__ import annotations

from datetime import datetime

from peewee import OperationalError

from balance_tui.domain.authority import ROLES
from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.domain.inputs import MAX_NAME, check_text
from balance_tui.domain.record import record
from balance_tui.services import audit_records
from balance_tui.services.authority import AuthorityService
from balance_tui.services.clock import from_us
from balance_tui.store import operators as store
from balance_tui.store.roles import book_prefix

#: Who the first operator's role was set by.
FIRST_OPERATOR = "first operator of the book"


@record
class OperatorEntry:
    name: str
    role: str
    set_by: str
    set_at: datetime


class OperatorRoles(AuthorityService):
    """The book's operators and their roles (SQLite)."""

    def operators(self) -> list[OperatorEntry]:
        with self.read_snapshot():
            rows = store.rows(self.db) if not self.postgres else []
        return [OperatorEntry(n, r, by, from_us(at)) for n, r, by, at in rows]

    def set_role(self, name: str, role: str, set_by: str) -> OperatorEntry:
        """Give ``name`` a role in this book. Only an admin may; the last admin stays."""
        label = check_text(set_by, "Operator", MAX_NAME)
        name = check_text(name, "Operator name", MAX_NAME)
        if role not in ROLES:
            raise InvalidInputError(f"A role is one of {', '.join(ROLES)}; got {role!r}.")
        if self.postgres:
            raise InvalidInputError(
                "On PostgreSQL the server holds the roles: a DBA grants "
                f"{book_prefix(self.db)}_{role} to {name}'s login."
            )
        now_us = self.now_us()

        def write() -> None:
            me = self.identity(label)
            if not me.may_administer:
                raise NotAuthorisedError(
                    f"Only an admin names operators' roles; {me.login} is {me.role}."
                )
            if role != "admin" and self._last_admin(name):
                raise InvalidInputError(
                    f"{name} is the book's only admin: name another admin first."
                )
            self._write(name, role, label, now_us)

        self.transact(write)
        return OperatorEntry(name, role, label, from_us(now_us))

    def claim_first_admin(self, name: str) -> bool:
        """Make ``name`` the admin of a SQLite book that names no operator yet (the first
        operator of a new book, or the one who upgrades an older book). A terminal lowered
        below admin claims nothing; a file it may not write is left as it is."""
        if self.postgres or self.settings.role != "admin":
            return False

        def write() -> bool:
            if store.has_operators(self.db):
                return False
            self._write(name, "admin", FIRST_OPERATOR, self.now_us())
            return True

        try:
            return self.transact(write)
        except OperationalError:  # a read-only file: its readers claim nothing
            return False

    def _last_admin(self, name: str) -> bool:
        admins = [n for n, r, *_ in store.rows(self.db) if r == "admin"]
        return admins == [name]

    def _write(self, name: str, role: str, set_by: str, now_us: int) -> None:
        store.set_role(self.db, name, role, set_by, now_us)
        audit_records.record(self.db, "operator", [name], now_us)
