"""Who is acting and how far they may go: the session's identity and the authority table.

On PostgreSQL the identity is the session's login and its roles come from the server; the
label (``--operator``) is only displayed and stored beside it. On SQLite there are no
database users: the identity is the operator name the caller gives (or the configured one)
with the role the book names for it (``store.operators``): the first operator of a new book
is its admin, anyone the book does not name an operator. A terminal's configured role may
lower what the book or the server gives, never raise it. Whoever can write a SQLite file
can still do anything to it (README: "Authority").
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from balance_tui.domain.authority import ROLES, AuthorityEntry, Identity
from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.domain.inputs import MAX_NAME, check_text
from balance_tui.domain.money import cents_to_decimal, parse_amount, to_cents, typed_currency
from balance_tui.services import audit_records
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import from_us
from balance_tui.store import authority as store
from balance_tui.store import operators, roles
from balance_tui.store.roles import RoleSetUp


def lowered(held: frozenset[str], cap: str) -> frozenset[str]:
    """``held`` with every role above ``cap`` lowered to it (a terminal never raises)."""
    rank = ROLES.index(cap)
    kept = {role for role in held if ROLES.index(role) <= rank}
    return frozenset(kept | ({cap} if len(kept) < len(held) else set()))


def strongest(roles: frozenset[str]) -> str:
    held = [role for role in ROLES if role in roles]
    return held[-1] if held else "auditor"


def _limit(cents: int | None) -> Decimal | None:
    return None if cents is None else cents_to_decimal(cents)


class AuthorityService(ServiceBase):
    """The acting identity, and the table of authorities (read by all, set by admins)."""

    @cached_property
    def _session_roles(self) -> frozenset[str]:
        return store.session_roles(self.db)

    def login_for(self, label: str) -> str:
        """Who the database will record for an action labelled ``label`` (on SQLite the
        name itself, spaces around it dropped: "ann " is ann)."""
        return self.session_user() or label.strip()

    def limit_cents(self, label: str) -> int | None:
        """The acting identity's authority in cents (None: unlimited), read now (inside the
        caller's transaction when there is one)."""
        if self.postgres:
            return store.session_limit(self.db)
        return store.limit_of(self.db, label, strongest(self.roles(label)))

    def roles(self, label: str | None = None) -> frozenset[str]:
        """The acting identity's roles (PostgreSQL: from the server, read once; SQLite: the
        book's for ``label``), lowered to the terminal's configured role."""
        if self.postgres:
            held = self._session_roles
        else:
            name = (label or self.settings.operator_name()).strip()
            held = frozenset({self.book_role(name)})
        return lowered(held, self.settings.role)

    def book_role(self, name: str) -> str:
        """SQLite: the role the book gives ``name``: its own, else operator; a book that
        names nobody yet (made through the API, never opened by balance-tui) has no
        operators to tell, so everyone in it is admin until one is named."""
        named = operators.role_of(self.db, name)
        if named is not None:
            return named
        return "operator" if operators.has_operators(self.db) else "admin"

    def require_writer(self, label: str) -> None:
        """Refuse (before the database would) an identity that holds no writing role."""
        roles = self.roles(label)
        if roles & {"operator", "supervisor", "admin"}:
            return
        held = " and ".join(sorted(roles)) or "given no balance role"
        raise NotAuthorisedError(
            f"{self.login_for(label)} is {held}: without an operator role it changes nothing."
        )

    def identity(self, label: str | None = None) -> Identity:
        """The acting identity; ``label`` defaults to the configured operator name."""
        label = label or self.settings.operator_name()
        limit = _limit(self.limit_cents(label))
        return Identity(self.login_for(label), label, self.roles(label), limit)

    def set_up_roles(self, prefix: str | None = None) -> RoleSetUp:
        """PostgreSQL: give the book its own roles (if this login may create them) and
        grant them on this schema; says what a DBA must still run."""
        try:
            return roles.set_up_roles(self.db, prefix)
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None

    def entries(self) -> list[AuthorityEntry]:
        with self.read_snapshot():
            rows = store.rows(self.db)
        return [
            AuthorityEntry(kind, subject, _limit(cents), by, from_us(at))
            for kind, subject, cents, by, at in rows
        ]

    def set_authority(
        self, subject: str, amount: str | Decimal | int, set_by: str
    ) -> AuthorityEntry:
        """Set a role's (``operator``...) or one login's authority; ``unlimited`` removes
        the limit. Only admins may."""
        label = check_text(set_by, "Operator", MAX_NAME)
        me = self.identity(label)
        if not me.may_administer:
            raise NotAuthorisedError(
                f"Only an admin may change authority; {me.login} is {me.role}."
            )
        subject = check_text(subject, "Role or login", MAX_NAME)
        kind = "role" if subject in ROLES else "login"
        if kind == "login" and self.postgres and not store.login_exists(self.db, subject):
            raise InvalidInputError(
                f"No role or login {subject!r} on this server (roles: {', '.join(ROLES)})."
            )
        text = str(amount).strip()
        if typed_currency(text):
            raise InvalidInputError(
                "An authority holds in each customer's own currency: give it without a "
                "currency sign."
            )
        if text.lower() in {"unlimited", "none"}:
            cents: int | None = None
        else:
            cents = parse_amount(text) if isinstance(amount, str) else to_cents(amount)
            if cents < 0:
                raise InvalidInputError("An authority is a size of change: give 0 or more.")
        now_us = self.now_us()

        def write() -> None:
            store.set_limit(self.db, kind, subject, cents, me.login, now_us)
            audit_records.record(self.db, "authority", [f"{kind}:{subject}"], now_us)

        self.transact(write)
        return AuthorityEntry(kind, subject, _limit(cents), me.login, from_us(now_us))
