"""Raising an alert: its row and the audit record that chains its type, text and figures."""

from __future__ import annotations

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.services import audit_records
from balance_tui.services.clock import from_us
from balance_tui.store.ledger import LedgerStatements


def raise_alert(
    sql: LedgerStatements,
    customer_pk: int,
    customer_code: str,
    draft: alert_rules.AlertDraft,
    event_id: int | None,
    now_us: int,
    attempted: tuple[int, str] | None = None,
) -> BalanceThresholdAlert:
    """Insert one alert row and its audit record (inside the caller's transaction) and
    return it as a record."""
    attempted_cents, attempted_by = attempted if attempted else (None, None)
    alert_id = sql.add_alert(
        {
            "customer_id": customer_pk,
            "alert_type": draft.alert_type,
            "message": draft.message,
            "balance_cents": draft.balance_cents,
            "threshold_cents": draft.threshold_cents,
            "event_id": event_id,
            "attempted_cents": attempted_cents,
            "attempted_by": attempted_by,
            "created_us": now_us,
        }
    )
    audit_records.record(sql.db, "alert", [alert_id], now_us)
    return BalanceThresholdAlert(
        id=alert_id,
        customer_id=customer_code,
        alert_type=draft.alert_type,
        message=draft.message,
        balance=cents_to_decimal(draft.balance_cents),
        threshold=None
        if draft.threshold_cents is None
        else cents_to_decimal(draft.threshold_cents),
        event_id=event_id,
        created_at=from_us(now_us),
        acknowledged_at=None,
        acknowledged_by=None,
        attempted_amount=None if attempted_cents is None else cents_to_decimal(attempted_cents),
        attempted_by=attempted_by,
    )
