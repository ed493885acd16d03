"""The demo's bulk path: prepared rows inserted in large transactions, statements once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from peewee import Database

from balance_tui.domain.rollups import EVERY_AGENT, buckets
from balance_tui.store import rollups
from balance_tui.store.models import Agent
from balance_tui.store.models import Customer as CustomerRow
from balance_tui.store.rows import placeholders, tuple_rows
from balance_tui.store.transactions import is_postgres, write_transaction

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
DEMO_ALERT_COLUMNS = (
    "id",
    "customer_id",
    "alert_type",
    "message",
    "balance_cents",
    "threshold_cents",
    "event_id",
    "attempted_cents",
    "attempted_by",
    "created_us",
    "acknowledged_us",
    "acknowledged_by",
)
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


def add_customers(db: Database, rows: list[dict[str, object]]) -> dict[str, int]:
    """Insert customers in chunks; returns code -> id."""
    for offset in range(0, len(rows), 5_000):
        CustomerRow.insert_many(rows[offset : offset + 5_000]).bind(db).execute()
    query = CustomerRow.select(CustomerRow.code, CustomerRow.id).bind(db)
    return {str(code): int(pk) for code, pk in tuple_rows(query)}


def next_ids(db: Database) -> tuple[int, int]:
    """The next free event id and alert id."""
    event = db.execute_sql("SELECT MAX(id) FROM balance_event").fetchone()[0]
    alert = db.execute_sql("SELECT MAX(id) FROM alert").fetchone()[0]
    return int(event or 0) + 1, int(alert or 0) + 1


_AT = {name: DEMO_EVENT_COLUMNS.index(name) for name in DEMO_EVENT_COLUMNS}


def rollup_rows(events: list[tuple[object, ...]]) -> list[rollups.Row]:
    """The rollup rows of a chunk of demo events, one per key (added to what is stored)."""
    at = _AT
    folded: dict[tuple[str, int, str, str, str], list[Any]] = {}
    for row in events:
        created, cents = int(row[at["created_us"]]), int(row[at["amount_cents"]])  # type: ignore[call-overload]
        currency, agent = str(row[at["currency"]]), str(row[at["agent_code"]])
        kind = str(row[at["change_type"]])
        for grain, bucket in buckets(created):
            for who in (agent, EVERY_AGENT):
                key = (grain, bucket, currency, who, kind)
                found = folded.get(key)
                if found is None:
                    folded[key] = [1, cents, abs(cents), float(cents) * cents, cents, cents]
                else:
                    found[0] += 1
                    found[1] += cents
                    found[2] += abs(cents)
                    found[3] += float(cents) * cents
                    found[4] = min(found[4], cents)
                    found[5] = max(found[5], cents)
    return [(*key, *values) for key, values in folded.items()]  # type: ignore[misc]


class BulkWriter:
    """Inserts prepared rows (tuples in the ``DEMO_*_COLUMNS`` order) in big transactions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.event_sql = _insert(db, "balance_event", DEMO_EVENT_COLUMNS)
        self.alert_sql = _insert(db, "alert", DEMO_ALERT_COLUMNS)
        self.rejected_sql = _insert(db, "rejected_attempt", DEMO_REJECTION_COLUMNS)
        self.alerts_written = 0

    def flush(
        self,
        events: list[tuple[object, ...]],
        alerts: list[tuple[object, ...]],
        rejected: list[tuple[object, ...]],
    ) -> None:
        if not (events or alerts or rejected):
            return
        with write_transaction(self.db):
            cursor = self.db.cursor()
            for sql, rows in (
                (self.event_sql, events),
                (self.alert_sql, alerts),
                (self.rejected_sql, rejected),
            ):
                if rows:
                    self._insert_many(cursor, sql, rows)
            rollups.add(self.db, rollup_rows(events))
        self.alerts_written += len(alerts)
        events.clear()
        alerts.clear()
        rejected.clear()

    def _insert_many(self, cursor: Any, sql: str, rows: list[tuple[object, ...]]) -> None:
        if is_postgres(self.db):
            # psycopg2's executemany is a round trip per row; execute_batch sends pages.
            from psycopg2.extras import execute_batch

            execute_batch(cursor, sql, rows, page_size=1_000)
        else:
            cursor.executemany(sql, rows)

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
