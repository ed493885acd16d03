"""The chain of audit records (acknowledgements, approvals, refusals, authority changes).

A record holds the canonical body of the row it vouches for, as ``audited_row`` reads it;
``verify`` reads the row again the same way, so an edited or removed acknowledgement no
longer matches its record. Appending takes the chain's head under a lock held to commit
(PostgreSQL: a transaction-scoped advisory lock; SQLite: the write transaction itself), and
``prev_hash`` is unique, so concurrent writers can never fork the chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from peewee import Database

from balance_tui.store.approvals import DECISION_COLUMNS, REQUEST_COLUMNS
from balance_tui.store.rows import named_rows
from balance_tui.store.transactions import is_postgres

#: Arbitrary constant naming the audit chain's advisory lock ("audit" in ASCII).
AUDIT_LOCK_KEY = 0x6175646974

#: kind -> (table, key column, columns vouched for). The key is the record's ``ref_id``.
AUDITED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ack": (
        "alert",
        "id",
        (
            "id",
            "acknowledged_us",
            "acknowledged_by",
            "acknowledgement_note",
            "acknowledged_db_user",
        ),
    ),
    "refusal": (
        "rejected_attempt",
        "id",
        (
            "id",
            "customer_code",
            "change_type",
            "amount_cents",
            "performed_by",
            "errors_json",
            "created_us",
        ),
    ),
    "request": ("approval_request", "id", ("id", *REQUEST_COLUMNS)),
    "decision": ("approval_decision", "request_id", DECISION_COLUMNS),
    "authority": (
        "authority",
        "kind || ':' || subject",
        ("kind", "subject", "limit_cents", "set_by", "set_us"),
    ),
}
RECORD_COLUMNS = ("id", "kind", "ref_id", "body", "db_user", "created_us", "prev_hash", "hash")


def lock_head(db: Database) -> str | None:
    """Take the chain's lock (until commit) and return its head hash (None: empty chain)."""
    if is_postgres(db):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_KEY,))
    row = db.execute_sql("SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def audited_row(db: Database, kind: str, ref_id: str) -> dict[str, Any] | None:
    """The columns a record of ``kind`` vouches for, as stored now."""
    table, key, columns = AUDITED[kind]
    cursor = db.execute_sql(
        f"SELECT {', '.join(columns)} FROM {table} WHERE CAST({key} AS TEXT) = {db.param}",
        (ref_id,),
    )
    return next(named_rows(cursor), None)


def audited_rows(db: Database, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of ``kind`` that should have a record: (ref_id, columns)."""
    table, key, columns = AUDITED[kind]
    where = " WHERE acknowledged_us IS NOT NULL" if kind == "ack" else ""
    cursor = db.execute_sql(
        f"SELECT CAST({key} AS TEXT) AS ref__, {', '.join(columns)} FROM {table}{where}"
    )
    for row in named_rows(cursor):
        yield str(row.pop("ref__")), row


def append(db: Database, values: dict[str, Any]) -> None:
    cols = RECORD_COLUMNS[1:]
    db.execute_sql(
        f"INSERT INTO audit_record ({', '.join(cols)}) "
        f"VALUES ({', '.join([db.param] * len(cols))})",
        tuple(values[c] for c in cols),
    )


def records(db: Database) -> Iterator[dict[str, Any]]:
    """Every audit record in chain order."""
    cursor = db.execute_sql(f"SELECT {', '.join(RECORD_COLUMNS)} FROM audit_record ORDER BY id")
    yield from named_rows(cursor)


def head(db: Database) -> tuple[int, str | None]:
    """(number of records, hash of the last), without locking."""
    count = int(db.execute_sql("SELECT COUNT(*) FROM audit_record").fetchone()[0])
    row = db.execute_sql("SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1").fetchone()
    return count, None if row is None else str(row[0])


def hash_at(db: Database, position: int) -> str | None:
    """The hash of the ``position``-th record (1-based, chain order), if there is one."""
    row = db.execute_sql(
        f"SELECT hash FROM audit_record ORDER BY id LIMIT 1 OFFSET {db.param}", (position - 1,)
    ).fetchone()
    return None if row is None else str(row[0])
