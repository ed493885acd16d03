"""The demo's bulk path: prepared rows inserted in large transactions, statements once."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from peewee import Database

from balance_tui.store import audit_records, rollups
from balance_tui.store.audit_records import ALERT_COLUMNS
from balance_tui.store.connection import SQLITE_PRAGMAS
from balance_tui.store.models import Agent
from balance_tui.store.models import Customer as CustomerRow
from balance_tui.store.rows import placeholders, tuple_rows
from balance_tui.store.transactions import is_postgres, write_transaction
from balance_tui.store.trusted_triggers import restore_chain_trigger, suspend_chain_trigger

#: Rows per executemany when inserting customers.
CHUNK_ROWS = 5_000
#: Customer fields the demo supplies, in its rows' order.
DEMO_CUSTOMER_FIELDS = (
    "code",
    "name",
    "agent",
    "vip_level",
    "currency",
    "status",
    "balance_cents",
    "event_count",
    "head_hash",
    "created_us",
)
#: Event columns the demo supplies (ids are chosen by the generator, so alerts can point at
#: events without reading them back).
DEMO_EVENT_COLUMNS = (
    "id",
    "customer_id",
    "sequence",
    "agent_code",
    "currency",
    "change_type",
    "amount_cents",
    "previous_cents",
    "new_cents",
    "reason",
    "performed_by",
    "vip_level",
    "metadata_json",
    "risk_score",
    "warnings_json",
    "reverses_event_id",
    "created_us",
    "prev_hash",
    "hash",
    "db_user",
    "chain_version",
)
DEMO_ALERT_COLUMNS = (*ALERT_COLUMNS, "acknowledged_us", "acknowledged_by")
DEMO_REJECTION_COLUMNS = (
    "customer_code",
    "change_type",
    "amount_cents",
    "performed_by",
    "errors_json",
    "created_us",
)


def _insert(db: Database, table: str, columns: Sequence[str]) -> str:
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({placeholders(db.param, len(columns))})"
    )


def add_agents(db: Database, rows: list[dict[str, object]]) -> None:
    Agent.insert_many(rows).bind(db).execute()


def agent_ids(db: Database, codes: list[str]) -> dict[str, int]:
    """code -> id of the named agents."""
    query = Agent.select(Agent.code, Agent.id).where(Agent.code.in_(codes)).bind(db)
    return {str(code): int(pk) for code, pk in tuple_rows(query)}


def add_customers(db: Database, rows: Iterable[tuple[object, ...]]) -> dict[str, int]:
    """Insert customers, each a tuple in the ``DEMO_CUSTOMER_FIELDS`` order, taken from
    ``rows`` as they are inserted; returns code -> id.

    One prepared statement for every row: building a multi-row INSERT through the query
    builder took 25 s for 100,000 customers, this takes under one."""
    columns = [CustomerRow._meta.fields[name].column_name for name in DEMO_CUSTOMER_FIELDS]
    cursor = db.cursor()
    sql = _insert(db, "customer", columns)
    taken = iter(rows)
    while batch := list(itertools.islice(taken, CHUNK_ROWS)):
        _insert_many(db, cursor, sql, batch)
    cursor = db.execute_sql("SELECT code, id FROM customer")
    return {str(code): int(pk) for code, pk in cursor}


def _insert_many(db: Database, cursor: Any, sql: str, rows: Sequence[tuple[object, ...]]) -> None:
    if is_postgres(db):
        # psycopg2's executemany is a round trip per row; execute_batch sends pages.
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=1_000)
    else:
        cursor.executemany(sql, rows)


def secondary_indexes(db: Database, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no constraint: the ones a
    bulk load may drop and build again at the end."""
    if is_postgres(db):
        cursor = db.execute_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname "
            "WHERE i.schemaname = current_schema() AND i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) "
            "ORDER BY i.indexname",
            (table,),
        )
    else:
        cursor = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name",
            (table,),
        )
    return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _leading_column(create: str) -> str:
    """The first column a CREATE INDEX statement names."""
    return create.split("(", 1)[1].split(",")[0].split(")")[0].strip().strip('"')


