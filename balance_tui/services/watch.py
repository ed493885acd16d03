"""Noticing what other processes (and other connections) committed, in commit order.

A cheap signal (``store.signals``) says that something may have moved; only then are the
new events and alerts read, through a cursor that follows the book in commit order
(``store.feed``): a transaction that took a lower id and committed later is still
delivered, exactly once. After a broken PostgreSQL connection the poller reconnects (on
its own thread, never on the UI's) and catches up from the same cursor.
"""

from __future__ import annotations

import threading
from dataclasses import field

from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceChangeEvent, BalanceThresholdAlert
from balance_tui.services.bundle import Services, thread_session
from balance_tui.store import feed
from balance_tui.store.connection import sqlite_file
from balance_tui.store.signals import BookGone, PostgresSignal, SqliteSignal

__all__ = ["BookGone", "ChangeBatch", "ChangeWatcher"]
from balance_tui.store.transactions import is_postgres

CATCH_UP_LIMIT = 500


@record
class ChangeBatch:
    """What changed since the previous poll."""

    events: list[BalanceChangeEvent] = field(default_factory=list)
    alerts: list[BalanceThresholdAlert] = field(default_factory=list)
    active_alerts: int = 0
    acknowledgements_changed: bool = False
    #: Approval requests made or decided (by anyone) since the previous poll.
    approvals: list[ApprovalRequest] = field(default_factory=list)

    @property
    def customers(self) -> set[str]:
        return {e.customer_id for e in self.events} | {a.customer_id for a in self.alerts}


class ChangeWatcher:
    """``poll()`` returns what changed since the last call, or None when nothing moved."""

    def __init__(self, services: Services) -> None:
        self.services = services
        db = services.db
        with thread_session(db):
            self._cursor = feed.start_cursor(db)
            self._approval_marks = services.approvals.marks()
        self._signal: SqliteSignal | PostgresSignal
        if is_postgres(db):
            self._signal = PostgresSignal(str(db.database), dict(db.connect_params))
        else:
            self._signal = SqliteSignal(sqlite_file(db))
        self._reading = threading.Lock()  # one catch-up read at a time: no row twice
        self._closed = False

    @property
    def active_alerts(self) -> int:
        return self._cursor.active_alerts

    def socket_key(self) -> tuple[int, int] | None:
        """(connection generation, socket) to watch for readability on PostgreSQL, or None
        (SQLite, or while disconnected): a new generation means a new socket to register."""
        return None if self._closed else self._signal.socket_key()

    def changed(self) -> bool:
        """Whether anything may have been committed since the last call (cheap, never
        blocks: safe on the UI thread)."""
        return False if self._closed else self._signal.fired()

    def poll(self, *, signalled: bool = False) -> ChangeBatch | None:
        """New events and alerts since the last poll, or None when nothing was committed.

        ``signalled``: the caller already saw the signal fire (the PostgreSQL socket woke
        the event loop and ``changed()`` drained it), so read without asking again. Runs
        on a worker thread: a lost PostgreSQL connection is re-opened here.
        """
        if self._closed:
            return None
        reconnected = not self._signal.connected and self._signal.reconnect()
        if not signalled and not reconnected and not self.changed():
            return None
        with self._reading, thread_session(self.services.db):
            before = self._cursor.active_alerts
            found = feed.read_since(self.services.db, self._cursor, CATCH_UP_LIMIT)
            approvals, self._approval_marks = self.services.approvals.changed_since(
                self._approval_marks
            )
        opened = len([a for a in found.alerts if a.acknowledged_at is None])
        acknowledged = found.active_alerts != before + opened
        if not found.events and not found.alerts and not acknowledged and not approvals:
            return None
        return ChangeBatch(found.events, found.alerts, found.active_alerts, acknowledged, approvals)

    def close(self) -> None:
        self._closed = True
        self._signal.close()
