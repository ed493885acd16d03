"""Which alerts one balance change raises (pure decisions; the services write them).

* ``warning`` / ``critical``: the balance *enters* the zone below the threshold (the previous
  balance was at or above it) and no unacknowledged alert of that type is open.
* ``significant_drop``: one change lowers a positive balance by at least the configured share.
* ``limit_exceeded``: raised by the services for a rejected attempt (see ``rejection_alert``).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from balance_tui.domain.money import format_cents
from balance_tui.domain.record import record
from balance_tui.domain.tiers import BalanceValidationRules

WARNING, CRITICAL, SIGNIFICANT_DROP, LIMIT_EXCEEDED = (
    "warning",
    "critical",
    "significant_drop",
    "limit_exceeded",
)
ALERT_TYPES: tuple[str, ...] = (CRITICAL, LIMIT_EXCEEDED, SIGNIFICANT_DROP, WARNING)
#: How loud each alert type is, for banners and sorting.
SEVERITY = {
    CRITICAL: "error",
    LIMIT_EXCEEDED: "error",
    SIGNIFICANT_DROP: "warning",
    WARNING: "warning",
}
DEFAULT_DROP_SHARE = Decimal("0.25")


@record
class AlertDraft:
    """An alert to write: type, message and the figures it names."""

    alert_type: str
    message: str
    balance_cents: int
    threshold_cents: int | None


def alerts_for_change(
    customer_id: str,
    previous_cents: int,
    new_cents: int,
    rules: BalanceValidationRules,
    open_alert_types: Collection[str],
    drop_share: Decimal = DEFAULT_DROP_SHARE,
) -> list[AlertDraft]:
    """The alerts an applied change raises, most severe first."""
    drafts: list[AlertDraft] = []
    for alert_type, threshold in ((CRITICAL, rules.critical_cents), (WARNING, rules.warning_cents)):
        entered = previous_cents >= threshold > new_cents
        if entered and alert_type not in open_alert_types:
            drafts.append(
                AlertDraft(
                    alert_type,
                    f"{customer_id}: balance fell to {format_cents(new_cents)}, below the "
                    f"{alert_type} threshold of {format_cents(threshold)}.",
                    new_cents,
                    threshold,
                )
            )
    drop = previous_cents - new_cents
    if previous_cents > 0 and drop > 0 and Decimal(drop) >= drop_share * previous_cents:
        drafts.append(
            AlertDraft(
                SIGNIFICANT_DROP,
                f"{customer_id}: balance dropped {drop * 100 // previous_cents}% in one change, "
                f"from {format_cents(previous_cents)} to {format_cents(new_cents)}.",
                new_cents,
                None,
            )
        )
    return drafts


def rejection_alert(
    customer_id: str,
    balance_cents: int,
    attempted_cents: int,
    performed_by: str,
    errors: list[str],
) -> AlertDraft:
    """The ``limit_exceeded`` alert that records a rejected attempt for a supervisor."""
    return AlertDraft(
        LIMIT_EXCEEDED,
        f"{customer_id}: {performed_by} tried {format_cents(attempted_cents, signed=True)}; "
        f"rejected: {' '.join(errors)}",
        balance_cents,
        None,
    )