@contextmanager
def indexes_built_after(db: Database, table: str, leading: str) -> Iterator[None]:
    """Load ``table`` without its secondary indexes that start with column ``leading``, and
    build them once at the end.

    Keeping an index on (customer, ...) up to date row by row costs a random B-tree page per
    row once the index outgrows the cache; sorting once at the end is several times faster
    at millions of rows. (Indexes in time order only ever append, so they stay.) The indexes
    come back even when the load fails."""
    dropped = [
        (name, create)
        for name, create in secondary_indexes(db, table)
        if _leading_column(create) == leading
    ]
    with write_transaction(db):
        for name, _ in dropped:
            db.execute_sql(f'DROP INDEX "{name}"')
        if dropped:
            suspend_chain_trigger(db)
    try:
        yield
    finally:
        with sorting_on_disk(db), write_transaction(db):
            for _, create in dropped:
                db.execute_sql(create)
            if dropped:
                restore_chain_trigger(db)


@contextmanager
def sorting_on_disk(db: Database) -> Iterator[None]:
    """SQLite sorts a new index in temporary files; the book's ``temp_store = memory`` would
    keep those in RAM (over 700 MB at 10^7 events). Sort on disk while building."""
    if is_postgres(db):
        yield
        return
    db.execute_sql("PRAGMA temp_store = FILE")
    db.execute_sql("PRAGMA threads = 2")  # the sorter may merge on a helper thread
    try:
        yield
    finally:
        db.execute_sql("PRAGMA threads = 0")
        db.execute_sql(f"PRAGMA temp_store = {str(SQLITE_PRAGMAS['temp_store']).upper()}")


def next_ids(db: Database) -> tuple[int, int]:
    """The next free event id and alert id."""
    event = db.execute_sql("SELECT MAX(id) FROM balance_event").fetchone()[0]
    alert = db.execute_sql("SELECT MAX(id) FROM alert").fetchone()[0]
    return int(event or 0) + 1, int(alert or 0) + 1


class BulkWriter:
    """Inserts prepared rows (tuples in the ``DEMO_*_COLUMNS`` order) in big transactions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.event_sql = _insert(db, "balance_event", DEMO_EVENT_COLUMNS)
        self.alert_sql = _insert(db, "alert", DEMO_ALERT_COLUMNS)
        self.rejected_sql = _insert(db, "rejected_attempt", DEMO_REJECTION_COLUMNS)

    def write(
        self,
        events: Sequence[tuple[object, ...]],
        alerts: Sequence[tuple[object, ...]],
        rejected: Sequence[tuple[object, ...]],
    ) -> None:
        """Insert one chunk, with its rollups, in one transaction."""
        if not (events or alerts or rejected):
            return
        with write_transaction(self.db):
            first_ids = {"refusal": self._next_id("rejected_attempt")}
            if alerts:
                first_alert = min(int(row[0]) for row in alerts)  # type: ignore[call-overload]
                first_ids.update(alert=first_alert, ack=first_alert)
            cursor = self.db.cursor()
            for sql, rows in (
                (self.event_sql, events),
                (self.alert_sql, alerts),
                (self.rejected_sql, rejected),
            ):
                if rows:
                    _insert_many(self.db, cursor, sql, rows)
            if events:  # ids ascend within a chunk
                rollups.add_events(self.db, int(events[0][0]), int(events[-1][0]))  # type: ignore[call-overload]
            # In the same transaction: PostgreSQL commits an audited row only with its record.
            audit_records.vouch_for_new(self.db, time.time_ns() // 1_000, first_ids)

    def _next_id(self, table: str) -> int:
        row = self.db.execute_sql(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()
        return int(row[0])

    def finish(self, heads: Iterable[tuple[int, int, str, int]]) -> None:
        """Store each customer's (balance, event count, head hash, id)."""
        p = self.db.param
        with write_transaction(self.db):
            self.db.cursor().executemany(
                f"UPDATE customer SET balance_cents = {p}, event_count = {p}, head_hash = {p} "
                f"WHERE id = {p}",
                list(heads),
            )
            if is_postgres(self.db):  # explicit ids were inserted: move the sequences on
                for table in ("balance_event", "alert"):
                    self.db.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                    )
