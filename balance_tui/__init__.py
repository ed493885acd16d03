"""balance-tui: a terminal back office for customer balances of a betting-agent network.

The names below load on first use (PEP 562): ``import balance_tui.tui.app`` must not pay
for every service, the PostgreSQL driver and the analytics before the first screen."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from balance_tui.domain import (
        BalanceAnalytics,
        BalanceChangeEvent,
        BalanceError,
        BalanceReport,
        BalanceThresholdAlert,
        BalanceUpdateResult,
        BalanceValidationRules,
        BalanceValidator,
        ValidationResult,
    )
    from balance_tui.services import (
        ApprovalDesk,
        AuthorityService,
        BalanceAnalyticsService,
        BalanceAuditTrail,
        BalanceManager,
        BalanceNotificationService,
    )
    from balance_tui.store import connect, initialize_balance_tables

__version__ = "0.2.0"

#: Where each public name lives.
_HOMES = {
    **dict.fromkeys(
        (
            "BalanceAnalytics",
            "BalanceChangeEvent",
            "BalanceError",
            "BalanceReport",
            "BalanceThresholdAlert",
            "BalanceUpdateResult",
            "BalanceValidationRules",
            "BalanceValidator",
            "ValidationResult",
        ),
        "balance_tui.domain",
    ),
    **dict.fromkeys(
        (
            "ApprovalDesk",
            "AuthorityService",
            "BalanceAnalyticsService",
            "BalanceAuditTrail",
            "BalanceManager",
            "BalanceNotificationService",
        ),
        "balance_tui.services",
    ),
    "connect": "balance_tui.store",
    "initialize_balance_tables": "balance_tui.store",
}

__all__ = [
    "ApprovalDesk",
    "AuthorityService",
    "BalanceAnalytics",
    "BalanceAnalyticsService",
    "BalanceAuditTrail",
    "BalanceChangeEvent",
    "BalanceError",
    "BalanceManager",
    "BalanceNotificationService",
    "BalanceReport",
    "BalanceThresholdAlert",
    "BalanceUpdateResult",
    "BalanceValidationRules",
    "BalanceValidator",
    "ValidationResult",
    "connect",
    "initialize_balance_tables",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    """The public names too, so ``help(balance_tui)`` reads as a reference (it loads them)."""
    return sorted({*globals(), *__all__})
