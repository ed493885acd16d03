"""Creating and upgrading the schema with ``playhouse.migrations``.

Idempotent, and safe when several processes start at once: the whole run holds the write
lock (SQLite ``BEGIN IMMEDIATE``) or a transaction-scoped advisory lock (PostgreSQL), so a
second process waits and then finds nothing left to apply.
"""

from __future__ import annotations

from pathlib import Path

from peewee import Database
from playhouse.migrations import Runner

from balance_tui.store.connection import is_postgres
from balance_tui.store.models import database_proxy

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: Arbitrary constant naming our advisory lock on PostgreSQL ("balance" in ASCII).
MIGRATION_LOCK_KEY = 0x62616C616E6365


def initialize_balance_tables(db: Database) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when up to date)."""
    database_proxy.initialize(db)
    with db.atomic():
        if is_postgres(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        return list(Runner(db, str(MIGRATIONS_DIR)).up())


def pending_migrations(db: Database) -> list[str]:
    """Names of migrations not yet applied."""
    return [m.name for m in Runner(db, str(MIGRATIONS_DIR)).status() if not m.applied]
