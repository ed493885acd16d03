"""The schema: what version a book is at, and upgrading it with ``playhouse.migrations``.

Opening a book only *reads* its migration table. Migrations run only when some are pending,
then under the write lock (SQLite ``BEGIN IMMEDIATE``) or a transaction-scoped advisory lock
(PostgreSQL), so a second process starting at once waits and finds nothing left to apply.
A book whose migration table names migrations this program does not have was written by a
newer program: it is read, never written (``write_refusal``).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import Database, PostgresqlDatabase

from balance_tui.domain.errors import MigrationPendingError, NotAuthorisedError, StorageError
from balance_tui.domain.record import record
from balance_tui.store.connection import describe_database

if TYPE_CHECKING:
    from playhouse.migrations import Runner

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_TABLE = "schema_migration"
#: Arbitrary constant naming our advisory lock on PostgreSQL ("balance" in ASCII).
MIGRATION_LOCK_KEY = 0x62616C616E6365


@record
class SchemaState:
    """What a book's migration table says, compared with this program's migrations."""

    applied: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]  # applied by a newer program
    other_tables: tuple[str, ...]  # tables in a database that has no migration table
    min_program_version: str | None

    @property
    def foreign(self) -> bool:
        return not self.applied and bool(self.other_tables)


def _runner(db: Database) -> Runner:
    # Loaded only to migrate: playhouse.migrations brings in the PostgreSQL driver and
    # every dialect's migrator, which opening an up-to-date book does not need.
    from playhouse.migrations import Runner

    return Runner(db, str(MIGRATIONS_DIR), table_name=MIGRATION_TABLE)


def _in_order(names: Iterable[str]) -> list[str]:
    """Migration names in the order ``playhouse.migrations`` applies them: by their number."""

    def number(name: str) -> int:
        digits = re.match(r"\d+", name)
        return int(digits.group()) if digits else -1

    return sorted(names, key=lambda name: (number(name), name))


def schema_state(db: Database) -> SchemaState:
    """Read (never write) the book's schema version: the migration files against the
    migration table, as ``playhouse.migrations``' ``Runner.status`` does."""
    files = {path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py")}
    done: set[str] = set()
    if db.table_exists(MIGRATION_TABLE):
        done = {row[0] for row in db.execute_sql(f"SELECT name FROM {MIGRATION_TABLE}")}
    applied = tuple(_in_order(done))
    pending = tuple(_in_order(files - done))
    unknown = tuple(_in_order(done - files))
    tables = () if applied else tuple(t for t in db.get_tables() if t != MIGRATION_TABLE)
    version = None
    if unknown and "book_info" in db.get_tables():
        row = db.execute_sql(
            f"SELECT value FROM book_info WHERE key = {db.param}", ("min_program_version",)
        ).fetchone()
        version = None if row is None else str(row[0])
    return SchemaState(applied, pending, unknown, tables, version)


def initialize_balance_tables(db: Database) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when up to date).

    Reads first and writes only when something is pending. Raises :class:`StorageError`
    for a database that holds another application's tables.
    """
    state = schema_state(db)
    if state.unknown or not (state.pending or state.foreign):
        return []
    # Decided under the lock only: another process may be committing the first migration
    # between this process's reads, which would look like somebody else's tables.
    with db.atomic():
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        state = schema_state(db)  # another process may have migrated while we waited
        _refuse_foreign(db, state)
        applied = list(_runner(db).up()) if state.pending and not state.unknown else []
    _refusals.pop(db, None)
    return applied


def require_current_schema(db: Database) -> None:
    """Read (never write) the schema version; a book with pending migrations is refused
    with what to run. (Used where migrating is not this program's job: PostgreSQL, where
    the schema owner migrates and operators' logins may not even create a table.)"""
    state = schema_state(db)
    _refuse_foreign(db, state)
    if state.pending and isinstance(db, PostgresqlDatabase) and not _may_use_schema(db):
        raise NotAuthorisedError(
            f"The database refused {describe_database(db)}: permission denied for schema "
            f"{current_schema(db)} (reading the book needs one of its roles; a DBA grants it)."
        )
    if state.pending and not state.unknown:
        names = ", ".join(state.pending)
        raise MigrationPendingError(
            f"{describe_database(db)} needs `balance-tui migrate` (run by the schema owner): "
            f"{len(state.pending)} migration{'s' if len(state.pending) != 1 else ''} pending "
            f"({names})."
        )


def _may_use_schema(db: Database) -> bool:
    """PostgreSQL: whether this login may see the book's schema (a login without the book's
    roles sees an empty database, not a book that needs migrating)."""
    # A schema this login may not use is skipped by the search path: current_schema() is
    # then another schema or none.
    row = db.execute_sql(
        "SELECT n.nspname IS NULL OR pg_catalog.has_schema_privilege(n.oid, 'USAGE') "
        "FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_namespace n "
        "ON n.nspname = pg_catalog.btrim(pg_catalog.split_part("
        "pg_catalog.current_setting('search_path'), ',', 1), ' \"')"
    ).fetchone()
    return bool(row and row[0])


def current_schema(db: Database) -> str:
    """The schema the search path names first (the book's)."""
    row = db.execute_sql(
        "SELECT pg_catalog.btrim(pg_catalog.split_part("
        "pg_catalog.current_setting('search_path'), ',', 1), ' \"')"
    ).fetchone()
    return str(row[0]) if row and row[0] else "?"


def _refuse_foreign(db: Database, state: SchemaState) -> None:
    if state.foreign:
        shown = ", ".join(sorted(state.other_tables)[:5])
        raise StorageError(
            f"{describe_database(db)} is not a balance-tui database (it holds tables {shown}); "
            "it was left unchanged."
        )


_refusals: weakref.WeakKeyDictionary[Database, str | None] = weakref.WeakKeyDictionary()
_refusals_lock = threading.Lock()


def write_refusal(db: Database) -> str | None:
    """Why this program must not write to the book (its schema is newer), or None.

    Read once per database object; a cheap dictionary look-up on every write after that.
    """
    with _refusals_lock:
        if db in _refusals:
            return _refusals[db]
    state = schema_state(db)
    refusal = None
    if state.unknown:
        from balance_tui import __version__

        needed = state.min_program_version
        wanted = f"≥ {needed}" if needed and needed != __version__ else "newer than this"
        refusal = (
            f"This book was written by a newer balance-tui (it has {', '.join(state.unknown)}, "
            f"which this program does not know): it needs balance-tui {wanted} (this is "
            f"{__version__}) to be changed, and was opened for reading only."
        )
    with _refusals_lock:
        _refusals[db] = refusal
    return refusal


def pending_migrations(db: Database) -> list[str]:
    """Names of migrations not yet applied."""
    return list(schema_state(db).pending)
