"""balance-tui: a terminal back office for customer balances of a betting-agent network."""

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
