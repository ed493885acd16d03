"""Stored rows as the records the services return (never Peewee rows), mapped by name.

Column names come from the models, once: ``select_list`` writes the SELECT list of a table
from its model, and the records are built from ``{column: value}`` mappings, so adding or
moving a column cannot shift another into the wrong field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from balance_tui.domain.money import cents_to_decimal as cents
from balance_tui.domain.records import BalanceChangeEvent, BalanceThresholdAlert, Customer
from balance_tui.store.models import Alert, BalanceEvent, BaseModel

Row = Mapping[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def column_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The table's columns, in the model's order."""
    return tuple(field.column_name for field in model._meta.sorted_fields)


def select_list(model: type[BaseModel], alias: str) -> str:
    """``alias.col AS col, ...`` for every column of the model."""
    return ", ".join(f"{alias}.{name} AS {name}" for name in column_names(model))


EVENT_COLUMNS = column_names(BalanceEvent)
ALERT_COLUMNS = column_names(Alert)


def named_rows(cursor: Any) -> Iterator[dict[str, Any]]:
    """The rows of a DB-API cursor as ``{column: value}`` dictionaries."""
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def first_named(cursor: Any) -> dict[str, Any] | None:
    return next(named_rows(cursor), None)


def moment(us: int) -> datetime:
    """Integer microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=int(us))


def event_record(row: Row) -> BalanceChangeEvent:
    """An event row selected with ``customer_code`` (and ``reversed_by``, when joined)."""
    return BalanceChangeEvent(
        id=int(row["id"]),
        customer_id=row["customer_code"],
        agent_id=row["agent_code"],
        change_type=row["change_type"],
        amount=cents(row["amount_cents"]),
        previous_balance=cents(row["previous_cents"]),
        new_balance=cents(row["new_cents"]),
        reason=row["reason"],
        performed_by=row["performed_by"],
        vip_level=row["vip_level"],
        metadata=json.loads(row["metadata_json"]),
        risk_score=int(row["risk_score"]),
        warnings=json.loads(row["warnings_json"]),
        idempotency_key=row["idempotency_key"],
        created_at=moment(row["created_us"]),
        reverses_event_id=row["reverses_event_id"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        sequence=int(row["sequence"]),
        currency=row["currency"],
        db_user=row["db_user"],
        reversed_by_event_id=row.get("reversed_by"),
        approval_id=row.get("approval_id"),
    )


def alert_record(row: Row) -> BalanceThresholdAlert:
    """An alert row selected with ``customer_code``."""
    attempted = row["attempted_cents"]
    return BalanceThresholdAlert(
        id=int(row["id"]),
        customer_id=row["customer_code"],
        alert_type=row["alert_type"],
        message=row["message"],
        balance=cents(row["balance_cents"]),
        threshold=None if row["threshold_cents"] is None else cents(row["threshold_cents"]),
        event_id=row["event_id"],
        created_at=moment(row["created_us"]),
        acknowledged_at=None if row["acknowledged_us"] is None else moment(row["acknowledged_us"]),
        acknowledged_by=row["acknowledged_by"],
        attempted_amount=None if attempted is None else cents(attempted),
        attempted_by=row["attempted_by"],
        acknowledgement_note=row["acknowledgement_note"],
    )


def customer_record(row: Row) -> Customer:
    """A customer row selected with ``agent_code``."""
    return Customer(
        id=row["code"],
        name=row["name"],
        agent_id=row["agent_code"],
        vip_level=row["vip_level"],
        currency=row["currency"],
        status=row["status"],
        balance=cents(row["balance_cents"]),
        created_at=moment(row["created_us"]),
    )


def tuple_rows(query: Any) -> list[tuple[Any, ...]]:
    """Run a Peewee query as plain tuples (Peewee's stubs type ``.tuples()`` as models)."""
    return list(query.tuples())


def placeholders(param: str, count: int) -> str:
    return ", ".join([param] * count)


def in_list(param: str, values: Sequence[object] | Iterable[object]) -> str:
    """``(?, ?, ?)`` for an IN clause of that many values."""
    return f"({placeholders(param, len(list(values)))})"
