"""Is this SQLite file a balance-tui book? Answered by reading, before anything writes to it.

A book says so in its header (``PRAGMA application_id``, set by migration 0002); books made
before that have our migration table instead. An empty file or a file with no tables becomes
a new book. Anything else belongs to another program and is refused, left byte-for-byte as
it was (the check reads the header and, if needed, the schema through a read-only
connection).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from balance_tui.domain.errors import StorageError

APPLICATION_ID = 0x42616C54  # "BalT"; the same value as migration 0002 writes
MIGRATION_TABLE = "schema_migration"
FIRST_MIGRATION = "0001_initial"
_MAGIC = b"SQLite format 3\x00"


def check_sqlite_book(path: Path) -> None:
    """Raise :class:`StorageError` unless ``path`` is missing, empty, or one of our books."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise StorageError(
            f"{path} cannot be opened as a database: it is not a SQLite file; left unchanged."
        )
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return
    tables = _tables(path)
    if not tables:
        return
    if MIGRATION_TABLE in tables and FIRST_MIGRATION in _applied(path):
        return  # a book made before books carried the application id
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise StorageError(
        f"{path} is not a balance-tui database (it holds tables {shown}); "
        "it was left unchanged. Pick another file."
    )


def _read_only(path: Path) -> sqlite3.Connection:
    # Without a -wal file the main file has everything: open it immutable, so not even a
    # -shm file appears beside another program's database.
    mode = "ro" if Path(f"{path}-wal").exists() else "ro&immutable=1"
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=5)


def _tables(path: Path) -> set[str]:
    try:
        conn = _read_only(path)
        try:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path} cannot be opened as a database: {exc}.") from None
    return {row[0] for row in rows}


def _applied(path: Path) -> set[str]:
    conn = _read_only(path)
    try:
        return {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATION_TABLE}")}
    except sqlite3.DatabaseError:
        return set()
    finally:
        conn.close()
