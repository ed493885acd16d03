"""Every service over one database, built once: what the CLI and the TUI hold."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import field
from typing import TYPE_CHECKING, Any, TypeVar

from peewee import Database
from peewee import DatabaseError as PeeweeDatabaseError

from balance_tui.config import Settings, load_settings
from balance_tui.domain.errors import NotAuthorisedError
from balance_tui.domain.record import record
from balance_tui.domain.tiers import DEFAULT_RULEBOOK
from balance_tui.services.approvals import ApprovalDesk
from balance_tui.services.authority import AuthorityService
from balance_tui.services.clock import Clock, to_us, utc_now
from balance_tui.services.feed import ChangeFeed, feed_for
from balance_tui.services.manager import BalanceManager
from balance_tui.services.notifications import BalanceNotificationService
from balance_tui.store.connection import (
    connect,
    describe_database,
    empty_sqlite_file,
    environment_database,
)
from balance_tui.store.schema import initialize_balance_tables, require_current_schema
from balance_tui.store.transactions import (
    is_postgres,
    privilege_refusal,
    server_clock_us,
    session_problem,
)

if TYPE_CHECKING:
    from balance_tui.services.analytics import BalanceAnalyticsService
    from balance_tui.services.audit import BalanceAuditTrail
    from balance_tui.services.checkpoints import CheckpointService
    from balance_tui.services.customer_changes import CustomerChanges
    from balance_tui.services.operators import OperatorRoles
    from balance_tui.services.rules import RulesService
    from balance_tui.services.verification import ChainVerifier

S = TypeVar("S")


@record
class Services:
    """The services of one database, sharing its clock, settings and change feed."""

    db: Database
    settings: Settings
    clock: Clock
    feed: ChangeFeed
    manager: BalanceManager
    notifications: BalanceNotificationService
    approvals: ApprovalDesk
    authority: AuthorityService
    operator: str
    database_label: str
    #: Something the operator should know about how the book was opened, or "".
    note: str = ""
    #: The migrations applied when the book was opened (names), if any.
    migrations_applied: tuple[str, ...] = ()
    #: The services built on first use (below), by name; a copy (``dataclasses.replace``)
    #: builds its own, with its own settings.
    _built: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _building: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    # History, analytics, verification and checkpoints are built, and their modules
    # imported, the first time they are asked for: the first screen needs none of them.

    @property
    def audit(self) -> BalanceAuditTrail:
        from balance_tui.services.audit import BalanceAuditTrail

        return self._on_first_use("audit", BalanceAuditTrail)

    @property
    def analytics(self) -> BalanceAnalyticsService:
        from balance_tui.services.analytics import BalanceAnalyticsService

        return self._on_first_use("analytics", BalanceAnalyticsService)

    @property
    def verifier(self) -> ChainVerifier:
        from balance_tui.services.verification import ChainVerifier

        return self._on_first_use("verifier", ChainVerifier)

    @property
    def customer_changes(self) -> CustomerChanges:
        from balance_tui.services.customer_changes import CustomerChanges

        return self._on_first_use("customer_changes", CustomerChanges)

    @property
    def rules(self) -> RulesService:
        from balance_tui.services.rules import RulesService

        return self._on_first_use("rules", RulesService)

    @property
    def operators(self) -> OperatorRoles:
        from balance_tui.services.operators import OperatorRoles

        return self._on_first_use("operators", OperatorRoles)

    @property
    def checkpoints(self) -> CheckpointService:
        from balance_tui.services.checkpoints import CheckpointService

        return self._on_first_use("checkpoints", CheckpointService)

    def _on_first_use(self, name: str, kind: Callable[..., S]) -> S:
        with self._building:
            if name not in self._built:
                self._built[name] = kind(
                    self.db, self.clock, settings=self.settings, feed=self.feed
                )
            built: S = self._built[name]
            return built


def build_services(
    db: Database,
    settings: Settings | None = None,
    clock: Clock | None = None,
    operator: str | None = None,
) -> Services:
    """Services over an open (and initialised) database."""
    settings = settings or load_settings()
    clock = clock or utc_now
    feed = feed_for(db)
    return Services(
        db=db,
        settings=settings,
        clock=clock,
        feed=feed,
        manager=BalanceManager(db, clock, settings=settings, feed=feed),
        notifications=BalanceNotificationService(db, clock, settings=settings, feed=feed),
        approvals=ApprovalDesk(db, clock, settings=settings, feed=feed),
        authority=AuthorityService(db, clock, settings=settings, feed=feed),
        operator=operator or settings.operator_name(),
        database_label=describe_database(db),
    )


def open_services(
    url: str | None = None,
    settings: Settings | None = None,
    clock: Clock | None = None,
    operator: str | None = None,
    *,
    migrate: bool | None = None,
) -> Services:
    """Connect (URL, else settings, else environment, else the default file), build.

    ``migrate``: apply pending migrations (the ``migrate`` command). By default a SQLite
    file migrates itself (a single-user file needs no ceremony), while PostgreSQL only reads
    the schema version and refuses a book with pending migrations: there the schema owner
    runs ``balance-tui migrate``, and operators' logins need no right to create tables."""
    settings = settings or load_settings()
    # The command line, then the environment, then the config file (as the README says).
    target = url or environment_database() or settings.database_url
    empty = empty_sqlite_file(target)
    db = connect(target)
    if migrate is None:
        migrate = not is_postgres(db)
    try:
        if migrate:
            applied = initialize_balance_tables(db)
        else:
            applied = []
            with thread_session(db):
                require_current_schema(db)
        services = build_services(db, settings, clock, operator)
        if is_postgres(db) and not (operator or settings.operator):
            # No label given: the database login is who acts, so it is the name shown
            # (not the OS login of the terminal, "root" in a container).
            with thread_session(db):
                login = services.manager.session_user()
            services = dataclasses.replace(services, operator=login or services.operator)
        services = dataclasses.replace(services, migrations_applied=tuple(applied))
        if applied:  # this opening made or upgraded the book: it is writing anyway
            _claim_first_admin(services)
        notes = [_rules_note(services, new_book="0001_initial" in applied), _clock_note(services)]
    except PeeweeDatabaseError as exc:
        refusal = privilege_refusal(exc)
        if refusal is None:
            raise
        raise NotAuthorisedError(
            f"The database refused {describe_database(db)}: {refusal} (reading the book "
            "needs one of its roles; a DBA grants it)."
        ) from None
    if empty is not None and applied:
        notes.insert(0, f"{empty} was an empty file; it is now a new balance-tui book.")
    return dataclasses.replace(services, note=" ".join(n for n in notes if n))


