"""Approval requests and their decisions (both append-only; a request's status is derived:
decided, expired, or pending)."""

from __future__ import annotations

from typing import Any

from peewee import Database

from balance_tui.store.rows import named_rows
from balance_tui.store.transactions import is_postgres

REQUEST_COLUMNS = (
    "customer_id",
    "change_type",
    "amount_cents",
    "reason",
    "metadata_json",
    "reverses_event_id",
    "maker",
    "maker_label",
    "maker_authority_cents",
    "created_us",
    "expires_us",
)
#: Stored with a request but not part of its audited body (books made before keyed
#: requests have audit records without them).
KEY_COLUMNS = ("idempotency_key", "request_hash")
DECISION_COLUMNS = ("request_id", "verdict", "checker", "checker_label", "note", "decided_us")


def _status(p: str) -> str:
    return (
        "CASE WHEN d.verdict IS NOT NULL THEN d.verdict "
        f"WHEN r.expires_us <= {p} THEN 'expired' ELSE 'pending' END"
    )


def _select(p: str) -> str:
    return (
        "SELECT r.id, c.code AS customer_code, c.currency, r.change_type, r.amount_cents, "
        "r.reason, r.metadata_json, r.reverses_event_id, r.maker, r.maker_label, "
        "r.maker_authority_cents, r.created_us, r.expires_us, d.verdict, d.checker, "
        "d.checker_label, d.note, d.decided_us, e.id AS event_id, "
        f"{_status(p)} AS status "
        "FROM approval_request r JOIN customer c ON c.id = r.customer_id "
        "LEFT JOIN approval_decision d ON d.request_id = r.id "
        "LEFT JOIN balance_event e ON e.approval_id = r.id"
    )


def insert_request(db: Database, values: dict[str, Any]) -> int:
    p = db.param
    columns = REQUEST_COLUMNS + KEY_COLUMNS
    sql = (
        f"INSERT INTO approval_request ({', '.join(columns)}) "
        f"VALUES ({', '.join([p] * len(columns))})"
    )
    args = tuple(values.get(c) for c in columns)
    if is_postgres(db):
        return int(db.execute_sql(sql + " RETURNING id", args).fetchone()[0])
    return int(db.execute_sql(sql, args).lastrowid)


def request_with_key(db: Database, key: str) -> tuple[int, str | None] | None:
    """(id, change fingerprint) of the request made under an idempotency key, if any."""
    row = db.execute_sql(
        f"SELECT id, request_hash FROM approval_request WHERE idempotency_key = {db.param}",
        (key,),
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


def key_of_request(db: Database, request_id: int) -> str | None:
    """The idempotency key a request was made under, if any."""
    row = db.execute_sql(
        f"SELECT idempotency_key FROM approval_request WHERE id = {db.param}", (request_id,)
    ).fetchone()
    return None if row is None else row[0]


def insert_decision(db: Database, values: dict[str, Any]) -> None:
    p = db.param
    db.execute_sql(
        f"INSERT INTO approval_decision ({', '.join(DECISION_COLUMNS)}) "
        f"VALUES ({', '.join([p] * len(DECISION_COLUMNS))})",
        tuple(values[c] for c in DECISION_COLUMNS),
    )


def pending_duplicate(
    db: Database,
    customer_pk: int,
    maker: str,
    change: tuple[str, int, int | None],
    now_us: int,
) -> int | None:
    """The id of a pending request by the same maker for the same change (type, cents,
    reversed event), if any."""
    p = db.param
    change_type, cents, reverses = change
    row = db.execute_sql(
        "SELECT r.id FROM approval_request r "
        "LEFT JOIN approval_decision d ON d.request_id = r.id "
        f"WHERE r.customer_id = {p} AND r.maker = {p} AND r.change_type = {p} "
        f"AND r.amount_cents = {p} AND COALESCE(r.reverses_event_id, 0) = {p} "
        f"AND d.request_id IS NULL AND r.expires_us > {p} ORDER BY r.id LIMIT 1",
        (customer_pk, maker, change_type, cents, reverses or 0, now_us),
    ).fetchone()
    return None if row is None else int(row[0])


def request(db: Database, request_id: int, now_us: int) -> dict[str, Any] | None:
    p = db.param
    cursor = db.execute_sql(f"{_select(p)} WHERE r.id = {p}", (now_us, request_id))
    return next(named_rows(cursor), None)


def requests(
    db: Database,
    now_us: int,
    *,
    status: str | None = None,
    maker: str | None = None,
    customer: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Requests, newest first; ``status`` pending/approved/rejected/expired, ``maker`` and
    ``customer`` (its code) narrow them."""
    p = db.param
    where: list[str] = []
    args: list[object] = [now_us]
    if status is not None:
        where.append(f"{_status(p)} = {p}")
        args += [now_us, status]
    if maker is not None:
        where.append(f"r.maker = {p}")
        args.append(maker)
    if customer is not None:
        where.append(f"c.code = {p}")
        args.append(customer)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    cursor = db.execute_sql(f"{_select(p)}{clause} ORDER BY r.id DESC LIMIT {p}", (*args, limit))
    return list(named_rows(cursor))


def count_pending(db: Database, now_us: int) -> int:
    p = db.param
    row = db.execute_sql(
        "SELECT COUNT(*) FROM approval_request r "
        "LEFT JOIN approval_decision d ON d.request_id = r.id "
        f"WHERE d.request_id IS NULL AND r.expires_us > {p}",
        (now_us,),
    ).fetchone()
    return int(row[0])


def marks(db: Database) -> tuple[int, int]:
    """(highest request id, latest decision time): where a watcher starts."""
    row = db.execute_sql(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM approval_request), "
        "(SELECT COALESCE(MAX(decided_us), 0) FROM approval_decision)"
    ).fetchone()
    return int(row[0]), int(row[1])


def changed_since(
    db: Database, after_id: int, after_decided_us: int, now_us: int
) -> list[dict[str, Any]]:
    """Requests made after ``after_id`` or decided after ``after_decided_us``, oldest first."""
    p = db.param
    cursor = db.execute_sql(
        f"{_select(p)} WHERE r.id > {p} OR d.decided_us > {p} ORDER BY r.id LIMIT 200",
        (now_us, after_id, after_decided_us),
    )
    return list(named_rows(cursor))
