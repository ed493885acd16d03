"""A busy database is waited for, within bounds, and never half-written."""

from __future__ import annotations

import sqlite3
import threading
import time
from decimal import Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.domain.errors import StorageError
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables


def _book(sqlite_url: str, clock, bound: float):  # type: ignore[no-untyped-def]
    db = connect(sqlite_url, lock_timeout=bound)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock)
    services.manager.create_customer("C1", "A1")
    return services


@pytest.fixture
def quick(sqlite_url, clock):  # type: ignore[no-untyped-def]
    services = _book(sqlite_url, clock, 1.0)
    yield services
    services.db.close()


def _hold_write_lock(path: str, release: threading.Event) -> threading.Thread:
    """Another process's long transaction, as a raw connection holding the write lock."""
    started = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        started.set()
        release.wait(10)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait(5)
    return thread


def test_a_lock_released_in_time_is_waited_for(quick, sqlite_url) -> None:
    release = threading.Event()
    holder = _hold_write_lock(sqlite_url, release)
    threading.Timer(0.2, release.set).start()
    result = quick.manager.update_balance("C1", None, "10", "deposit", "after a wait", "op")
    holder.join()
    assert result.success and result.new_balance == Decimal("10.00")


def test_a_lock_never_released_gives_a_clear_error_and_changes_nothing(quick, sqlite_url) -> None:
    """Given up within the one bound on the whole wait (the connection's lock timeout, 1 s
    here), retries included: five attempts of a full bound each would take five."""
    release = threading.Event()
    holder = _hold_write_lock(sqlite_url, release)
    started = time.monotonic()
    try:
        with pytest.raises(StorageError, match=r"stayed busy for 1 s \(\d attempts?\)"):
            quick.manager.update_balance("C1", None, "10", "deposit", "never", "op")
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert waited < 3
    assert quick.manager.get_customer("C1").balance == Decimal("0.00")
    assert quick.audit.history_page() == []
