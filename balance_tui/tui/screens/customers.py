"""Customers screen (placeholder until built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class CustomersScreen(Screen[None]):
    """Customers: placeholder."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Customers: not built yet")
        yield Footer()