#: How far a terminal's clock may be from the PostgreSQL server's before it is told.
CLOCK_SKEW_TOLERANCE_US = 5_000_000


def _clock_note(services: Services) -> str:
    """PostgreSQL: a terminal whose clock is off the server's is told by how much (changes
    are dated by the server's clock; the times this terminal shows relative to now are not)."""
    with thread_session(services.db):
        server_us = server_clock_us(services.db)
    if server_us is None:
        return ""
    skew = to_us(services.clock()) - server_us
    if abs(skew) <= CLOCK_SKEW_TOLERANCE_US:
        return ""
    side = "ahead of" if skew > 0 else "behind"
    return (
        f"This terminal's clock is {_duration(abs(skew))} {side} the database server's; "
        'changes are dated by the server, but what this terminal says of "now" is off: '
        "set the clock."
    )


def _duration(us: int) -> str:
    """The two largest units of a duration: "1 d 2 h", "3 min 12 s", "7 s"."""
    seconds = (us + 500_000) // 1_000_000  # to the nearest second
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    units = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    shown = [f"{n} {unit}" for n, unit in units if n][:2]
    return " ".join(shown) or "0 s"


def database_problem(exc: BaseException) -> str | None:
    """A database error the session's settings or the book file's mode cause, in one
    line (a read-only book, a statement timeout, a missing schema), else None."""
    return session_problem(exc)


def _claim_first_admin(services: Services) -> None:
    """SQLite: whoever creates a book, or upgrades one that names no operator, is its
    admin. (Any other opening only reads: a reader never writes.)"""
    if not is_postgres(services.db):
        with thread_session(services.db):
            services.operators.claim_first_admin(services.operator)


def _rules_note(services: Services, *, new_book: bool) -> str:
    """A new book takes its creator's tier settings; any other book keeps its own rules,
    and a terminal whose settings differ is told so."""
    if services.settings.rulebook == DEFAULT_RULEBOOK:
        return ""  # nothing of this terminal's own to seed or to differ
    rules = services.rules
    with thread_session(services.db):
        if new_book:
            rules.seed(services.settings.rulebook, f"settings of {services.operator}")
            return ""
        return rules.disagreement(services.settings.rulebook)


@contextmanager
def thread_session(db: Database) -> Iterator[None]:
    """A connection for the calling thread, closed afterwards if this opened it.

    UI workers run on short-lived threads; without this each would leave a connection open.
    """
    opened = db.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if opened:
            db.close()
