"""The values that cross layers: frozen dataclasses named as the seed names them.

Services return these, never storage rows. Money is ``Decimal`` with two places; times are
aware UTC ``datetime``; ``customer_id`` is the operator-facing code ("CUSTOMER_001").
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from decimal import Decimal
from typing import Any

from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.record import record
from balance_tui.domain.tiers import BalanceValidationRules


@record
class ValidationResult:
    """Whether a change may go through, why not (errors) and what to watch (warnings)."""

    is_valid: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@record
class Customer:
    """A customer as operators see it."""

    id: str
    name: str
    agent_id: str
    vip_level: str
    currency: str
    status: str
    balance: Decimal
    created_at: datetime


@record
class CustomerSummary:
    """One row of the customers table: the customer, its limit usage and open alerts."""

    customer: Customer
    usage_24h: Decimal
    usage_7d: Decimal
    daily_limit: Decimal
    weekly_limit: Decimal
    active_alerts: int


@record
class BalanceChangeEvent:
    """One applied change: a row of the append-only audit trail."""

    id: int
    customer_id: str
    agent_id: str
    change_type: str
    amount: Decimal
    previous_balance: Decimal
    new_balance: Decimal
    reason: str
    performed_by: str
    vip_level: str
    metadata: dict[str, Any]
    risk_score: int
    warnings: list[str]
    idempotency_key: str | None
    created_at: datetime
    reverses_event_id: int | None
    prev_hash: str
    hash: str
    sequence: int = 0
    currency: str = "USD"
    db_user: str | None = None
    reversed_by_event_id: int | None = None
    #: The approval request this event applied (a change above its maker's authority).
    approval_id: int | None = None


@record
class BalanceThresholdAlert:
    """An alert raised by a change or a rejected attempt; acknowledged, never deleted."""

    id: int
    customer_id: str
    alert_type: str
    message: str
    balance: Decimal
    threshold: Decimal | None
    event_id: int | None
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    attempted_amount: Decimal | None = None
    attempted_by: str | None = None
    #: What the operator noted when acknowledging ("called the agent"), if anything.
    acknowledgement_note: str | None = None

    @property
    def is_active(self) -> bool:
        return self.acknowledged_at is None


@record
class BalanceUpdateResult:
    """What ``update_balance`` did: the event written, or why nothing was."""

    success: bool
    new_balance: Decimal
    validation: ValidationResult
    alerts: list[BalanceThresholdAlert]
    event: BalanceChangeEvent | None
    replayed: bool = False
    #: The approval request this change became (above the maker's authority) or applied.
    request: ApprovalRequest | None = None

    @property
    def status(self) -> str:
        """``applied``, ``pending_approval`` (waiting for a checker) or ``rejected``."""
        if self.success:
            return "applied"
        if (
            self.request is not None
            and self.request.status == "pending"
            and self.validation.is_valid
        ):
            return "pending_approval"
        return "rejected"


@record
class BreakdownEntry:
    """Count and signed total of one change type over a period."""

    count: int
    total: Decimal


@record
class OperationsFigures:
    """What the seed asks to monitor: updates, rejections and alerts over the period."""

    updates: int
    rejections: int
    alerts: int
    hours: Decimal

    @property
    def rejection_rate(self) -> Decimal | None:
        attempts = self.updates + self.rejections
        if attempts == 0:
            return None
        return (Decimal(self.rejections) * 100 / attempts).quantize(Decimal("0.1"))

    def per_hour(self, count: int) -> Decimal:
        if self.hours <= 0:
            return Decimal(0)
        return (Decimal(count) / self.hours).quantize(Decimal("0.01"))


@record
class BalanceAnalytics:
    """Trend figures for one customer, one agent or the whole system over a period."""

    scope: str
    period: str
    start: datetime
    end: datetime
    currency: str
    opening_balance: Decimal
    closing_balance: Decimal
    net_change: Decimal
    percent_change: Decimal | None
    volatility: Decimal
    volatility_score: int
    trend_direction: str
    risk_level: str
    event_count: int
    largest_change: Decimal | None
    breakdown: dict[str, BreakdownEntry]
    series: list[tuple[datetime, Decimal]]
    operations: OperationsFigures | None = None


@record
class BalanceReport:
    """A customer's balance, rules, limit usage and (on request) history and alerts."""

    customer: Customer
    current_balance: Decimal
    rules: BalanceValidationRules
    usage_24h: Decimal
    usage_7d: Decimal
    history: list[BalanceChangeEvent] | None = None
    alerts: list[BalanceThresholdAlert] | None = None


@record
class VerificationProblem:
    """One row (or customer) whose stored figures do not match what they should be."""

    customer_id: str
    event_id: int | None
    problem: str


@record
class VerificationReport:
    """The result of recomputing every chain and balance."""

    customers_checked: int
    events_checked: int
    problems: list[VerificationProblem]
    #: Acknowledgements, approvals, refusals and authority changes, chained (see hashing).
    audit_records_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@record
class ChangePreview:
    """What a change would do, computed read-only for the adjust form as the operator types."""

    customer: Customer
    current_balance: Decimal
    new_balance: Decimal
    usage_24h: Decimal
    usage_7d: Decimal
    rules: BalanceValidationRules
    validation: ValidationResult
    #: The customer's event count when previewed: a different one at submit time means
    #: another operator changed the balance meanwhile.
    sequence: int
    #: The previewing operator's authority (None: unlimited) and whether this change is
    #: above it (then submitting asks a supervisor instead of applying it).
    authority: Decimal | None = None
    needs_approval: bool = False
    #: The alert types applying it now would raise, most severe first.
    alerts: tuple[str, ...] = ()


@record
class BalanceChange:
    """One change of a batch: the arguments of ``update_balance`` as a value."""

    customer_id: str
    change_amount: Decimal | int | str
    change_type: str
    reason: str
    performed_by: str
    agent_id: str | None = None
    metadata: dict[str, Any] | None = None
    idempotency_key: str | None = None
    currency: str | None = None


@record
class BatchResult:
    """All changes applied, or none: then ``failed_index`` says which one and why."""

    success: bool
    results: list[BalanceUpdateResult]
    failed_index: int | None = None
    errors: list[str] = field(default_factory=list)
