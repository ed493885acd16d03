"""Read-only views of one customer: what a change would do now, and the balance report.

Each runs in one read snapshot, so the balance, the usage and the history it shows belong
to the same moment even while other operators post.
"""

from __future__ import annotations

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.changes import ChangeType, parse_change_type, signed_from_typed
from balance_tui.domain.errors import UnknownCustomerError
from balance_tui.domain.inputs import check_id
from balance_tui.domain.money import MoneyInput, cents_to_decimal, to_cents
from balance_tui.domain.records import BalanceReport, ChangePreview, ValidationResult
from balance_tui.domain.tiers import BalanceValidationRules
from balance_tui.domain.validation import check_change
from balance_tui.services.ledger import Ledger, customer_record
from balance_tui.store import alerts as alert_store
from balance_tui.store import events as event_store
from balance_tui.store.events import EventConditions


class CustomerViews(Ledger):
    """Previews and reports, computed with the same rules and usage as the write path."""

    def preview_balance_change(
        self,
        customer_id: str,
        change_amount: MoneyInput,
        change_type: str,
        *,
        rules: BalanceValidationRules | None = None,
        performed_by: str | None = None,
    ) -> ChangePreview:
        """What the change would do now (read-only), with the same validator as an update;
        ``performed_by``: whose authority to compare it with (default: the configured
        operator)."""
        kind = parse_change_type(change_type)
        cents = signed_from_typed(kind, to_cents(change_amount))
        return self._preview(customer_id, cents, kind, rules, performed_by)

    def preview_reversal(self, event_id: int, performed_by: str | None = None) -> ChangePreview:
        """What reversing the event would do now: the balance and limits after it, and
        whether the engine would refuse it (read-only; the reverse dialog shows it)."""
        event_id = check_id(event_id, "Event id")
        code, _, cents = self.reversible(event_id)
        return self._preview(code, -cents, ChangeType.REVERSAL, None, performed_by, event_id)

    def preview_approval(self, request: ApprovalRequest) -> ChangePreview:
        """What approving a request would do now (the Approvals screen shows it)."""
        kind = ChangeType(request.change_type)
        return self._preview(
            request.customer_id,
            to_cents(request.amount),
            kind,
            None,
            None,
            request.reverses_event_id,
        )

    def _preview(
        self,
        customer_id: str,
        cents: int,
        kind: ChangeType,
        rules: BalanceValidationRules | None,
        performed_by: str | None,
        releasing: int | None = None,
    ) -> ChangePreview:
        with self.read_snapshot():
            state = self.sql.read_customer(customer_id, lock=False)
            if state is None:
                raise UnknownCustomerError(f"No customer {customer_id!r}.")
            day, week, _ = self.usage(state.id, self.now_us(), releasing)
            limit = self.authority.limit_cents(performed_by or self.settings.operator_name())
            open_types = self.sql.open_alert_types(state.id)
        # Custom rules are not the tier's: their messages must not name the tier.
        tier_label = state.vip_level if rules is None else ""
        rules = rules or self.rules_for(state.vip_level)
        check = check_change(
            state.balance_cents,
            cents,
            rules,
            change_type=kind,
            usage_24h_cents=day,
            usage_7d_cents=week,
            tier=tier_label,
        )
        errors = list(check.result.errors)
        if state.status != "active":
            errors.insert(0, f"Customer {state.code} is {state.status}; it takes no changes.")
        raised = alert_rules.alerts_for_change(
            state.code, state.balance_cents, check.new_balance_cents, rules, open_types,
            self.drop_share,
        )  # fmt: skip
        return ChangePreview(
            customer=customer_record(state),
            current_balance=cents_to_decimal(state.balance_cents),
            new_balance=cents_to_decimal(check.new_balance_cents),
            usage_24h=cents_to_decimal(check.usage_24h_cents),
            usage_7d=cents_to_decimal(check.usage_7d_cents),
            rules=rules,
            validation=ValidationResult(not errors, errors, check.result.warnings),
            sequence=state.sequence,
            authority=None if limit is None else cents_to_decimal(limit),
            needs_approval=limit is not None and abs(cents) > limit,
            alerts=() if errors else tuple(draft.alert_type for draft in raised),
        )

    def get_customer_balance_report(
        self,
        customer_id: str,
        include_history: bool = False,
        include_alerts: bool = False,
        *,
        history_limit: int = 50,
    ) -> BalanceReport:
        """The customer's balance, rules and usage; history and active alerts on request."""
        with self.read_snapshot():
            state = self.sql.read_customer(customer_id, lock=False)
            if state is None:
                raise UnknownCustomerError(f"No customer {customer_id!r}.")
            day, week, _ = self.usage(state.id, self.now_us())
            history = None
            if include_history:
                history = event_store.page(
                    self.db,
                    EventConditions(customer_pk=state.id),
                    newest_first_by="sequence",
                    limit=history_limit,
                )
            alerts = None
            if include_alerts:
                alerts = alert_store.list_alerts(self.db, customer_code=state.code)
        return BalanceReport(
            customer=customer_record(state),
            current_balance=cents_to_decimal(state.balance_cents),
            rules=self.rules_for(state.vip_level),
            usage_24h=cents_to_decimal(day),
            usage_7d=cents_to_decimal(week),
            history=history,
            alerts=alerts,
        )
