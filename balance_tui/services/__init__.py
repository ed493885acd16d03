"""Services: the only way the CLI and the TUI read or change balances."""

from balance_tui.services.analytics import BalanceAnalyticsService
from balance_tui.services.approvals import ApprovalDesk
from balance_tui.services.audit import BalanceAuditTrail, HistoryFilter
from balance_tui.services.authority import AuthorityService
from balance_tui.services.bundle import Services, build_services, open_services
from balance_tui.services.clock import Clock, fixed_clock, utc_now
from balance_tui.services.feed import (
    AlertAcknowledged,
    AlertRaised,
    ApprovalDecided,
    ApprovalRequested,
    BalanceChanged,
    ChangeFeed,
)
from balance_tui.services.manager import BalanceManager
from balance_tui.services.notifications import BalanceNotificationService
from balance_tui.services.verification import ChainVerifier

__all__ = [
    "AlertAcknowledged",
    "AlertRaised",
    "ApprovalDecided",
    "ApprovalDesk",
    "ApprovalRequested",
    "AuthorityService",
    "BalanceAnalyticsService",
    "BalanceAuditTrail",
    "BalanceChanged",
    "BalanceManager",
    "BalanceNotificationService",
    "ChainVerifier",
    "ChangeFeed",
    "Clock",
    "HistoryFilter",
    "Services",
    "build_services",
    "fixed_clock",
    "open_services",
    "utc_now",
]
