"""Turning stored rows into the records the services return (never Peewee rows)."""

from __future__ import annotations

import json
from typing import Any

from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.records import BalanceChangeEvent, BalanceThresholdAlert, Customer
from balance_tui.services.clock import from_us
from balance_tui.store.models import Agent, Alert, BalanceEvent
from balance_tui.store.models import Customer as CustomerRow

#: Event columns in the order ``event_from_tuple`` reads them; the customer code and the id
#: of the event that reversed this one (if any) come from joins.
EVENT_COLUMNS = (
    BalanceEvent.id,
    CustomerRow.code,
    BalanceEvent.agent_code,
    BalanceEvent.change_type,
    BalanceEvent.amount_cents,
    BalanceEvent.previous_cents,
    BalanceEvent.new_cents,
    BalanceEvent.reason,
    BalanceEvent.performed_by,
    BalanceEvent.vip_level,
    BalanceEvent.metadata_json,
    BalanceEvent.risk_score,
    BalanceEvent.warnings_json,
    BalanceEvent.idempotency_key,
    BalanceEvent.created_us,
    BalanceEvent.reverses_event,
    BalanceEvent.prev_hash,
    BalanceEvent.hash,
    BalanceEvent.sequence,
    BalanceEvent.currency,
    BalanceEvent.db_user,
)

ALERT_COLUMNS = (
    Alert.id,
    CustomerRow.code,
    Alert.alert_type,
    Alert.message,
    Alert.balance_cents,
    Alert.threshold_cents,
    Alert.event,
    Alert.created_us,
    Alert.acknowledged_us,
    Alert.acknowledged_by,
    Alert.attempted_cents,
    Alert.attempted_by,
)

CUSTOMER_COLUMNS = (
    CustomerRow.code,
    CustomerRow.name,
    Agent.code,
    CustomerRow.vip_level,
    CustomerRow.currency,
    CustomerRow.status,
    CustomerRow.balance_cents,
    CustomerRow.created_us,
)


def event_from_tuple(row: tuple[Any, ...], reversed_by: int | None = None) -> BalanceChangeEvent:
    return BalanceChangeEvent(
        id=row[0],
        customer_id=row[1],
        agent_id=row[2],
        change_type=row[3],
        amount=cents_to_decimal(row[4]),
        previous_balance=cents_to_decimal(row[5]),
        new_balance=cents_to_decimal(row[6]),
        reason=row[7],
        performed_by=row[8],
        vip_level=row[9],
        metadata=json.loads(row[10]),
        risk_score=row[11],
        warnings=json.loads(row[12]),
        idempotency_key=row[13],
        created_at=from_us(row[14]),
        reverses_event_id=row[15],
        prev_hash=row[16],
        hash=row[17],
        sequence=row[18],
        currency=row[19],
        db_user=row[20],
        reversed_by_event_id=reversed_by,
    )


def alert_from_tuple(row: tuple[Any, ...]) -> BalanceThresholdAlert:
    return BalanceThresholdAlert(
        id=row[0],
        customer_id=row[1],
        alert_type=row[2],
        message=row[3],
        balance=cents_to_decimal(row[4]),
        threshold=None if row[5] is None else cents_to_decimal(row[5]),
        event_id=row[6],
        created_at=from_us(row[7]),
        acknowledged_at=None if row[8] is None else from_us(row[8]),
        acknowledged_by=row[9],
        attempted_amount=None if row[10] is None else cents_to_decimal(row[10]),
        attempted_by=row[11],
    )


def customer_from_tuple(row: tuple[Any, ...]) -> Customer:
    return Customer(
        id=row[0],
        name=row[1],
        agent_id=row[2],
        vip_level=row[3],
        currency=row[4],
        status=row[5],
        balance=cents_to_decimal(row[6]),
        created_at=from_us(row[7]),
    )


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """Run a query and return plain tuples (Peewee's stubs type ``.tuples()`` as models)."""
    return list(query.tuples())


def select_events():  # type: ignore[no-untyped-def]
    """Events joined to their customer, columns as ``EVENT_COLUMNS``."""
    return BalanceEvent.select(*EVENT_COLUMNS).join(CustomerRow).switch(BalanceEvent)


def select_alerts():  # type: ignore[no-untyped-def]
    return Alert.select(*ALERT_COLUMNS).join(CustomerRow)


def select_customers():  # type: ignore[no-untyped-def]
    return CustomerRow.select(*CUSTOMER_COLUMNS).join(Agent)
