"""What every service shares: the database, the clock, the rules in force and the feed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cached_property
from typing import TypeVar

from peewee import Database, OperationalError
from peewee import DatabaseError as PeeweeDatabaseError

from balance_tui.config import Settings, load_settings
from balance_tui.domain.errors import NotAuthorisedError, RefusedByDatabaseError, StorageError
from balance_tui.domain.tiers import BalanceValidationRules, RuleBook
from balance_tui.services.clock import Clock, to_us, utc_now
from balance_tui.services.feed import ChangeFeed, feed_for
from balance_tui.store import transactions
from balance_tui.store.connection import wait_bound
from balance_tui.store.transactions import NOTIFY_CHANNEL, is_postgres

T = TypeVar("T")

#: Attempts of one write transaction before giving up on a busy or conflicting database.
WRITE_ATTEMPTS = 5
__all__ = ["NOTIFY_CHANNEL", "ServiceBase", "is_retryable", "reporting_waits"]
#: SQLSTATEs worth retrying: serialization failure, deadlock, lock not available.
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def is_retryable(exc: BaseException) -> bool:
    """A failure another attempt may not meet: SQLite busy/locked, PG conflicts and timeouts."""
    text = str(exc).lower()
    if "database is locked" in text or "database is busy" in text:
        return True
    code = getattr(getattr(exc, "orig", None) or exc, "pgcode", None)
    code = code or getattr(getattr(exc, "__cause__", None), "pgcode", None)
    return code in RETRYABLE_SQLSTATES or "lock timeout" in text or "deadlock" in text


#: This thread's listener for a write that waits: called with (attempt, seconds waited).
_WAIT_LISTENER: ContextVar[Callable[[int, float], None] | None] = ContextVar(
    "wait_listener", default=None
)


@contextmanager
def reporting_waits(listener: Callable[[int, float], None]) -> Iterator[None]:
    """While inside, a write of this thread that retries tells ``listener`` each attempt
    and the seconds waited so far (a form shows them)."""
    token = _WAIT_LISTENER.set(listener)
    try:
        yield
    finally:
        _WAIT_LISTENER.reset(token)


def _report_wait(attempt: int, waited: float) -> None:
    listener = _WAIT_LISTENER.get()
    if listener is not None:
        listener(attempt, waited)


class ServiceBase:
    """Holds the database, an injectable clock, the rule book and the change feed.

    ``settings`` defaults to what the environment and config file say; tests pass their own.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        *,
        settings: Settings | None = None,
        feed: ChangeFeed | None = None,
    ) -> None:
        self.db = db
        self.clock: Clock = clock or utc_now
        self.settings = settings or load_settings()
        self.feed = feed or feed_for(db)
        self.postgres = is_postgres(db)
        #: PostgreSQL dates what is written by the server's clock, one clock for every
        #: terminal; a clock given by the caller (tests, screenshots) is used as given.
        self.server_dated = self.postgres and self.clock is utc_now

    @property
    def rulebook(self) -> RuleBook:
        """The tier rules in force: the book's (never this terminal's settings)."""
        from balance_tui.services.rules import read_rulebook

        return read_rulebook(self.db)

    def rules_for(self, tier: str) -> BalanceValidationRules:
        """One tier's rules in force (the book's): what a single change is checked against."""
        from balance_tui.services.rules import read_rules

        return read_rules(self.db, tier)

    @property
    def drop_share(self) -> Decimal:
        return self.settings.significant_drop_share

    def now_us(self) -> int:
        """Now, as events are dated: the server's clock on PostgreSQL, else the clock's."""
        if self.server_dated:
            server_us = transactions.server_clock_us(self.db)
            if server_us is not None:
                return server_us
        return to_us(self.clock())

    def newer_book(self) -> str | None:
        """Why this program may only read the book (a newer program wrote it), or None."""
        return transactions.newer_book(self.db)

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        """One transaction holding the write lock (see ``store.transactions``)."""
        with transactions.write_transaction(self.db):
            yield

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """One consistent snapshot for a read of several statements; never blocks writers."""
        with transactions.read_snapshot(self.db):
            yield

    def transact(self, work: Callable[[], T]) -> T:
        """Run ``work`` in a write transaction, retrying when the database is busy, a lock
        times out, or PostgreSQL reports a conflict: at most ``WRITE_ATTEMPTS`` times and
        within one bound on the whole wait (the connection's lock timeout), never more.
        Each retry is told to the ``reporting_waits`` listener of this thread, if any."""
        if self.db.in_transaction():
            with self.write_transaction():  # inside a caller's transaction: no retry here
                return work()
        started = time.monotonic()
        deadline = started + wait_bound(self.db)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            if attempt > 1:
                _report_wait(attempt, time.monotonic() - started)
            try:
                with transactions.write_transaction(self.db, deadline - time.monotonic()):
                    return work()
            except (OperationalError, PeeweeDatabaseError) as exc:
                self._raise_refusal(exc)
                if not is_retryable(exc):
                    raise
                waited = time.monotonic() - started
                if attempt == WRITE_ATTEMPTS or time.monotonic() >= deadline - 0.05:
                    raise StorageError(
                        f"The database stayed busy for {waited:.0f} s ({attempt} "
                        f"attempt{'s' if attempt > 1 else ''}); nothing was changed. Try again."
                    ) from None
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # spread competing writers
        raise AssertionError("unreachable")

    def _raise_refusal(self, exc: BaseException) -> None:
        """A trigger's or the grants' refusal, as the error the caller can show."""
        refused = transactions.trigger_refusal(exc)
        if refused is not None:
            raise RefusedByDatabaseError(
                f"The database refused this change: {refused}. Nothing was changed."
            ) from None
        refusal = transactions.privilege_refusal(exc)
        if refusal is not None:
            raise NotAuthorisedError(
                f"The database refused {self.session_user()}: {refusal}. Writing needs "
                "the book's operator role (a DBA grants it); nothing was changed."
            ) from None

    @cached_property
    def _session_user(self) -> str | None:
        return transactions.database_user(self.db)

    def session_user(self) -> str | None:
        """The database role really connected (PostgreSQL), recorded beside ``performed_by``."""
        return self._session_user
