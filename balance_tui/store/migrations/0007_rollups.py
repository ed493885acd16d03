"""Rollups: per-day and per-hour aggregates of the events per currency, agent ("" for
every agent) and change type, kept in each change's transaction (and by the demo's bulk
path), so system and agent analytics cost the same at 10^7 events as at 10^3. Filled here
from the events already in the book; ``verify`` checks them against the events.

``slot`` is the writing connection (PostgreSQL's backend pid; 0 on SQLite, which has one
writer at a time): concurrent writers add to rows of their own, so no two transactions
ever wait for each other on a rollup row; readers add the slots up."""

from peewee import PostgresqlDatabase

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    real = "DOUBLE PRECISION" if pg else "REAL"
    db.execute_sql(
        f"""CREATE TABLE rollup (
             grain CHAR(1) NOT NULL CHECK (grain IN ('d', 'h')),
             bucket_us BIGINT NOT NULL,
             currency VARCHAR(3) NOT NULL,
             agent_code VARCHAR(64) NOT NULL,
             change_type VARCHAR(16) NOT NULL,
             events BIGINT NOT NULL,
             net_cents BIGINT NOT NULL,
             gross_cents BIGINT NOT NULL,
             squares {real} NOT NULL,
             min_cents BIGINT NOT NULL,
             max_cents BIGINT NOT NULL,
             slot BIGINT NOT NULL DEFAULT 0,
             PRIMARY KEY (grain, currency, agent_code, bucket_us, change_type, slot))"""
    )
    square = (
        "CAST(amount_cents AS DOUBLE PRECISION) * amount_cents"
        if pg
        else "amount_cents * 1.0 * amount_cents"
    )
    for grain, width in (("d", DAY_US), ("h", HOUR_US)):
        bucket = (
            f"(created_us - MOD(created_us, {width}))"
            if pg
            else f"(created_us - created_us % {width})"
        )
        for agent in ("agent_code", "''"):
            db.execute_sql(
                f"""INSERT INTO rollup SELECT '{grain}', {bucket}, currency, {agent},
                      change_type, COUNT(*), SUM(amount_cents), SUM(ABS(amount_cents)),
                      SUM({square}), MIN(amount_cents), MAX(amount_cents), 0
                    FROM balance_event GROUP BY 2, 3, 4, 5"""
            )
