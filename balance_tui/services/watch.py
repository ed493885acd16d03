"""Noticing what other processes (and other connections) committed, cheaply.

SQLite: ``PRAGMA data_version`` on a dedicated connection changes only when *another*
connection commits, so a poll costs one tiny statement and touches no table.
PostgreSQL: every write transaction ends with ``pg_notify`` (delivered on commit); the
watcher LISTENs on a dedicated autocommit connection whose socket the app hands to its event
loop, so a commit anywhere wakes it at once. If that connection breaks (server restart), the
next poll reconnects and catches up by asking for everything after the last ids seen.
Either way, only when something moved do we read the events and alerts newer than the last
ids seen, and the active alert count (acknowledgements change it).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

from balance_tui.domain.records import BalanceChangeEvent, BalanceThresholdAlert
from balance_tui.services.base import NOTIFY_CHANNEL
from balance_tui.services.bundle import Services, thread_session

CATCH_UP_LIMIT = 500


@dataclass(frozen=True)
class ChangeBatch:
    """What changed since the previous poll."""

    events: list[BalanceChangeEvent] = field(default_factory=list)
    alerts: list[BalanceThresholdAlert] = field(default_factory=list)
    active_alerts: int = 0
    acknowledgements_changed: bool = False

    @property
    def customers(self) -> set[str]:
        return {e.customer_id for e in self.events} | {a.customer_id for a in self.alerts}


class _SqliteSignal:
    """``PRAGMA data_version`` on a connection of its own."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, timeout=1.0, check_same_thread=False)
        self.version = self._read()

    def _read(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def fileno(self) -> int | None:
        return None

    def socket_key(self) -> tuple[int, int] | None:
        return None

    def fired(self) -> bool:
        version = self._read()
        moved, self.version = version != self.version, version
        return moved

    def close(self) -> None:
        self.conn.close()


class _PostgresSignal:
    """LISTEN on a dedicated autocommit connection; reconnects when it breaks."""

    def __init__(self, database: str, params: dict[str, Any]) -> None:
        self.database, self.params = database, params
        self.conn: Any = None
        self.missed = False
        self.generation = 0  # one more per connection: a new socket to watch
        self._connect()

    def _connect(self) -> None:
        import psycopg2

        self.conn = psycopg2.connect(dbname=self.database, **self.params)
        self.conn.autocommit = True
        self.conn.cursor().execute(f"LISTEN {NOTIFY_CHANNEL}")
        self.generation += 1

    def fileno(self) -> int | None:
        return None if self.conn is None else int(self.conn.fileno())

    def socket_key(self) -> tuple[int, int] | None:
        return None if self.conn is None else (self.generation, int(self.conn.fileno()))

    def fired(self) -> bool:
        import psycopg2

        try:
            if self.conn is None:
                self._connect()
                return True  # back after a break: catch up on whatever was missed
            self.conn.poll()
        except psycopg2.Error:
            self.close()
            return False  # the server is away; the next poll tries to reconnect
        moved = bool(self.conn.notifies) or self.missed
        self.conn.notifies.clear()
        self.missed = False
        return moved

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):  # already broken is fine: we are leaving it
                self.conn.close()
        self.conn = None
        self.missed = True


class ChangeWatcher:
    """``poll()`` returns what changed since the last call, or None when nothing moved."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.last_event_id = services.audit.latest_event_id()
        self.last_alert_id = services.notifications.latest_alert_id()
        self.active_alerts = services.notifications.count_active_alerts()
        db = services.db
        self._signal: _SqliteSignal | _PostgresSignal
        if services.manager.postgres:
            self._signal = _PostgresSignal(str(db.database), dict(db.connect_params))
        else:
            self._signal = _SqliteSignal(str(db.database))
        # Polls run on worker threads (and the event loop reads the socket) while close()
        # comes from the UI thread: one at a time, or a connection could close mid-statement.
        self._lock = threading.Lock()
        self._reading = threading.Lock()  # one catch-up read at a time: no row twice
        self._closed = False

    def socket_key(self) -> tuple[int, int] | None:
        """(connection generation, socket) to watch for readability on PostgreSQL, or None
        (SQLite, or while disconnected): a new generation means a new socket to register."""
        with self._lock:
            return None if self._closed else self._signal.socket_key()

    def changed(self) -> bool:
        """Whether anything may have been committed since the last call (cheap)."""
        with self._lock:
            if self._closed:
                return False
            return self._signal.fired()

    def poll(self, *, signalled: bool = False) -> ChangeBatch | None:
        """New events and alerts since the last poll, or None when nothing was committed.

        ``signalled``: the caller already saw the signal fire (the PostgreSQL socket woke
        the event loop and ``changed()`` drained it), so read without asking again.
        """
        if not signalled and not self.changed():
            return None
        with self._reading, thread_session(self.services.db):
            events = self.services.audit.events_after(self.last_event_id, CATCH_UP_LIMIT)
            alerts = self.services.notifications.alerts_after(self.last_alert_id, CATCH_UP_LIMIT)
            active = self.services.notifications.count_active_alerts()
            if events:
                self.last_event_id = events[-1].id
            if alerts:
                self.last_alert_id = alerts[-1].id
            opened = len([a for a in alerts if a.acknowledged_at is None])
            acknowledged = active != self.active_alerts + opened
            self.active_alerts = active
        if not events and not alerts and not acknowledged:
            return None
        return ChangeBatch(events, alerts, active, acknowledged)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._signal.close()
