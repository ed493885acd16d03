"""Reading the audit trail: keyset pages, one event, what is new since an id.

Pages are one plain statement (the reversal link joined in): they are what the history
screen runs as the operator scrolls, and Peewee's query building cost more than the query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field

from peewee import Database

from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceChangeEvent
from balance_tui.store.models import BalanceEvent
from balance_tui.store.rows import event_record, in_list, named_rows, select_list
from balance_tui.store.text_match import customer_match_sql, like_pattern
from balance_tui.store.transactions import is_postgres

_EVENT_SELECT = (
    f"SELECT {select_list(BalanceEvent, 'e')}, c.code AS customer_code, r.id AS reversed_by "
    "FROM balance_event e JOIN customer c ON c.id = e.customer_id "
    "LEFT JOIN balance_event r ON r.reverses_event_id = e.id"
)


@record
class EventConditions:
    """What a page of history is narrowed by (already resolved to stored values)."""

    customer_pk: int | None = None
    #: A part of customers' ids or names (``customer_pk`` is the one exact customer).
    customer_like: str | None = None
    agent_code: str | None = None
    change_type: str | None = None
    performed_by: str | None = None
    since_us: int | None = None
    until_us: int | None = None
    before_id: int | None = None
    ids: Sequence[int] = field(default_factory=tuple)
    #: Part of a metadata value (a reference, a ticket), any case.
    metadata_like: str | None = None
    amount_cents: int | None = None
    event_id: int | None = None


def _where(db: Database, c: EventConditions) -> tuple[str, list[object]]:
    p = db.param
    parts: list[str] = []
    params: list[object] = []
    for sql, value in (
        (f"e.customer_id = {p}", c.customer_pk),
        (f"e.agent_code = {p}", c.agent_code),
        (f"e.change_type = {p}", c.change_type),
        (f"e.performed_by = {p}", c.performed_by),
        (f"e.created_us >= {p}", c.since_us),
        (f"e.created_us < {p}", c.until_us),
        (f"e.id < {p}", c.before_id),
        (f"e.id = {p}", c.event_id),
        (f"e.amount_cents IN ({p}, -{p})", c.amount_cents),
    ):
        if value is not None:
            parts.append(sql)
            params += [value] * sql.count(p)
    if c.metadata_like is not None:
        like = "ILIKE" if is_postgres(db) else "LIKE"
        parts.append(f"e.metadata_json {like} {p} ESCAPE '\\'")
        params.append(like_pattern(c.metadata_like))
    if c.customer_like is not None:
        parts.append(customer_match_sql(db, "e.customer_id"))
        params += [like_pattern(c.customer_like)] * 2
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def page(
    db: Database,
    conditions: EventConditions,
    *,
    newest_first_by: str = "id",
    limit: int,
    offset: int = 0,
) -> list[BalanceChangeEvent]:
    """Events matching the conditions, newest first by id (or by the customer's sequence)."""
    where, params = _where(db, conditions)
    order = "e.sequence DESC" if newest_first_by == "sequence" else "e.id DESC"
    sql = f"{_EVENT_SELECT}{where} ORDER BY {order} LIMIT {db.param} OFFSET {db.param}"
    cursor = db.execute_sql(sql, (*params, limit, offset))
    return [event_record(row) for row in named_rows(cursor)]


def oldest_ids(db: Database, conditions: EventConditions, limit: int) -> list[int]:
    """The ids of the ``limit`` oldest events matching the conditions, oldest first."""
    where, params = _where(db, conditions)
    sql = f"SELECT e.id FROM balance_event e{where} ORDER BY e.id LIMIT {db.param}"
    return [int(row[0]) for row in db.execute_sql(sql, (*params, limit))]


def sums_by_type(db: Database, conditions: EventConditions) -> list[tuple[str, str, int, int]]:
    """(change type, currency, events, sum of their cents) of the events matching."""
    where, params = _where(db, conditions)
    sql = (
        f"SELECT e.change_type, e.currency, COUNT(*), COALESCE(SUM(e.amount_cents), 0) "
        f"FROM balance_event e{where} GROUP BY e.change_type, e.currency "
        "ORDER BY e.change_type, e.currency"
    )
    rows = db.execute_sql(sql, tuple(params))
    return [(str(t), str(cur), int(n), int(c)) for t, cur, n, c in rows]


def count(db: Database, conditions: EventConditions) -> int:
    where, params = _where(db, conditions)
    return int(db.execute_sql(f"SELECT COUNT(*) FROM balance_event e{where}", params).fetchone()[0])


def customer_pk(db: Database, code: str) -> int | None:
    row = db.execute_sql(f"SELECT id FROM customer WHERE code = {db.param}", (code,)).fetchone()
    return None if row is None else int(row[0])


def get_event(db: Database, event_id: int) -> BalanceChangeEvent | None:
    cursor = db.execute_sql(f"{_EVENT_SELECT} WHERE e.id = {db.param}", (event_id,))
    row = next(named_rows(cursor), None)
    return None if row is None else event_record(row)


def events_after(
    db: Database, after_id: int, limit: int, also: Iterable[int] = ()
) -> list[BalanceChangeEvent]:
    """Events with an id above ``after_id`` (and those in ``also``), oldest first."""
    wanted = sorted(set(also))
    extra = f" OR e.id IN {in_list(db.param, wanted)}" if wanted else ""
    sql = f"{_EVENT_SELECT} WHERE (e.id > {db.param}{extra}) ORDER BY e.id LIMIT {db.param}"
    cursor = db.execute_sql(sql, (after_id, *wanted, limit))
    return [event_record(row) for row in named_rows(cursor)]


def latest_event_id(db: Database) -> int:
    row = db.execute_sql("SELECT MAX(id) FROM balance_event").fetchone()
    return int(row[0] or 0)
