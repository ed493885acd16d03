"""What Analytics shows in words: the figures beside the previous period's, the breakdown
by type, and what each figure means."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from balance_tui.domain.records import BalanceAnalytics, OperationsFigures
from balance_tui.tui.numbers import count, money, percent

TREND_STYLE = {"up": "green", "down": "red", "stable": "cyan"}
RISK_STYLE = {
    "low": "green",
    "medium": "yellow",
    "high": "bold red",
    "critical": "bold reverse red",
}
#: Below this share of the period's scale, an opening balance is "near zero": a percent
#: change against it says nothing (50.00 → 48,145.43 is not "+96,190.86 %").
NEAR_ZERO_SHARE = Decimal("0.01")
EXPLANATIONS = (
    "Volatility: the standard deviation of the period's changes, in money.",
    "Volatility score: volatility as a share of the balance scale (the larger of opening, "
    "closing and 1,000.00), 0-100; it measures how much the balance swings, not fraud risk.",
    "Risk level: half the volatility score, plus points for a closing balance below the "
    "warning or critical threshold, below zero, or down by half.",
)


def percent_change(a: BalanceAnalytics) -> str:
    """The percent change, or why there is none."""
    scale = max(abs(a.opening_balance), abs(a.closing_balance), Decimal(1000))
    if a.percent_change is None or abs(a.opening_balance) < scale * NEAR_ZERO_SHARE:
        return "n/a (opening near zero)"
    return percent(a.percent_change)


def metrics_table(a: BalanceAnalytics, before: BalanceAnalytics | None) -> Table:
    """This period beside the previous one; money carries its currency and never wraps."""
    cur = a.currency
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold")
    table.add_column("", style="dim", no_wrap=True)
    table.add_column("This period", justify="right", no_wrap=True)
    table.add_column("Previous period", justify="right", no_wrap=True)

    def both(label: str, cell: Callable[[BalanceAnalytics], Text | str]) -> None:
        table.add_row(label, cell(a), "…" if before is None else cell(before))

    both("Opening", lambda f: money(f.opening_balance, cur))
    both("Closing", lambda f: money(f.closing_balance, cur))
    both("Net change", lambda f: money(f.net_change, cur, signed=True))
    both("Percent change", percent_change)
    both("Trend", lambda f: Text(f.trend_direction, style=TREND_STYLE.get(f.trend_direction, "")))
    both("Volatility", lambda f: money(f.volatility, cur))
    both("Volatility score", lambda f: f"{f.volatility_score}/100")
    both("Risk level", lambda f: Text(f.risk_level, style=RISK_STYLE.get(f.risk_level, "")))
    both("Events", lambda f: count(f.event_count))
    both("Largest change", lambda f: money(f.largest_change, cur, signed=True))
    if a.operations is not None:
        both("Updates / hour", lambda f: _ops(f, lambda o: f"{o.per_hour(o.updates):,}"))
        both(
            "Rejections",
            lambda f: _ops(f, lambda o: f"{o.rejections:,} ({percent(o.rejection_rate)})"),
        )
        both("Alerts", lambda f: _ops(f, lambda o: f"{o.alerts:,}"))
    return table


def _ops(a: BalanceAnalytics, cell: Callable[[OperationsFigures], str]) -> str:
    return "" if a.operations is None else cell(a.operations)


def breakdown_table(a: BalanceAnalytics) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("Type", no_wrap=True)
    table.add_column("Count", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    for kind, entry in a.breakdown.items():
        table.add_row(kind, count(entry.count), money(entry.total, a.currency, signed=True))
    return table
