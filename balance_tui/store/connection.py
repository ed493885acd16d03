"""Opening the database: the default SQLite file, a path, or a URL.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed change survives a power
cut), foreign keys on, and ``BEGIN IMMEDIATE`` for every write transaction so an update
takes the write lock before it reads the balance; reads run in deferred transactions (see
``store.transactions``). Waits for a lock are bounded by ``busy_timeout``. A file that is
not one of our books is refused before anything is written to it (``store.identity``).
PostgreSQL connections give up after ``PG_CONNECT_TIMEOUT`` seconds on a silent server.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import weakref
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import platformdirs
from peewee import Database, DatabaseError, OperationalError, PostgresqlDatabase, SqliteDatabase

from balance_tui.domain.errors import StorageError
from balance_tui.store.drivers import load_postgres_driver
from balance_tui.store.identity import check_sqlite_book

APP_NAME = "balance-tui"
DEFAULT_FILE_NAME = "balance.db"
#: How long one statement waits for another writer's lock before giving up.
LOCK_TIMEOUT_SECONDS = 10.0

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "cache_size": -4_000,  # 4 MB page cache per connection (the OS caches the file too)
    "temp_store": "memory",
}


def default_database_path() -> Path:
    """The embedded default: ``balance.db`` under the user data dir."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / DEFAULT_FILE_NAME


def environment_database() -> str | None:
    """The book the environment names (``BALANCE_TUI_DB``, else ``DB_PATH``), if any."""
    return os.environ.get("BALANCE_TUI_DB") or os.environ.get("DB_PATH") or None


def resolve_database_url(url: str | None = None) -> str:
    """The URL to open: the argument, else ``BALANCE_TUI_DB``, else ``DB_PATH``, else default."""
    chosen = url or environment_database()
    if not chosen:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if chosen.lower().startswith("sqlite:") and "://" not in chosen:
        raise StorageError(
            f"{chosen!r} is neither a path nor a URL: write sqlite:///FILE, or the path alone."
        )
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser()}"
    if chosen.split("://", 1)[0] == "":
        raise StorageError(
            f"{chosen!r} names no database: give a file path, sqlite:///FILE or "
            "postgresql://USER@HOST/DB."
        )
    if chosen.lower().startswith("sqlite://") and any(c in chosen for c in "?#"):
        raise StorageError(
            "A sqlite:// URL takes no options (?mode=..., #...): the book opens as it must; "
            "give the file's path alone."
        )
    return chosen


def empty_sqlite_file(url: str | None) -> Path | None:
    """The SQLite file ``url`` names if it exists and is empty (0 bytes), else None."""
    resolved = resolve_database_url(url)
    if not resolved.startswith("sqlite://"):
        return None
    path_text = resolved.split("://", 1)[1]
    path = Path(path_text[1:] if path_text.startswith("/") else path_text)
    return path if path.is_file() and path.stat().st_size == 0 else None


def sqlite_file(db: Database) -> Path:
    """The file of a SQLite book (its connections open it as a ``file:`` URI)."""
    name = str(db.database)
    if name.startswith("file:"):
        return Path(unquote(name.removeprefix("file:").split("?", 1)[0]))
    return Path(name)


def describe_database(db: Database) -> str:
    """A short name for the header and messages: the file, or user@host/db."""
    if isinstance(db, SqliteDatabase):
        return str(sqlite_file(db))
    params = getattr(db, "connect_params", {})
    host = params.get("host", "localhost")
    user = params.get("user", "")
    return f"{user + '@' if user else ''}{host}/{db.database}"


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


#: Each open database's bound on a write's total wait for locks, in seconds.
_WAIT_BOUNDS: weakref.WeakKeyDictionary[Database, float] = weakref.WeakKeyDictionary()


def wait_bound(db: Database) -> float:
    """How long a write may wait for locks in all, retries included (``connect``'s
    ``lock_timeout``)."""
    return _WAIT_BOUNDS.get(db, LOCK_TIMEOUT_SECONDS)


