"""Analytics: a customer, an agent or the system over a period; trend, risk, breakdown, chart."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Input, Select, Sparkline, Static

from balance_tui.domain.analytics import PERIODS
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.records import BalanceAnalytics
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.safe_text import visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.widgets.banner import AlertBanner

TREND_STYLE = {"up": "green", "down": "red", "stable": "cyan"}
RISK_STYLE = {
    "low": "green",
    "medium": "yellow",
    "high": "bold red",
    "critical": "bold white on red",
}


def _money(value) -> str:  # type: ignore[no-untyped-def]
    return "-" if value is None else format_cents(decimal_to_cents(value))


def _day(text: str, what: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise BalanceError(f"{what} {text!r} is not a date like 2026-01-31.") from None


def metrics_table(a: BalanceAnalytics) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(justify="right")
    table.add_column(style="dim")
    table.add_column(justify="right")
    percent = "n/a" if a.percent_change is None else f"{a.percent_change}%"
    trend = Text(a.trend_direction, style=TREND_STYLE.get(a.trend_direction, ""))
    risk = Text(a.risk_level, style=RISK_STYLE.get(a.risk_level, ""))
    table.add_row("Opening", _money(a.opening_balance), "Trend", trend)
    table.add_row("Closing", _money(a.closing_balance), "Risk", risk)
    table.add_row(
        "Net change", format_cents(decimal_to_cents(a.net_change), signed=True), "Percent", percent
    )
    table.add_row("Volatility", _money(a.volatility), "Score", f"{a.volatility_score}/100")
    table.add_row(
        "Events",
        str(a.event_count),
        "Largest",
        "-"
        if a.largest_change is None
        else format_cents(decimal_to_cents(a.largest_change), signed=True),
    )
    ops = a.operations
    if ops is not None:
        rate = "n/a" if ops.rejection_rate is None else f"{ops.rejection_rate}%"
        table.add_row(
            "Updates/h", str(ops.per_hour(ops.updates)), "Rejections", f"{ops.rejections} ({rate})"
        )
        table.add_row("Alerts/h", str(ops.per_hour(ops.alerts)), "Alerts", str(ops.alerts))
    return table


def breakdown_table(a: BalanceAnalytics) -> Table:
    table = Table("Type", "Count", "Total", box=None, padding=(0, 1))
    for kind, entry in a.breakdown.items():
        table.add_row(
            kind, str(entry.count), format_cents(decimal_to_cents(entry.total), signed=True)
        )
    return table


class AnalyticsScreen(ServiceScreen):
    """Scope (system, agent:ID or a customer id) and period; figures and a balance chart."""

    DEFAULT_CSS = """
    AnalyticsScreen #controls { height: 3; }
    AnalyticsScreen #scope { width: 1fr; }
    AnalyticsScreen #period { width: 18; }
    AnalyticsScreen #range { width: 26; }
    AnalyticsScreen #figures { height: auto; }
    AnalyticsScreen #metrics { width: 1fr; height: auto; padding: 0 1; }
    AnalyticsScreen #breakdown { width: 34; height: auto; }
    AnalyticsScreen #chart { height: 6; margin: 1 1 0 1; }
    AnalyticsScreen #chart-label { padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding(
            "slash",
            "focus_scope",
            "Scope",
            tooltip="system, agent:ID or a customer id",
            id="analytics.scope",
        ),
        Binding(
            "p",
            "next_period",
            "Period",
            tooltip="Cycle daily/weekly/monthly/yearly",
            id="analytics.period",
        ),
        Binding("f5", "refresh", "Refresh", tooltip="Compute again", id="analytics.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        with Horizontal(id="controls"):
            yield Input(
                value="system", placeholder="system · agent:AGENT_001 · CUSTOMER_001", id="scope"
            )
            yield Select([(p, p) for p in PERIODS], value="monthly", allow_blank=False, id="period")
            yield Input(placeholder="custom: 2026-01-01..2026-02-01", id="range")
        with VerticalScroll():
            yield Static(id="title")
            with Horizontal(id="figures"):
                yield Static(id="metrics")
                yield Static(id="breakdown")
            yield Sparkline([], id="chart")
            yield Static(id="chart-label")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # Start on the figures, not in the scope box, so 1-4 switch screens at once.
        self.query_one(VerticalScroll).focus()
        self.compute()

    def action_focus_scope(self) -> None:
        self.query_one("#scope", Input).focus()

    def action_next_period(self) -> None:
        select = self.query_one("#period", Select)
        named = [p for p in PERIODS if p != "custom"]
        current = str(select.value)
        select.value = (
            named[(named.index(current) + 1) % len(named)] if current in named else named[0]
        )

    def action_refresh(self) -> None:
        self.compute()

    @on(Select.Changed, "#period")
    @on(Input.Submitted)
    def _controls_changed(self) -> None:
        self.compute()

    def on_data_changed(self, message: DataChanged) -> None:
        if message.full_reload or (message.batch is not None and message.batch.events):
            self.compute()

    def _request(self) -> tuple[str, str | None, str, datetime | None, datetime | None]:
        scope = self.query_one("#scope", Input).value.strip() or "system"
        period = str(self.query_one("#period", Select).value)
        start = end = None
        if period == "custom":
            text = self.query_one("#range", Input).value
            first, sep, last = text.partition("..")
            if not sep:
                raise BalanceError("A custom period is typed as 2026-01-01..2026-02-01.")
            start, end = _day(first, "Start"), _day(last, "End")
        if scope == "system":
            return "system", None, period, start, end
        if scope.startswith("agent:"):
            return "agent", scope.removeprefix("agent:"), period, start, end
        return "customer", scope, period, start, end

    def compute(self) -> None:
        try:
            request = self._request()
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._compute(*request)

    @work(thread=True, exclusive=True, group="analytics", exit_on_error=False)
    def _compute(
        self,
        kind: str,
        target: str | None,
        period: str,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        analytics = self.services.analytics
        request = (kind, target, period, start, end)

        def answered(figures: BalanceAnalytics) -> None:
            # A slower answer to an earlier choice (p pressed three times) must not
            # replace the figures of what the screen now asks for.
            if self._current_request() == request:
                self.show_analytics(figures)

        if kind == "customer":
            assert target is not None
            self.query_in_thread(
                lambda: analytics.generate_customer_analytics(target, period, start=start, end=end),
                answered,
            )
        else:
            self.query_in_thread(
                lambda: analytics.generate_system_analytics(target, period, start=start, end=end),
                answered,
            )

    def _current_request(self) -> tuple[str, str | None, str, datetime | None, datetime | None]:
        try:
            return self._request()
        except BalanceError:
            return ("", None, "", None, None)

    def show_analytics(self, a: BalanceAnalytics) -> None:
        self.query_one("#title", Static).update(
            Text(
                f"{visible(a.scope)} · {a.period} · {a.start:%Y-%m-%d %H:%M} → "
                f"{a.end:%Y-%m-%d %H:%M} UTC · {a.currency}",
                style="bold",
            )
        )
        self.query_one("#metrics", Static).update(metrics_table(a))
        self.query_one("#breakdown", Static).update(breakdown_table(a))
        # The chart plots cents as numbers for drawing only; figures above stay exact.
        self.query_one("#chart", Sparkline).data = [decimal_to_cents(b) for _, b in a.series]
        low = min((b for _, b in a.series), default=None)
        high = max((b for _, b in a.series), default=None)
        self.query_one("#chart-label", Static).update(
            f"Balance over the period: low {_money(low)}, high {_money(high)}"
        )
