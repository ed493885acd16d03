"""The five top-level screens (Textual modes) and their modal forms."""

from balance_tui.tui.screens.alerts import AlertsScreen
from balance_tui.tui.screens.analytics import AnalyticsScreen
from balance_tui.tui.screens.approvals import ApprovalsScreen
from balance_tui.tui.screens.customers import CustomersScreen
from balance_tui.tui.screens.history import HistoryScreen

__all__ = ["AlertsScreen", "AnalyticsScreen", "ApprovalsScreen", "CustomersScreen", "HistoryScreen"]
