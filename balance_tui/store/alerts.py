"""Reading and acknowledging alerts, bound to one database."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Database

from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.store.models import Alert
from balance_tui.store.rows import alert_record, in_list, named_rows, select_list
from balance_tui.store.text_match import customer_match_sql, like_pattern

_ALERT_SELECT = (
    f"SELECT {select_list(Alert, 'a')}, c.code AS customer_code "
    "FROM alert a JOIN customer c ON c.id = a.customer_id"
)


def list_alerts(
    db: Database,
    *,
    customer_code: str | None = None,
    customer_like: str | None = None,
    alert_type: str | None = None,
    include_acknowledged: bool = False,
    before_id: int | None = None,
    ids: Iterable[int] | None = None,
    limit: int | None = None,
) -> list[BalanceThresholdAlert]:
    """Alerts newest first; only active ones unless ``include_acknowledged``."""
    where, params = _alert_where(
        db, customer_code, customer_like, alert_type, include_acknowledged, before_id, ids
    )
    if where is None:
        return []
    sql = _ALERT_SELECT + where + " ORDER BY a.id DESC"
    if limit is not None:
        sql += f" LIMIT {db.param}"
        params.append(limit)
    return [alert_record(row) for row in named_rows(db.execute_sql(sql, params))]


def count_alerts(
    db: Database,
    *,
    customer_code: str | None = None,
    customer_like: str | None = None,
    alert_type: str | None = None,
    include_acknowledged: bool = False,
) -> int:
    """How many alerts ``list_alerts`` would give without a limit."""
    where, params = _alert_where(
        db, customer_code, customer_like, alert_type, include_acknowledged, None, None
    )
    sql = "SELECT COUNT(*) FROM alert a JOIN customer c ON c.id = a.customer_id" + (where or "")
    return int(db.execute_sql(sql, params).fetchone()[0])


def _alert_where(
    db: Database,
    customer_code: str | None,
    customer_like: str | None,
    alert_type: str | None,
    include_acknowledged: bool,
    before_id: int | None,
    ids: Iterable[int] | None,
) -> tuple[str | None, list[object]]:
    """The WHERE clause and its parameters; None when ``ids`` is empty (nothing matches)."""
    p = db.param
    parts: list[str] = []
    params: list[object] = []
    if not include_acknowledged:
        parts.append("a.acknowledged_us IS NULL")
    for sql, value in (
        (f"c.code = {p}", customer_code),
        (f"a.alert_type = {p}", alert_type),
        (f"a.id < {p}", before_id),
    ):
        if value is not None:
            parts.append(sql)
            params.append(value)
    if customer_like is not None:
        parts.append(customer_match_sql(db, "a.customer_id"))
        params += [like_pattern(customer_like)] * 2
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return None, params
        parts.append(f"a.id IN {in_list(p, wanted)}")
        params.extend(wanted)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def count_active(db: Database) -> int:
    row = db.execute_sql("SELECT COUNT(*) FROM alert WHERE acknowledged_us IS NULL").fetchone()
    return int(row[0])


def alerts_after(
    db: Database, after_id: int, limit: int, also: Iterable[int] = ()
) -> list[BalanceThresholdAlert]:
    """Alerts with an id above ``after_id`` (and those in ``also``), oldest first."""
    wanted = sorted(set(also))
    extra = f" OR a.id IN {in_list(db.param, wanted)}" if wanted else ""
    sql = f"{_ALERT_SELECT} WHERE (a.id > {db.param}{extra}) ORDER BY a.id LIMIT {db.param}"
    return [alert_record(r) for r in named_rows(db.execute_sql(sql, (after_id, *wanted, limit)))]


def latest_alert_id(db: Database) -> int:
    row = db.execute_sql("SELECT MAX(id) FROM alert").fetchone()
    return int(row[0] or 0)


def acknowledge(
    db: Database, ids: list[int], who: str, now_us: int, note: str | None = None
) -> tuple[list[int], list[int]]:
    """Acknowledge the open ones among ``ids`` (rows locked first on PostgreSQL).

    Returns (ids that do not exist, ids acknowledged now)."""
    from balance_tui.store.transactions import is_postgres

    p = db.param
    lock = " FOR UPDATE" if is_postgres(db) else ""
    rows = db.execute_sql(
        f"SELECT id, acknowledged_us FROM alert WHERE id IN {in_list(p, ids)}{lock}", ids
    ).fetchall()
    found = {int(r[0]) for r in rows}
    newly = sorted(int(r[0]) for r in rows if r[1] is None)
    if newly:
        db.execute_sql(
            f"UPDATE alert SET acknowledged_us = {p}, acknowledged_by = {p}, "
            f"acknowledgement_note = {p} "
            f"WHERE id IN {in_list(p, newly)} AND acknowledged_us IS NULL",
            (now_us, who, note, *newly),
        )
    return [i for i in ids if i not in found], newly
