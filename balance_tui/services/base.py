"""What every service shares: the database, the clock, the rules in force and the feed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cached_property

from peewee import Database

from balance_tui.config import Settings, load_settings
from balance_tui.domain.tiers import RuleBook
from balance_tui.services.clock import Clock, to_us, utc_now
from balance_tui.services.feed import ChangeFeed, feed_for
from balance_tui.store.connection import is_postgres
from balance_tui.store.models import database_proxy


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
        database_proxy.initialize(db)
        self.clock: Clock = clock or utc_now
        self.settings = settings or load_settings()
        self.feed = feed or feed_for(db)
        self.postgres = is_postgres(db)

    @property
    def rulebook(self) -> RuleBook:
        return self.settings.rulebook

    @property
    def drop_share(self) -> Decimal:
        return self.settings.significant_drop_share

    def now_us(self) -> int:
        return to_us(self.clock())

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        """One transaction holding the write lock (SQLite ``BEGIN IMMEDIATE``)."""
        with self.db.atomic():
            yield

    @cached_property
    def _session_user(self) -> str | None:
        if not self.postgres:
            return None
        return str(self.db.execute_sql("SELECT session_user").fetchone()[0])

    def session_user(self) -> str | None:
        """The database role really connected (PostgreSQL), recorded beside ``performed_by``."""
        return self._session_user
