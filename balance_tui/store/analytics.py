"""The aggregates analytics needs, bound to one database; the caller holds one snapshot."""

from __future__ import annotations

from typing import Any

from peewee import Database, fn

from balance_tui.domain.record import record
from balance_tui.store.models import Agent
from balance_tui.store.models import Customer as CustomerRow
from balance_tui.store.transactions import is_postgres


@record
class EventScope:
    """Whose events: one customer, or one currency (optionally of one agent)."""

    customer_pk: int | None = None
    currency: str | None = None
    agent_code: str | None = None

    def where(self, param: str) -> tuple[str, list[Any]]:
        """The scope as a condition on ``balance_event``, with its parameters."""
        if self.customer_pk is not None:
            return f"customer_id = {param}", [self.customer_pk]
        if self.agent_code:
            return f"currency = {param} AND agent_code = {param}", [
                self.currency,
                self.agent_code,
            ]
        return f"currency = {param}", [self.currency]


@record
class GroupedChanges:
    """One row per change type and series bucket inside the period."""

    change_type: str
    bucket: int
    count: int
    total: int
    squares: float
    largest: int
    smallest: int


def customer_basics(db: Database, code: str) -> tuple[int, int, str, str] | None:
    """(id, balance cents, tier, currency) of a customer."""
    row = (
        CustomerRow.select(
            CustomerRow.id, CustomerRow.balance_cents, CustomerRow.vip_level, CustomerRow.currency
        )
        .where(CustomerRow.code == code)
        .tuples()
        .bind(db)
        .first()
    )
    return None if row is None else (int(row[0]), int(row[1]), str(row[2]), str(row[3]))


def currencies(db: Database) -> list[str]:
    """The currencies the book's customers hold, in order."""
    query = CustomerRow.select(CustomerRow.currency).distinct().order_by(CustomerRow.currency)
    return [row.currency for row in query.bind(db)]


def agent_exists(db: Database, code: str) -> bool:
    return bool(Agent.select().where(Agent.code == code).bind(db).exists())


def total_balance(db: Database, currency: str, agent_code: str | None) -> int:
    query = CustomerRow.select(fn.COALESCE(fn.SUM(CustomerRow.balance_cents), 0)).where(
        CustomerRow.currency == currency
    )
    if agent_code:
        query = query.join(Agent).where(Agent.code == agent_code)
    return int(query.bind(db).scalar() or 0)


# The aggregates below are SQL text: each analytics call runs up to a dozen of them (the
# edges of a period around its rollups), and Peewee took longer to build each than the
# database took to answer it.


def square_sql(db: Database) -> str:
    """An event's amount squared, as a float (for the variance)."""
    if is_postgres(db):
        return "CAST(amount_cents AS DOUBLE PRECISION) * amount_cents"
    return "amount_cents * 1.0 * amount_cents"  # one float multiply: cheaper than two CASTs


def sum_from(db: Database, scope: EventScope, from_us: int) -> int:
    """The net of every change at or after ``from_us``."""
    where, params = scope.where(db.param)
    row = db.execute_sql(
        f"SELECT COALESCE(SUM(amount_cents), 0) FROM balance_event WHERE {where} "
        f"AND created_us >= {db.param}",
        (*params, from_us),
    ).fetchone()
    return int(row[0] or 0)


def sum_between(db: Database, scope: EventScope, lo_us: int, hi_us: int) -> int:
    """The net of every change in [lo, hi)."""
    p = db.param
    where, params = scope.where(p)
    row = db.execute_sql(
        f"SELECT COALESCE(SUM(amount_cents), 0) FROM balance_event WHERE {where} "
        f"AND created_us >= {p} AND created_us < {p}",
        (*params, lo_us, hi_us),
    ).fetchone()
    return int(row[0] or 0)


def grouped_changes(
    db: Database,
    scope: EventScope,
    lo_us: int,
    hi_us: int,
    width: int,
    origin: int | None = None,
) -> list[GroupedChanges]:
    """One pass over [lo, hi), grouped by change type and bucket of ``width`` µs counted
    from ``origin`` (default ``lo``; no event of the range is before it)."""
    p = db.param
    where, params = scope.where(p)
    whole = "CAST({} AS BIGINT)".format if is_postgres(db) else "{}".format
    cursor = db.execute_sql(
        f"SELECT change_type, (created_us - {whole(p)}) / {whole(p)}, COUNT(*), "
        f"SUM(amount_cents), SUM({square_sql(db)}), MAX(amount_cents), MIN(amount_cents) "
        f"FROM balance_event WHERE {where} AND created_us >= {p} AND created_us < {p} "
        "GROUP BY 1, 2",
        (lo_us if origin is None else origin, width, *params, lo_us, hi_us),
    )
    return [
        GroupedChanges(str(kind), int(index), int(n), int(total), float(sq or 0), int(hi), int(lo))
        for kind, index, n, total, sq, hi, lo in cursor
    ]


def operations_counts(
    db: Database,
    lo_us: int,
    hi_us: int,
    customer: tuple[str, int] | None,
    agent_code: str | None,
    currency: str | None = None,
) -> tuple[int, int]:
    """(refused attempts, alerts raised) in [lo, hi) for a customer, an agent or all;
    ``currency``: only customers keeping their balance in it."""
    p = db.param
    refused_of, alerts_of = "", ""
    refused_args: list[object] = []
    alerts_args: list[object] = []
    if customer is not None:
        refused_of, alerts_of = f" AND customer_code = {p}", f" AND customer_id = {p}"
        refused_args, alerts_args = [customer[0]], [customer[1]]
    else:
        narrow = []
        if agent_code is not None:
            narrow.append((f"a.code = {p}", agent_code))
        if currency is not None:
            narrow.append((f"c.currency = {p}", currency))
        if narrow:
            where = " AND ".join(sql for sql, _ in narrow)
            chosen = f"FROM customer c JOIN agent a ON a.id = c.agent_id WHERE {where}"
            refused_of = f" AND customer_code IN (SELECT c.code {chosen})"
            alerts_of = f" AND customer_id IN (SELECT c.id {chosen})"
            refused_args = alerts_args = [value for _, value in narrow]
    row = db.execute_sql(
        "SELECT (SELECT COUNT(*) FROM rejected_attempt "
        f"WHERE created_us >= {p} AND created_us < {p}{refused_of}), "
        "(SELECT COUNT(*) FROM alert "
        f"WHERE created_us >= {p} AND created_us < {p}{alerts_of})",
        (lo_us, hi_us, *refused_args, lo_us, hi_us, *alerts_args),
    ).fetchone()
    return int(row[0]), int(row[1])
