"""BalanceNotificationService: threshold alerts, listing and acknowledging them."""

from __future__ import annotations

from collections.abc import Iterable

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.errors import InvalidInputError, UnknownAlertError, UnknownCustomerError
from balance_tui.domain.money import MoneyInput, to_cents
from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.domain.tiers import BalanceValidationRules
from balance_tui.services.base import ServiceBase
from balance_tui.services.feed import AlertAcknowledged, AlertRaised
from balance_tui.services.manager import MAX_NAME, check_text, open_alert_types, write_alert
from balance_tui.services.rows import alert_from_tuple, select_alerts, tuples
from balance_tui.store.models import Alert
from balance_tui.store.models import Customer as CustomerRow


class BalanceNotificationService(ServiceBase):
    """Creates threshold alerts, lists active ones and records acknowledgements."""

    def check_and_create_alerts(
        self,
        customer_id: str,
        current_balance: MoneyInput,
        previous_balance: MoneyInput,
        rules: BalanceValidationRules | None = None,
    ) -> list[BalanceThresholdAlert]:
        """Raise the alerts a move from ``previous_balance`` to ``current_balance`` calls for.

        ``update_balance`` does this itself, in its own transaction; this is the seed's
        stand-alone check (for balances changed outside the engine).
        """
        current, previous = to_cents(current_balance), to_cents(previous_balance)
        now_us = self.now_us()
        with self.write_transaction():
            row = (
                CustomerRow.select(CustomerRow.id, CustomerRow.vip_level)
                .where(CustomerRow.code == customer_id)
                .tuples()
                .first()
            )
            if row is None:
                raise UnknownCustomerError(f"No customer {customer_id!r}.")
            customer_pk, tier = row
            rules = rules or self.rulebook.rules_for(tier)
            drafts = alert_rules.alerts_for_change(
                customer_id,
                previous,
                current,
                rules,
                open_alert_types(customer_pk),
                self.drop_share,
            )
            alerts = [write_alert(customer_pk, customer_id, d, None, now_us) for d in drafts]
        self.feed.publish(*(AlertRaised(a) for a in alerts))
        return alerts

    def get_active_alerts(
        self,
        customer_id: str | None = None,
        alert_type: str | None = None,
        limit: int | None = None,
    ) -> list[BalanceThresholdAlert]:
        """Unacknowledged alerts, newest first."""
        return self.list_alerts(customer_id=customer_id, alert_type=alert_type, limit=limit)

    def list_alerts(
        self,
        *,
        customer_id: str | None = None,
        alert_type: str | None = None,
        include_acknowledged: bool = False,
        before_id: int | None = None,
        limit: int | None = None,
    ) -> list[BalanceThresholdAlert]:
        """Alerts newest first; only active ones unless ``include_acknowledged``."""
        query = select_alerts()
        if not include_acknowledged:
            query = query.where(Alert.acknowledged_us.is_null())
        if customer_id:
            query = query.where(CustomerRow.code == customer_id)
        if alert_type:
            if alert_type not in alert_rules.ALERT_TYPES:
                raise InvalidInputError(
                    f"Unknown alert type {alert_type!r}; use one of "
                    f"{', '.join(alert_rules.ALERT_TYPES)}."
                )
            query = query.where(Alert.alert_type == alert_type)
        if before_id is not None:
            query = query.where(Alert.id < before_id)
        query = query.order_by(Alert.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [alert_from_tuple(row) for row in query.tuples()]

    def count_active_alerts(self) -> int:
        return Alert.select().where(Alert.acknowledged_us.is_null()).count()

    def alerts_after(self, after_id: int, limit: int = 500) -> list[BalanceThresholdAlert]:
        """Alerts newer than ``after_id``, oldest first (catching up on other writers)."""
        rows = select_alerts().where(Alert.id > after_id).order_by(Alert.id).limit(limit).tuples()
        return [alert_from_tuple(row) for row in rows]

    def latest_alert_id(self) -> int:
        return int(Alert.select(Alert.id).order_by(Alert.id.desc()).limit(1).scalar() or 0)

    def get_alert(self, alert_id: int) -> BalanceThresholdAlert:
        row = select_alerts().where(Alert.id == alert_id).tuples().first()
        if row is None:
            raise UnknownAlertError(f"No alert #{alert_id}.")
        return alert_from_tuple(row)

    def acknowledge_alert(self, alert_id: int, acknowledged_by: str) -> BalanceThresholdAlert:
        """Record who acknowledged the alert and when. Acknowledging twice keeps the first."""
        return self.acknowledge_alerts([alert_id], acknowledged_by)[0]

    def acknowledge_alerts(
        self, alert_ids: Iterable[int], acknowledged_by: str
    ) -> list[BalanceThresholdAlert]:
        """Acknowledge several alerts in one transaction; unknown ids reject the whole call."""
        who = check_text(acknowledged_by, "Operator", MAX_NAME)
        ids = list(dict.fromkeys(alert_ids))
        if not ids:
            return []
        now_us = self.now_us()
        with self.write_transaction():
            found = {row[0] for row in tuples(Alert.select(Alert.id).where(Alert.id.in_(ids)))}
            missing = [i for i in ids if i not in found]
            if missing:
                raise UnknownAlertError(
                    f"No alert {', '.join('#' + str(i) for i in missing)}; nothing acknowledged."
                )
            open_ids = Alert.select(Alert.id).where(
                Alert.id.in_(ids) & Alert.acknowledged_us.is_null()
            )
            newly = [row[0] for row in tuples(open_ids)]
            if newly:
                (
                    Alert.update(acknowledged_us=now_us, acknowledged_by=who)
                    .where(Alert.id.in_(newly))
                    .execute()
                )
            rows = select_alerts().where(Alert.id.in_(ids)).tuples()
            alerts = {row[0]: alert_from_tuple(row) for row in rows}
        result = [alerts[i] for i in ids]
        self.feed.publish(*(AlertAcknowledged(alerts[i]) for i in newly))
        return result
