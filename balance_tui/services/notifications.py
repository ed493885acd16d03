"""BalanceNotificationService: threshold alerts, listing and acknowledging them."""

from __future__ import annotations

from collections.abc import Iterable

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.errors import InvalidInputError, UnknownAlertError, UnknownCustomerError
from balance_tui.domain.inputs import MAX_NAME, MAX_REASON, check_id, check_text
from balance_tui.domain.money import MoneyInput, to_cents
from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.domain.tiers import BalanceValidationRules
from balance_tui.services import audit_records
from balance_tui.services.alert_raising import raise_alert
from balance_tui.services.authority import AuthorityService
from balance_tui.services.base import ServiceBase
from balance_tui.services.feed import AlertAcknowledged, AlertRaised
from balance_tui.services.matching import matched_customers
from balance_tui.store import alerts as alert_store
from balance_tui.store import customers as customer_store
from balance_tui.store.ledger import LedgerStatements

#: An acknowledgement note is as long as a change's reason may be.
MAX_NOTE = MAX_REASON


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
        sql = LedgerStatements(self.db)

        def check() -> list[BalanceThresholdAlert]:
            # The customer's row is locked as by an update, so the open-alert check and the
            # insert cannot interleave with another check or update of the same customer.
            row = customer_store.lock_customer(self.db, customer_id)
            if row is None:
                raise UnknownCustomerError(f"No customer {customer_id!r}.")
            customer_pk, tier = row
            drafts = alert_rules.alerts_for_change(
                customer_id,
                previous,
                current,
                rules or self.rulebook.rules_for(tier),
                sql.open_alert_types(customer_pk),
                self.drop_share,
            )
            return [raise_alert(sql, customer_pk, customer_id, d, None, now_us) for d in drafts]

        alerts = self.transact(check)
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
        customer_match: str | None = None,
    ) -> list[BalanceThresholdAlert]:
        """Alerts newest first; only active ones unless ``include_acknowledged``.

        ``customer_match``: part of a customer's id or name, any case (an exact id is that
        customer alone)."""
        with self.read_snapshot():
            code, like, kind = self._narrowed(customer_id, customer_match, alert_type)
            return alert_store.list_alerts(
                self.db,
                customer_code=code,
                customer_like=like,
                alert_type=kind,
                include_acknowledged=include_acknowledged,
                before_id=before_id,
                limit=limit,
            )

    def alerts_page(
        self,
        *,
        alert_type: str | None = None,
        include_acknowledged: bool = False,
        limit: int,
        customer_match: str | None = None,
    ) -> tuple[list[BalanceThresholdAlert], int]:
        """The newest ``limit`` alerts and how many match in all (one snapshot), so a screen
        can say "1,000 of 1,585 shown"."""
        with self.read_snapshot():
            code, like, kind = self._narrowed(None, customer_match, alert_type)
            shown = alert_store.list_alerts(
                self.db,
                customer_code=code,
                customer_like=like,
                alert_type=kind,
                include_acknowledged=include_acknowledged,
                limit=limit,
            )
            total = alert_store.count_alerts(
                self.db,
                customer_code=code,
                customer_like=like,
                alert_type=kind,
                include_acknowledged=include_acknowledged,
            )
        return shown, total

    def _narrowed(
        self, customer_id: str | None, customer_match: str | None, alert_type: str | None
    ) -> tuple[str | None, str | None, str | None]:
        """(exact customer id, part of ids or names, alert type), checked."""
        if alert_type and alert_type not in alert_rules.ALERT_TYPES:
            raise InvalidInputError(
                f"Unknown alert type {alert_type!r}; use one of "
                f"{', '.join(alert_rules.ALERT_TYPES)}."
            )
        customer_like = None
        if customer_match:
            pk, customer_like = matched_customers(self.db, customer_match)
            if pk is not None:
                customer_id = customer_store.customer_code(self.db, pk)
        return customer_id or None, customer_like, alert_type or None

    def count_active_alerts(self) -> int:
        return alert_store.count_active(self.db)

    def latest_alert_id(self) -> int:
        return alert_store.latest_alert_id(self.db)

    def get_alert(self, alert_id: int) -> BalanceThresholdAlert:
        alert_id = check_id(alert_id, "Alert id")
        found = alert_store.list_alerts(self.db, include_acknowledged=True, ids=[alert_id])
        if not found:
            raise UnknownAlertError(f"No alert #{alert_id}.")
        return found[0]

    def acknowledge_alert(self, alert_id: int, acknowledged_by: str) -> BalanceThresholdAlert:
        """Record who acknowledged the alert and when. Acknowledging twice keeps the first."""
        return self.acknowledge_alerts([alert_id], acknowledged_by)[0]

    def get_alerts(self, alert_ids: Iterable[int]) -> list[BalanceThresholdAlert]:
        """The named alerts as stored now (acknowledged or not), newest first."""
        ids = [check_id(i, "Alert id") for i in dict.fromkeys(alert_ids)]
        return alert_store.list_alerts(self.db, include_acknowledged=True, ids=ids)

    def acknowledge_alerts(
        self, alert_ids: Iterable[int], acknowledged_by: str, *, note: str | None = None
    ) -> list[BalanceThresholdAlert]:
        """Acknowledge several alerts in one transaction; unknown ids reject the whole call.
        ``note``: why, or what was done (kept with the acknowledgement, exported)."""
        return self.acknowledge_alerts_reporting(alert_ids, acknowledged_by, note=note)[0]

    def acknowledge_alerts_reporting(
        self, alert_ids: Iterable[int], acknowledged_by: str, *, note: str | None = None
    ) -> tuple[list[BalanceThresholdAlert], set[int]]:
        """Like ``acknowledge_alerts``, also saying which ids *this call* acknowledged (the
        others were acknowledged before, perhaps by another operator)."""
        who = check_text(acknowledged_by, "Operator", MAX_NAME)
        kept_note = check_text(note, "Note", MAX_NOTE) if note and note.strip() else None
        ids = [check_id(i, "Alert id") for i in dict.fromkeys(alert_ids)]
        if not ids:
            return [], set()
        AuthorityService(self.db, self.clock, settings=self.settings).require_writer(who)
        now_us = self.now_us()

        def acknowledge() -> tuple[list[int], list[BalanceThresholdAlert]]:
            missing, newly = alert_store.acknowledge(self.db, ids, who, now_us, kept_note)
            if missing:
                raise UnknownAlertError(
                    f"No alert {', '.join('#' + str(i) for i in missing)}; nothing acknowledged."
                )
            audit_records.record(self.db, "ack", newly, now_us)
            rows = alert_store.list_alerts(self.db, include_acknowledged=True, ids=ids)
            return newly, rows

        newly, rows = self.transact(acknowledge)
        alerts = {alert.id: alert for alert in rows}
        result = [alerts[i] for i in ids]
        self.feed.publish(*(AlertAcknowledged(alerts[i]) for i in newly))
        return result, set(newly)
