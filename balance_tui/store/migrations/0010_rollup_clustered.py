"""Rollups stored in key order (SQLite): ``WITHOUT ROWID``, so the rows analytics read, one
currency and agent over a period, sit together in the table itself instead of being looked
up one by one from the key's index (a year of days read 2,190 rows scattered through 3
million at 10^7 events: 19 ms; together: about 1 ms). PostgreSQL keeps its heap table."""

from peewee import PostgresqlDatabase

COLUMNS = (
    "grain, bucket_us, currency, agent_code, change_type, events, net_cents, gross_cents, "
    "squares, min_cents, max_cents, slot"
)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(
        """CREATE TABLE rollup_by_key (
             grain CHAR(1) NOT NULL CHECK (grain IN ('d', 'h')),
             bucket_us BIGINT NOT NULL,
             currency VARCHAR(3) NOT NULL,
             agent_code VARCHAR(64) NOT NULL,
             change_type VARCHAR(16) NOT NULL,
             events BIGINT NOT NULL,
             net_cents BIGINT NOT NULL,
             gross_cents BIGINT NOT NULL,
             squares REAL NOT NULL,
             min_cents BIGINT NOT NULL,
             max_cents BIGINT NOT NULL,
             slot BIGINT NOT NULL DEFAULT 0,
             PRIMARY KEY (grain, currency, agent_code, bucket_us, change_type, slot))
           WITHOUT ROWID"""
    )
    db.execute_sql(f"INSERT INTO rollup_by_key ({COLUMNS}) SELECT {COLUMNS} FROM rollup")
    db.execute_sql("DROP TABLE rollup")
    db.execute_sql("ALTER TABLE rollup_by_key RENAME TO rollup")
    db.execute_sql("CREATE INDEX rollup_grain_bucket ON rollup (grain, bucket_us)")
