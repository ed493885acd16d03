"""The reads ``verify`` needs: every customer's stored head, and every event in chain order.

The caller holds one read snapshot around both. On PostgreSQL the events stream through a
server-side (named) cursor, so memory stays flat however long the trail is; SQLite's
cursor already steps through rows one at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from peewee import Database

from balance_tui.store.rows import EVENT_COLUMNS
from balance_tui.store.transactions import is_postgres

#: Rows fetched per round trip from a PostgreSQL server-side cursor.
FETCH_ROWS = 5_000
_cursor_names = itertools.count(1)


def customer_heads(db: Database) -> dict[int, tuple[str, int, int, str]]:
    """id -> (code, balance cents, event count, head hash) of every customer."""
    rows = db.execute_sql(
        "SELECT id, code, balance_cents, event_count, head_hash FROM customer"
    ).fetchall()
    return {int(r[0]): (str(r[1]), int(r[2]), int(r[3]), str(r[4])) for r in rows}


def count_events(db: Database) -> int:
    return int(db.execute_sql("SELECT COUNT(*) FROM balance_event").fetchone()[0])


def events_in_chain_order(db: Database) -> Iterator[dict[str, Any]]:
    """Every event as ``{column: value}``, by customer then sequence."""
    sql = f"SELECT {', '.join(EVENT_COLUMNS)} FROM balance_event ORDER BY customer_id, sequence"
    if not is_postgres(db):
        cursor = db.execute_sql(sql)
        try:
            for row in cursor:
                yield dict(zip(EVENT_COLUMNS, row, strict=True))
        finally:
            cursor.close()
        return
    # A server-side cursor inside the caller's snapshot transaction, read in batches.
    name = f"verify_scan_{next(_cursor_names)}"
    db.execute_sql(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}")
    try:
        while True:
            rows = db.execute_sql(f"FETCH FORWARD {FETCH_ROWS} FROM {name}").fetchall()
            if not rows:
                break
            for row in rows:
                yield dict(zip(EVENT_COLUMNS, row, strict=True))
    finally:
        db.execute_sql(f"CLOSE {name}")
