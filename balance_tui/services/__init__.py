"""Services: the only way the CLI and the TUI read or change balances.

Names load on first use (PEP 562): importing one service (or the bundle) does not import
the others, so the first screen does not wait for analytics, verification or export."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Services import peewee too: it loads without the PostgreSQL driver whichever comes first.
from balance_tui.store.drivers import import_peewee_without_postgres_driver

import_peewee_without_postgres_driver()

if TYPE_CHECKING:
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

#: Where each public name lives.
_HOMES = {
    "BalanceAnalyticsService": "analytics",
    "ApprovalDesk": "approvals",
    "BalanceAuditTrail": "audit",
    "HistoryFilter": "audit",
    "AuthorityService": "authority",
    "Services": "bundle",
    "build_services": "bundle",
    "open_services": "bundle",
    "Clock": "clock",
    "fixed_clock": "clock",
    "utc_now": "clock",
    "AlertAcknowledged": "feed",
    "AlertRaised": "feed",
    "ApprovalDecided": "feed",
    "ApprovalRequested": "feed",
    "BalanceChanged": "feed",
    "ChangeFeed": "feed",
    "BalanceManager": "manager",
    "BalanceNotificationService": "notifications",
    "ChainVerifier": "verification",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
