"""Cheap signals that *another* connection committed something.

SQLite: ``PRAGMA data_version`` on a dedicated connection changes only when another
connection commits, so a poll costs one tiny statement and touches no table.
PostgreSQL: every write transaction ends with ``pg_notify`` (delivered on commit); the
signal LISTENs on a dedicated autocommit connection whose socket the app can hand to its
event loop. A broken connection is replaced only by ``reconnect()``, which the caller runs
off the UI thread: nothing here blocks a caller that merely asks whether it fired.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from balance_tui.store.transactions import NOTIFY_CHANNEL

#: ``application_name`` of the listening connection, as ``pg_stat_activity`` shows it.
LISTENER_NAME = "balance-tui listener"


class BookGone(Exception):
    """The database file was deleted or replaced by another file while the app ran."""


class SqliteSignal:
    """``PRAGMA data_version`` on a connection of its own; and the file's identity, so a
    book deleted or replaced under the app is noticed instead of read as stale data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = self._identity()
        uri = f"file:{quote(str(path.absolute()))}?mode=rw"
        self.conn = sqlite3.connect(uri, uri=True, timeout=1.0, check_same_thread=False)
        self._lock = threading.Lock()
        self.version = self._read()

    def _identity(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def check_file(self) -> None:
        """Raise :class:`BookGone` when the file is missing or is another file now."""
        now = self._identity()
        if now != self.identity:
            what = "deleted" if now is None else "replaced by another file"
            raise BookGone(
                f"The database file {self.path} was {what} while the app was open; "
                "nothing is read or written until you restart balance-tui."
            )

    def _read(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def socket_key(self) -> tuple[int, int] | None:
        return None

    @property
    def connected(self) -> bool:
        return True

    def reconnect(self) -> bool:
        return False

    def fired(self) -> bool:
        self.check_file()
        with self._lock:
            version = self._read()
            moved, self.version = version != self.version, version
            return moved

    def close(self) -> None:
        with self._lock:
            self.conn.close()


class PostgresSignal:
    """LISTEN on a dedicated autocommit connection."""

    def __init__(self, database: str, params: dict[str, Any]) -> None:
        self.database, self.params = database, params
        self._lock = threading.Lock()  # held only for quick, non-blocking steps
        self._conn: Any = None
        self.missed = False
        self.generation = 0  # one more per connection: a new socket to watch
        self._closed = False
        self.reconnect()

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def reconnect(self) -> bool:
        """Open a new listening connection (slow: call it off the UI thread)."""
        import psycopg2

        if self._closed or self._conn is not None:
            return False
        try:
            params = {"application_name": LISTENER_NAME, **self.params}
            conn = psycopg2.connect(dbname=self.database, **params)
            conn.autocommit = True
            conn.cursor().execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg2.Error:
            return False  # the server is away; try again at the next poll
        with self._lock:
            if self._closed:
                conn.close()
                return False
            self._conn = conn
            self.generation += 1
            self.missed = True  # whatever was committed while away must be caught up
        return True

    def socket_key(self) -> tuple[int, int] | None:
        with self._lock:
            conn = self._conn
            return None if conn is None else (self.generation, int(conn.fileno()))

    def fired(self) -> bool:
        """Drain pending notifications (a non-blocking read of the socket)."""
        import psycopg2

        with self._lock:
            if self._conn is None:
                return False
            try:
                self._conn.poll()
            except psycopg2.Error:
                self._drop()
                return False
            moved = bool(self._conn.notifies) or self.missed
            self._conn.notifies.clear()
            self.missed = False
            return moved

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already broken is fine: we are leaving it
                self._conn.close()
        self._conn = None
        self.missed = True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._drop()
