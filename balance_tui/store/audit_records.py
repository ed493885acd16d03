"""The chain of audit records (alerts and their acknowledgements, approvals, refusals,
authority and tier rules, customers' attributes and their changes).

A record holds the canonical body of the row it vouches for, as ``audited_row`` reads it;
``verify`` reads the row again the same way, so an edited or removed acknowledgement no
longer matches its record. Appending takes the chain's head under a lock held to commit
(PostgreSQL: a transaction-scoped advisory lock; SQLite: the write transaction itself), and
``prev_hash`` is unique, so concurrent writers can never fork the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from peewee import Database, OperationalError

from balance_tui.domain.errors import AuditChainBusyError
from balance_tui.domain.hashing import GENESIS_HASH, audit_hash, canonical_json
from balance_tui.store.approvals import DECISION_COLUMNS, REQUEST_COLUMNS
from balance_tui.store.rows import named_rows
from balance_tui.store.tier_rules import COLUMNS as TIER_RULE_COLUMNS
from balance_tui.store.transactions import database_user, is_postgres

#: What an alert says when raised: its type, text and figures.
ALERT_COLUMNS = (
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
)

#: kind -> (table, key column, columns vouched for). The key is the record's ``ref_id``.
AUDITED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "alert": ("alert", "id", ALERT_COLUMNS),
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
    "rule": ("tier_rule", "tier", TIER_RULE_COLUMNS),
    "customer": (
        "customer",
        "code",
        ("code", "name", "agent_id", "vip_level", "currency", "status", "created_us"),
    ),
    "operator": ("book_operator", "name", ("name", "role", "set_by", "set_us")),
    "customer_change": (
        "customer_change",
        "id",
        ("id", "customer_id", "changes_json", "reason", "changed_by", "created_us"),
    ),
}
RECORD_COLUMNS = ("id", "kind", "ref_id", "body", "db_user", "created_us", "prev_hash", "hash")


LOCK_ROW = "SELECT id FROM audit_chain_lock WHERE id = 1 FOR UPDATE"
#: Sessions holding (or queued for) the chain's row: only the lock touches that table.
LOCK_HOLDERS = (
    "SELECT DISTINCT a.usename, a.pid FROM pg_catalog.pg_locks l "
    "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid() "
    "AND l.relation = 'audit_chain_lock'::regclass ORDER BY a.pid"
)


def lock_head(db: Database) -> str | None:
    """Take the chain's lock (until commit) and return its head hash (None: empty chain).

    On PostgreSQL a chain held by another transaction is waited for up to the write
    transaction's lock timeout; then :class:`AuditChainBusyError` names who holds it."""
    if is_postgres(db):
        _lock_chain(db)
    row = db.execute_sql("SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def _lock_chain(db: Database) -> None:
    try:
        with db.atomic():  # a savepoint: a refused NOWAIT leaves the transaction usable
            db.execute_sql(LOCK_ROW + " NOWAIT")
            return
    except OperationalError as exc:
        if not lock_not_available(exc):
            raise
    holders = ", ".join(f"{name} (pid {pid})" for name, pid in db.execute_sql(LOCK_HOLDERS))
    try:
        with db.atomic():
            db.execute_sql(LOCK_ROW)
    except OperationalError as exc:
        if not lock_not_available(exc):
            raise
        raise AuditChainBusyError(
            f"The audit chain stayed locked by {holders or 'another transaction'}; "
            "nothing was changed. Try again when that transaction ends."
        ) from None


def lock_not_available(exc: BaseException) -> bool:
    """PostgreSQL's lock_not_available (55P03): NOWAIT refused or lock_timeout ran out."""
    original = getattr(exc, "orig", None) or exc.__cause__ or exc
    return getattr(original, "pgcode", None) == "55P03"


def audited_row(db: Database, kind: str, ref_id: str) -> dict[str, Any] | None:
    """The columns a record of ``kind`` vouches for, as stored now."""
    table, key, columns = AUDITED[kind]
    cursor = db.execute_sql(
        f"SELECT {', '.join(columns)} FROM {table} WHERE CAST({key} AS TEXT) = {db.param}",
        (ref_id,),
    )
    return next(named_rows(cursor), None)


def audited_rows(
    db: Database, kind: str, from_id: int | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of ``kind`` that should have a record: (ref_id, columns); with ``from_id``,
    only the rows of a kind keyed by ``id`` from that id on."""
    table, key, columns = AUDITED[kind]
    conditions = ["acknowledged_us IS NOT NULL"] if kind == "ack" else []
    if from_id is not None:
        conditions.append(f"id >= {int(from_id)}")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
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


def vouch_for_unvouched(db: Database, now_us: int, kinds: Iterable[str] | None = None) -> int:
    """Append a record for every row that should have one and has none, in one extension
    of the chain (inside the caller's write transaction). For rows written before every
    audited write had its record; a migration names the ``kinds`` whose tables exist at its
    step. Returns how many."""
    lock_head(db)  # before reading what is recorded: no record is added meanwhile
    recorded = set(db.execute_sql("SELECT kind, ref_id FROM audit_record").fetchall())
    return _extend_chain(
        db,
        now_us,
        (
            (kind, ref_id, row)
            for kind in (AUDITED if kinds is None else kinds)
            for ref_id, row in audited_rows(db, kind)
            if (kind, ref_id) not in recorded
        ),
    )


def vouch_for_new(db: Database, now_us: int, first_ids: dict[str, int]) -> int:
    """Append a record for every row of each kind from id ``first_ids[kind]`` on: rows the
    caller's transaction has just written in bulk (the demo's), none recorded yet."""
    return _extend_chain(
        db,
        now_us,
        (
            (kind, ref_id, row)
            for kind, first in first_ids.items()
            for ref_id, row in audited_rows(db, kind, from_id=first)
        ),
    )


def _extend_chain(
    db: Database, now_us: int, rows: Iterable[tuple[str, str, dict[str, Any]]]
) -> int:
    head = lock_head(db) or GENESIS_HASH
    writer = database_user(db)
    values = []
    for kind, ref_id, row in rows:
        body = canonical_json(row)
        digest = audit_hash(head, kind, ref_id, body, writer)
        values.append((kind, ref_id, body, writer, now_us, head, digest))
        head = digest
    if values:
        cols = RECORD_COLUMNS[1:]
        db.cursor().executemany(
            f"INSERT INTO audit_record ({', '.join(cols)}) "
            f"VALUES ({', '.join([db.param] * len(cols))})",
            values,
        )
    return len(values)


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
