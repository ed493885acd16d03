"""Another connection holding a SQLite book's write lock: what a busy operator looks like."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def write_lock(path: str | Path, *, write: bool = False) -> Iterator[threading.Event]:
    """Hold ``BEGIN IMMEDIATE`` on ``path`` (optionally with an uncommitted insert) until the
    yielded event is set or the block ends; then roll back."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        if write:
            conn.execute("INSERT INTO agent (code, name, created_us) VALUES ('HOLD', 'h', 0)")
        holding.set()
        release.wait(60)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)
