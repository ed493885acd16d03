"""Analytics screen (placeholder until built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class AnalyticsScreen(Screen[None]):
    """Analytics: placeholder."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Analytics: not built yet")
        yield Footer()
