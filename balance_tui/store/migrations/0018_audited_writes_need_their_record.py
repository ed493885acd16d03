"""PostgreSQL: a write of an audited row commits only with the audit record that vouches for
it (``store.audited_writes``). SQLite cannot defer a check to commit; there ``verify`` names
an audited row without its record."""

from peewee import PostgresqlDatabase

from balance_tui.store import audited_writes


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        audited_writes.install(db)
