"""Noticing what other processes (and other connections) committed, cheaply.

SQLite: ``PRAGMA data_version`` on a dedicated connection changes only when *another*
connection commits, so a poll costs one tiny statement and touches no table. Only when it
moves do we ask for events and alerts newer than the last ids seen, and the active alert
count (acknowledgements change it). PostgreSQL: until LISTEN/NOTIFY lands, a poll reads the
indexed maxima of the event and alert ids and the active count.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

from balance_tui.domain.records import BalanceChangeEvent, BalanceThresholdAlert
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


class ChangeWatcher:
    """Polls for committed changes; ``poll()`` returns a batch, or None when nothing moved."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.last_event_id = services.audit.latest_event_id()
        self.last_alert_id = services.notifications.latest_alert_id()
        self.active_alerts = services.notifications.count_active_alerts()
        self._version_conn: sqlite3.Connection | None = None
        self._version: int | None = None
        # Polls run on worker threads while close() comes from the UI thread: one at a time,
        # or the connection could be closed under a running statement.
        self._lock = threading.Lock()
        self._closed = False
        if not services.db.__class__.__name__.startswith("Postgres"):
            self._version_conn = sqlite3.connect(
                str(services.db.database), timeout=1.0, check_same_thread=False
            )
            self._version = self._data_version()

    def _data_version(self) -> int:
        assert self._version_conn is not None
        return int(self._version_conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Whether anything may have been committed since the last call (cheap)."""
        with self._lock:
            if self._closed:
                return False
            if self._version_conn is None:
                return True
            version = self._data_version()
            if version == self._version:
                return False
            self._version = version
            return True

    def poll(self) -> ChangeBatch | None:
        """New events and alerts since the last poll, or None when nothing was committed."""
        if not self.changed():
            return None
        with thread_session(self.services.db):
            events = self.services.audit.events_after(self.last_event_id, CATCH_UP_LIMIT)
            alerts = self.services.notifications.alerts_after(self.last_alert_id, CATCH_UP_LIMIT)
            active = self.services.notifications.count_active_alerts()
        if events:
            self.last_event_id = events[-1].id
        if alerts:
            self.last_alert_id = alerts[-1].id
        acknowledged = active != self.active_alerts + len(
            [a for a in alerts if a.acknowledged_at is None]
        )
        self.active_alerts = active
        if not events and not alerts and not acknowledged:
            return None
        return ChangeBatch(events, alerts, active, acknowledged)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._version_conn is not None:
                self._version_conn.close()
                self._version_conn = None
