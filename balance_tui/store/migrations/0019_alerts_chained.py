"""An alert's type, text and figures are chained: each alert raised has an audit record
(``store.audit_records.AUDITED["alert"]``). The alerts already in the book are vouched for
as they stand at the upgrade, by the login that ran it; on PostgreSQL the deferred check
refuses an alert written without its record from here on."""

import time

from peewee import PostgresqlDatabase

from balance_tui.store import audited_writes
from balance_tui.store.audit_records import vouch_for_unvouched


def up(migrator, db):
    vouch_for_unvouched(db, time.time_ns() // 1_000, ("alert",))
    if isinstance(db, PostgresqlDatabase):
        audited_writes.install(db)
