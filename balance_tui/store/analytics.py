"""The aggregates analytics needs, bound to one database; the caller holds one snapshot."""

from __future__ import annotations

from typing import Any

from peewee import SQL, Database, fn

from balance_tui.domain.record import record
from balance_tui.store.models import Agent, Alert, BalanceEvent, RejectedAttempt
from balance_tui.store.models import Customer as CustomerRow
from balance_tui.store.rows import tuple_rows
from balance_tui.store.transactions import is_postgres


@record
class EventScope:
    """Whose events: one customer, or one currency (optionally of one agent)."""

    customer_pk: int | None = None
    currency: str | None = None
    agent_code: str | None = None

    def condition(self):  # type: ignore[no-untyped-def]
        if self.customer_pk is not None:
            return BalanceEvent.customer == self.customer_pk
        condition = BalanceEvent.currency == self.currency
        if self.agent_code:
            condition &= BalanceEvent.agent_code == self.agent_code
        return condition


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


def agent_exists(db: Database, code: str) -> bool:
    return bool(Agent.select().where(Agent.code == code).bind(db).exists())


def total_balance(db: Database, currency: str, agent_code: str | None) -> int:
    query = CustomerRow.select(fn.COALESCE(fn.SUM(CustomerRow.balance_cents), 0)).where(
        CustomerRow.currency == currency
    )
    if agent_code:
        query = query.join(Agent).where(Agent.code == agent_code)
    return int(query.bind(db).scalar() or 0)


def sum_from(db: Database, scope: EventScope, from_us: int) -> int:
    """The net of every change at or after ``from_us``."""
    query = BalanceEvent.select(fn.COALESCE(fn.SUM(BalanceEvent.amount_cents), 0)).where(
        scope.condition() & (BalanceEvent.created_us >= from_us)
    )
    return int(query.bind(db).scalar() or 0)


def sum_between(db: Database, scope: EventScope, lo_us: int, hi_us: int) -> int:
    """The net of every change in [lo, hi)."""
    query = BalanceEvent.select(fn.COALESCE(fn.SUM(BalanceEvent.amount_cents), 0)).where(
        scope.condition() & (BalanceEvent.created_us >= lo_us) & (BalanceEvent.created_us < hi_us)
    )
    return int(query.bind(db).scalar() or 0)


def grouped_changes(
    db: Database,
    scope: EventScope,
    lo_us: int,
    hi_us: int,
    width: int,
    origin: int | None = None,
) -> list[GroupedChanges]:
    """One pass over [lo, hi), grouped by change type and bucket of ``width`` µs counted
    from ``origin`` (default ``lo``)."""
    amount = BalanceEvent.amount_cents
    bucket: Any = (BalanceEvent.created_us - (lo_us if origin is None else origin)) / width
    if is_postgres(db):
        squared = amount.cast("DOUBLE PRECISION") * amount.cast("DOUBLE PRECISION")
        bucket = fn.FLOOR(bucket).cast("BIGINT")
    else:
        squared = amount * 1.0 * amount  # one float multiply: cheaper than two CASTs
    query = (
        BalanceEvent.select(
            BalanceEvent.change_type,
            bucket,
            fn.COUNT(BalanceEvent.id),
            fn.SUM(amount),
            fn.SUM(squared),
            fn.MAX(amount),
            fn.MIN(amount),
        )
        .where(
            scope.condition()
            & (BalanceEvent.created_us >= lo_us)
            & (BalanceEvent.created_us < hi_us)
        )
        .group_by(SQL("1"), SQL("2"))
        .bind(db)
    )
    return [
        GroupedChanges(str(kind), int(index), int(n), int(total), float(sq or 0), int(hi), int(lo))
        for kind, index, n, total, sq, hi, lo in tuple_rows(query)
    ]


def operations_counts(
    db: Database,
    lo_us: int,
    hi_us: int,
    customer: tuple[str, int] | None,
    agent_code: str | None,
) -> tuple[int, int]:
    """(refused attempts, alerts raised) in [lo, hi) for a customer, an agent or all."""
    rejected = RejectedAttempt.select().where(
        (RejectedAttempt.created_us >= lo_us) & (RejectedAttempt.created_us < hi_us)
    )
    alerts = Alert.select().where((Alert.created_us >= lo_us) & (Alert.created_us < hi_us))
    if customer is not None:
        rejected = rejected.where(RejectedAttempt.customer_code == customer[0])
        alerts = alerts.where(Alert.customer == customer[1])
    elif agent_code is not None:
        codes = CustomerRow.select(CustomerRow.code).join(Agent).where(Agent.code == agent_code)
        rejected = rejected.where(RejectedAttempt.customer_code.in_(codes))
        alerts = alerts.join(CustomerRow).join(Agent).where(Agent.code == agent_code)
    return int(rejected.bind(db).count()), int(alerts.bind(db).count())
