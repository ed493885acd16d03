"""``verify`` re-checks four eyes on the events that carry no approval: each must be within
its writer's authority as the book's authority table stood when it was written.

A login's own limit, when it had one then, is its authority. Otherwise its roles' limits
count, the most generous winning, as the database's ``balance_authority`` reads them. Who
held which role in the past is not on a PostgreSQL server: there the roles the login holds
now count (a login that no longer exists is given the most generous role). A SQLite book
names its operators' roles, each change audited: the role the book gave the operator name
then counts (operator for a name it did not give one; the most generous writing role
before the book named anyone, as the book then treated everyone). Superusers and the owner
of the book's tables are unlimited. On SQLite the writer is the operator name. The
roles' first limits (set when the book took up four eyes) count from the start; events
written before four eyes (chain version 1) are not checked.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from typing import Any

from peewee import Database

from balance_tui.domain.authority import ROLES
from balance_tui.domain.money import format_cents
from balance_tui.store import event_checks as store
from balance_tui.store.roles import book_prefix
from balance_tui.store.transactions import is_postgres

WRITING_ROLES = frozenset({"operator", "supervisor", "admin"})
#: (in force from, limit cents or None for unlimited), oldest first, per (kind, subject).
History = dict[tuple[str, str], list[tuple[int, int | None]]]


class AuthorityCheck:
    """Names every unapproved event above its writer's authority at that time."""

    def __init__(self, db: Database) -> None:
        self.history = _history(store.authority_records(db))
        self.db = db
        self.prefix = book_prefix(db) if is_postgres(db) else None
        self.writers: dict[str, tuple[bool, frozenset[str]]] = {}
        #: SQLite: (named at, name, role) of each role the book gave, oldest first.
        self.named = _named_roles(store.authority_records(db, "operator"))

    def check(self, row: Mapping[str, Any]) -> list[str]:
        login, at = row["db_user"] or row["performed_by"], int(row["created_us"])
        if row["approval_id"] is not None or int(row["chain_version"]) < 2:
            return []
        limit = self.authority_of(str(login), at)
        amount = abs(int(row["amount_cents"]))
        if limit is None or amount <= limit:
            return []
        return [
            f"event #{row['id']} changed the balance by {format_cents(amount)}, above the "
            f"authority of {login} then ({format_cents(limit)}), and carries no approval"
        ]

    def authority_of(self, login: str, at: int) -> int | None:
        """The login's authority in cents at ``at`` (None: unlimited)."""
        own = self._at(("login", login), at)
        if own is not None:
            return own[1]
        unlimited, roles = self._roles(login, at)
        if unlimited:
            return None
        best = 0
        for role in roles:
            entry = self._at(("role", role), at)
            if entry is None:
                continue
            if entry[1] is None:
                return None
            best = max(best, entry[1])
        return best

    def _roles(self, login: str, at: int) -> tuple[bool, frozenset[str]]:
        if self.prefix is None:
            return (False, self._book_roles(login, at))
        if login not in self.writers:
            found = store.writer_roles(self.db, login, self.prefix, ROLES)
            self.writers[login] = found or (False, WRITING_ROLES)
        return self.writers[login]

    def _book_roles(self, name: str, at: int) -> frozenset[str]:
        """SQLite: the role the book gave ``name`` at ``at``."""
        named = [entry for entry in self.named if entry[0] <= at]
        if not named:
            return WRITING_ROLES
        given = [role for _, who, role in named if who == name]
        return frozenset({given[-1] if given else "operator"})

    def _at(self, key: tuple[str, str], at: int) -> tuple[int, int | None] | None:
        entries = self.history.get(key)
        if not entries:
            return None
        index = bisect.bisect_right(entries, at, key=lambda entry: entry[0]) - 1
        return None if index < 0 else entries[index]


def _named_roles(records: list[tuple[str, int]]) -> list[tuple[int, str, str]]:
    named = [json.loads(body) for body, _ in records]
    return sorted(
        ((int(r["set_us"]), str(r["name"]), str(r["role"])) for r in named), key=lambda e: e[0]
    )


def _history(records: list[tuple[str, int]]) -> History:
    history: History = {}
    for body, _ in records:
        row = json.loads(body)
        since = int(row["set_us"] or 0)
        limit = None if row["limit_cents"] is None else int(row["limit_cents"])
        history.setdefault((row["kind"], row["subject"]), []).append((since, limit))
    for entries in history.values():
        entries.sort(key=lambda entry: entry[0])
    return history
