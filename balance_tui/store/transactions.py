"""Transactions: one read snapshot for a multi-statement read, the write lock for a write.

Reads (``read_snapshot``): SQLite ``BEGIN DEFERRED`` — under WAL the first read fixes a
snapshot and no lock that a writer needs is ever taken; PostgreSQL ``REPEATABLE READ, READ
ONLY``. Nested inside another transaction they simply join it.

Writes (``write_transaction``): SQLite ``BEGIN IMMEDIATE`` takes the write lock before the
balance is read; PostgreSQL waits at most ``PG_LOCK_TIMEOUT_MS`` for a row lock, takes its
transaction id at once (the live feed relies on it, see ``store.feed``) and notifies
listeners on commit. A book written by a newer program refuses every write here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from peewee import Database, DatabaseError, OperationalError, PostgresqlDatabase

from balance_tui.domain.errors import StorageError
from balance_tui.store.connection import wait_bound
from balance_tui.store.schema import write_refusal

#: How long PostgreSQL waits for another writer's row lock before the attempt fails.
PG_LOCK_TIMEOUT_MS = 5_000
#: PostgreSQL channel every committed write notifies; terminals LISTEN on it.
NOTIFY_CHANNEL = "balance_tui"


def newer_book(db: Database) -> str | None:
    """Why this program may only read the book (its schema is newer), or None."""
    return write_refusal(db)


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


@contextmanager
def read_snapshot(db: Database) -> Iterator[None]:
    """Every statement inside sees the same committed state, and no writer waits for it."""
    if db.in_transaction():
        yield
        return
    if is_postgres(db):
        with db.atomic():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        with db.atomic(lock_type="DEFERRED"):
            yield


DISK_FULL = (
    "The disk that holds the database is full; nothing was changed. Free some space and try again."
)


def is_disk_full(exc: BaseException | None) -> bool:
    """SQLite's SQLITE_FULL or PostgreSQL's disk_full (53100), also when the failed
    rollback that followed it is what surfaced ("cannot rollback - no transaction")."""
    while exc is not None:
        text = str(exc).lower()
        code = getattr(getattr(exc, "orig", None) or exc, "pgcode", None)
        if "database or disk is full" in text or "no space left" in text or code == "53100":
            return True
        exc = exc.__cause__ or exc.__context__
    return False


READ_ONLY = (
    "This user cannot write the book (its file, or the folder it is in, is read-only): it "
    "reads, but nothing was changed."
)


def is_read_only(exc: BaseException | None) -> bool:
    """SQLite's SQLITE_READONLY: the file (or its folder, for the journal) is not writable."""
    while exc is not None:
        if "attempt to write a readonly database" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


#: PostgreSQL SQLSTATEs a session's own settings cause, said in words (never the driver's).
SESSION_PROBLEMS = {
    "57014": "The database cancelled a statement: this session's statement_timeout (from "
    "the URL's options or the login's settings) is too short; nothing was changed.",
    "3F000": "The database has no schema to work in: this session's search_path (from the "
    "URL's options or the login's settings) names none that exists; nothing was changed.",
}


def session_problem(exc: BaseException) -> str | None:
    """One line for a database error the session's settings or the file's mode cause,
    else None."""
    if is_read_only(exc):
        return READ_ONLY
    if is_disk_full(exc):
        return DISK_FULL
    refusal = privilege_refusal(exc)
    if refusal is not None:
        return (
            f"The database refused this login: {refusal}; nothing was changed (its roles do "
            "not allow it: a DBA grants what it needs, and migrate is the schema owner's)."
        )
    original = getattr(exc, "orig", None) or exc.__cause__ or exc
    return SESSION_PROBLEMS.get(str(getattr(original, "pgcode", None)))


@contextmanager
def write_transaction(db: Database, wait_at_most: float | None = None) -> Iterator[None]:
    """One transaction holding the write lock; nested calls join the outer one.
    ``wait_at_most``: seconds this transaction may wait for a lock (the rest of a write's
    wait bound); by default the connection's own bound."""
    refusal = write_refusal(db)
    if refusal:
        raise StorageError(refusal)
    if db.in_transaction():
        with _write(db):
            yield
        return
    try:
        with _lock_wait(db, wait_at_most), _write(db, wait_at_most):
            yield
    except (OperationalError, DatabaseError) as exc:
        if is_disk_full(exc):
            raise StorageError(DISK_FULL) from None
        if is_read_only(exc):
            raise StorageError(READ_ONLY) from None
        raise


@contextmanager
def _lock_wait(db: Database, seconds: float | None) -> Iterator[None]:
    """SQLite: wait at most ``seconds`` for the write lock (``BEGIN IMMEDIATE``), then the
    connection's own bound again."""
    if seconds is None or is_postgres(db):
        yield
        return
    db.execute_sql(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {int(wait_bound(db) * 1000)}")


@contextmanager
def _write(db: Database, wait_at_most: float | None = None) -> Iterator[None]:
    with db.atomic():
        outermost = is_postgres(db) and db.transaction_depth() == 1
        if outermost:
            # A transaction id now, before any row takes an id from a sequence: the live
            # feed can then tell exactly when every insert it might have missed is settled.
            lock_timeout = PG_LOCK_TIMEOUT_MS
            if wait_at_most is not None:
                lock_timeout = max(1, min(lock_timeout, int(wait_at_most * 1000)))
            db.execute_sql(
                "SELECT set_config('lock_timeout', %s, true), pg_current_xact_id()",
                (f"{lock_timeout}ms",),
            )
        yield
        if outermost:
            # Delivered to listeners only if this transaction commits.
            db.execute_sql("SELECT pg_notify(%s, '')", (NOTIFY_CHANNEL,))


def server_clock_us(db: Database) -> int | None:
    """PostgreSQL: the database server's clock now, in µs since the epoch; None on SQLite."""
    if not is_postgres(db):
        return None
    row = db.execute_sql(
        "SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT"
    ).fetchone()
    return int(row[0])


def database_user(db: Database) -> str | None:
    """The role really connected (PostgreSQL ``session_user``); None on SQLite."""
    if not is_postgres(db):
        return None
    return str(db.execute_sql("SELECT session_user").fetchone()[0])


#: SQLite's own constraint failures; any other constraint error is a trigger's RAISE.
_SQLITE_CONSTRAINTS = (
    "UNIQUE constraint",
    "NOT NULL constraint",
    "FOREIGN KEY",
    "CHECK constraint",
)


def trigger_refusal(exc: BaseException) -> str | None:
    """A refusal raised by one of the book's triggers, as one line, else None."""
    original = getattr(exc, "orig", None) or exc.__cause__ or exc
    if getattr(original, "pgcode", None) == "P0001":  # raise_exception
        return str(original).strip().splitlines()[0]
    if isinstance(original, sqlite3.IntegrityError) and not str(original).startswith(
        _SQLITE_CONSTRAINTS
    ):
        return str(original)
    return None


def privilege_refusal(exc: BaseException) -> str | None:
    """PostgreSQL's "permission denied" (SQLSTATE 42501) as one line, else None."""
    original = getattr(exc, "orig", None) or exc.__cause__ or exc
    if getattr(original, "pgcode", None) != "42501":
        return None
    return str(original).strip().splitlines()[0]