def connect(url: str | None = None, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> Database:
    """Open (and check) the database named by ``url`` or the environment.

    Raises :class:`StorageError` with one clear sentence for a missing directory, a file
    that is not a database, an unknown URL scheme or a server that does not answer.
    """
    resolved = resolve_database_url(url)
    scheme = urlparse(resolved).scheme
    db: Database
    if scheme in ("sqlite", ""):
        db = _open_sqlite(resolved, lock_timeout)
    elif scheme in ("postgres", "postgresql", "postgres+pool", "postgresql+pool"):
        db = _open_postgres(resolved)
    else:
        raise StorageError(
            f"Unknown database URL scheme {scheme!r}; use a file path, sqlite:///FILE or "
            "postgresql://USER@HOST/DB."
        )
    _WAIT_BOUNDS[db] = lock_timeout
    return db


def _open_sqlite(url: str, lock_timeout: float) -> SqliteDatabase:
    path_text = url.split("://", 1)[1]
    path_text = path_text[1:] if path_text.startswith("/") else path_text
    if not path_text or path_text == ":memory:":
        raise StorageError("An in-memory database cannot be shared; name a file.")
    path = Path(path_text)
    if not path.parent.exists():
        raise StorageError(
            f"Directory {path.parent} does not exist; create it or pick another path."
        )
    if path.is_dir():
        raise StorageError(f"{path} is a directory, not a database file.")
    if path.exists() and not path.is_file():
        raise StorageError(
            f"{path} is not a regular file (a device, a pipe or a socket): a book is a file "
            "of its own; left unchanged."
        )
    check_sqlite_book(path)
    if not path.exists():
        # Created once, here, readable and writable by its owner only: whoever can write
        # the file can rewrite the book (SQLite's WAL and shared-memory files follow it).
        with contextlib.suppress(FileExistsError):  # made by another process just now
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        sqlite3.connect(path).close()
    # Every later connection opens the file with mode=rw: if the book is deleted or moved
    # while the app runs, a connection fails instead of creating a new empty file there.
    db = SqliteDatabase(
        f"file:{quote(str(path.absolute()))}?mode=rw",
        pragmas=SQLITE_PRAGMAS,
        timeout=lock_timeout,
        lock_type="IMMEDIATE",
        check_same_thread=False,
        uri=True,
    )
    # Turning a new file to WAL needs a moment of exclusive access, and SQLite may answer
    # "locked" at once instead of waiting; so opening retries, within the same time bound.
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            db.connect(reuse_if_open=True)
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            db.close()
            if "locked" in str(exc) and time.monotonic() < deadline:
                time.sleep(0.02)
                continue
            raise StorageError(f"{path} cannot be opened as a database: {exc}.") from None


#: Pooled PostgreSQL connections: the TUI's short-lived worker threads reuse them instead of
#: paying a new connection (tens of milliseconds) for every database call.
PG_POOL_SIZE = 16
PG_POOL_STALE_SECONDS = 300
#: Seconds to wait for a PostgreSQL server to answer a new connection (libpq's
#: ``connect_timeout``); a URL may set its own.
PG_CONNECT_TIMEOUT = 5


def _open_postgres(url: str) -> PostgresqlDatabase:
    scheme, rest = url.split("://", 1)
    plain = scheme.removesuffix("+pool")
    pooled = f"{plain}+pool://{rest}"
    extra: dict[str, object] = (
        {} if "connect_timeout=" in rest else {"connect_timeout": PG_CONNECT_TIMEOUT}
    )
    written_name = urlparse(url).path.lstrip("/")
    if unquote(written_name) != written_name:  # percent-encoded, as URLs are
        extra["database"] = unquote(written_name)
    from playhouse import db_url  # (and its pool): loaded for PostgreSQL only

    load_postgres_driver()

    try:
        db = db_url.connect(
            pooled,
            autoconnect=True,
            max_connections=PG_POOL_SIZE,
            stale_timeout=PG_POOL_STALE_SECONDS,
            timeout=LOCK_TIMEOUT_SECONDS,
            **extra,
        )
    except (ValueError, RuntimeError) as exc:  # said in the scheme the URL was written in
        raise StorageError(
            f"Bad database URL: {str(exc).replace(f'{plain}+pool', plain)}"
        ) from None
    try:
        db.connect(reuse_if_open=True)
    except (OperationalError, DatabaseError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "permission denied for database" in first_line:  # migrate took CONNECT from PUBLIC
            refusal = first_line.split("FATAL:")[-1].strip()
            raise StorageError(
                f"The database refused {describe_database(db)}: {refusal} (only the book's "
                "roles may connect; a DBA grants one)."
            ) from None
        raise StorageError(f"Cannot connect to {describe_database(db)}: {first_line}") from None
    except Exception as exc:  # the driver itself may be missing
        raise StorageError(f"Cannot connect to {describe_database(db)}: {exc}") from None
    return db
