"""Analytics: a customer, an agent or the system over a period — figures beside the previous
period's, what each figure means, and a balance chart with its axes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Select, Static

from balance_tui.domain.analytics import PERIODS
from balance_tui.domain.errors import BalanceError, InvalidInputError
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceAnalytics, OperationsFigures
from balance_tui.services.bundle import Services
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import count, money, percent
from balance_tui.tui.safe_text import visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.chart import BalanceChart
from balance_tui.tui.widgets.filter_box import FilterBox
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine

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
#: The width from which the breakdown sits beside the figures.
SIDE_BY_SIDE = 120
EXPLANATIONS = (
    "Volatility: the standard deviation of the period's changes, in money.",
    "Volatility score: volatility as a share of the balance scale (the larger of opening, "
    "closing and 1,000.00), 0-100; it measures how much the balance swings, not fraud risk.",
    "Risk level: half the volatility score, plus points for a closing balance below the "
    "warning or critical threshold, below zero, or down by half.",
)


@record
class Request:
    """What the screen asks for: scope kind and target, period and custom range."""

    kind: str
    target: str | None
    period: str
    start: datetime | None
    end: datetime | None


def _day(text: str, what: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise BalanceError(f"{what} {text!r} is not a date like 2026-01-31.") from None


def percent_change(a: BalanceAnalytics) -> str:
    """The percent change, or why there is none."""
    scale = max(abs(a.opening_balance), abs(a.closing_balance), Decimal(1000))
    if a.percent_change is None or abs(a.opening_balance) < scale * NEAR_ZERO_SHARE:
        return "n/a (opening near zero)"
    return percent(a.percent_change)


def resolve_customer(services: Services, text: str) -> str:
    """A customer's id from part of its id or name (one filter language): exactly one
    customer must match."""
    found = services.manager.list_customers(text, limit=6)
    exact = [s for s in found if s.customer.id.lower() == text.lower()]
    if exact:
        return exact[0].customer.id
    if len(found) == 1:
        return found[0].customer.id
    if not found:
        raise InvalidInputError(f"No customer's id or name contains {text!r}.")
    names = ", ".join(f"{s.customer.id} {s.customer.name}" for s in found[:3])
    raise InvalidInputError(f"{text!r} matches several customers ({names}, …): type more.")


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


class AnalyticsScreen(ServiceScreen):
    """Scope (system, agent:ID or a customer) and period; figures, comparison and a chart."""

    CRUMB = "Analytics"
    #: Start on the figures, not in the scope box, so 1-4 switch screens at once.
    AUTO_FOCUS = "#results"
    DEFAULT_CSS = """
    AnalyticsScreen #controls { height: 3; }
    AnalyticsScreen #scope { width: 1fr; height: 3; border: tall $border-blurred; }
    AnalyticsScreen #scope:focus { border: tall $border; }
    AnalyticsScreen #period { width: 18; }
    AnalyticsScreen #range { width: 26; }
    AnalyticsScreen #state { padding: 0 1; height: auto; }
    AnalyticsScreen #figures { height: auto; }
    AnalyticsScreen #metrics { width: auto; height: auto; padding: 0 1; }
    AnalyticsScreen #breakdown { width: auto; height: auto; padding: 0 1; }
    AnalyticsScreen #chart { margin: 1 1 0 1; }
    AnalyticsScreen #chart-label, AnalyticsScreen #explain { padding: 0 1; color: $text-muted; }
    AnalyticsScreen .-stale #metrics, AnalyticsScreen .-stale #breakdown,
    AnalyticsScreen .-stale #chart { text-style: dim italic; }
    """
    BINDINGS = [
        Binding(
            "slash",
            "focus_scope",
            "Scope",
            tooltip="system, agent:ID or part of a customer's id or name",
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
        Binding("escape", "escape", "Back", show=False, id="analytics.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown: BalanceAnalytics | None = None
        self.asked: Request | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        with Horizontal(id="controls"):
            yield FilterBox(
                value="system",
                placeholder="system · agent:AGENT_001 · part of a customer id or name",
                id="scope",
                classes="",
                compact=False,
            )
            yield Select([(p, p) for p in PERIODS], value="monthly", allow_blank=False, id="period")
            yield Input(placeholder="custom: 2026-01-01..2026-02-01", id="range")
        yield Static(id="state")
        with VerticalScroll(id="results"):
            yield Static(id="title")
            with Horizontal(id="figures"):
                yield Static(id="metrics")
                yield Static(id="breakdown")
            yield BalanceChart(id="chart")
            yield Static(id="chart-label")
            yield Static("\n".join(EXPLANATIONS), id="explain")
        yield StatusLine()
        yield KeyBar()

    def on_resize(self) -> None:
        # Side by side when both fit, one under the other when not: money is never cut.
        wide = self.size.width >= SIDE_BY_SIDE
        self.query_one("#figures").styles.layout = "horizontal" if wide else "vertical"

    def on_mount(self) -> None:
        self.on_resize()
        self.compute()

    def show_scope(self, scope: str) -> None:
        """Show analytics for a scope (a customer's id from the card)."""
        self.query_one("#scope", FilterBox).value = scope
        self.compute()
        self.query_one("#results", VerticalScroll).focus()

    def action_focus_scope(self) -> None:
        self.balance_app.focus_typing(self, self.query_one("#scope", FilterBox))

    def action_next_period(self) -> None:
        select = self.query_one("#period", Select)
        named = [p for p in PERIODS if p != "custom"]
        current = str(select.value)
        select.value = (
            named[(named.index(current) + 1) % len(named)] if current in named else named[0]
        )

    def action_refresh(self) -> None:
        self.compute()

    async def action_escape(self) -> None:
        await self.go_back()

    @on(Select.Changed, "#period")
    def _period_changed(self) -> None:
        self.compute()

    @on(Input.Submitted)
    def _controls_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterBox):
            event.input.remember(event.value)
        self.compute()
        self.query_one("#results", VerticalScroll).focus()  # Enter returns to the figures

    @on(FilterBox.Cleared, "#scope")
    def _scope_cleared(self) -> None:
        self.query_one("#scope", FilterBox).value = "system"
        self.compute()
        self.query_one("#results", VerticalScroll).focus()

    def on_data_changed(self, message: DataChanged) -> None:
        if message.full_reload or (message.batch is not None and message.batch.events):
            self.compute()

    def _request(self) -> Request:
        scope = self.query_one("#scope", FilterBox).value.strip() or "system"
        period = str(self.query_one("#period", Select).value)
        start = end = None
        if period == "custom":
            text = self.query_one("#range", Input).value
            first, sep, last = text.partition("..")
            if not sep:
                raise BalanceError("A custom period is typed as 2026-01-01..2026-02-01.")
            start, end = _day(first, "Start"), _day(last, "End")
        if scope.lower() == "system":
            return Request("system", None, period, start, end)
        if scope.lower().startswith("agent:"):
            return Request("agent", scope[len("agent:") :], period, start, end)
        return Request("customer", scope, period, start, end)

    def compute(self) -> None:
        try:
            request = self._request()
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.asked = request
        self._computing(True)
        self._compute(request)

    def _computing(self, busy: bool) -> None:
        """While figures compute, say so and mark the old ones stale (dim, and in words)."""
        self.query_one("#results").set_class(busy and self.shown is not None, "-stale")
        state = self.query_one("#state", Static)
        if busy:
            stale = " — the figures below are for the previous choice" if self.shown else ""
            state.update(Text(f"⏳ Computing…{stale}", style="bold"))
        else:
            state.update("")

    @work(thread=True, exclusive=True, group="analytics", exit_on_error=False)
    def _compute(self, request: Request) -> None:
        analytics = self.services.analytics

        def figures() -> BalanceAnalytics:
            if request.kind == "customer":
                assert request.target is not None
                customer = resolve_customer(self.services, request.target)
                return analytics.generate_customer_analytics(
                    customer, request.period, start=request.start, end=request.end
                )
            return analytics.generate_system_analytics(
                request.target, request.period, start=request.start, end=request.end
            )

        def answered(found: BalanceAnalytics) -> None:
            # A slower answer to an earlier choice (p pressed three times) must not
            # replace the figures of what the screen now asks for.
            if self.asked == request:
                self.show_analytics(found, None)
                self._compare(request, found)

        self.query_in_thread(figures, answered, failed=lambda: self._computing(False))

    @work(thread=True, exclusive=True, group="analytics-before", exit_on_error=False)
    def _compare(self, request: Request, now: BalanceAnalytics) -> None:
        """The same scope over the period just before (as long), for the comparison."""
        analytics = self.services.analytics
        start = now.start - (now.end - now.start)

        def previous() -> BalanceAnalytics:
            if request.kind == "customer":
                customer = resolve_customer(self.services, request.target or "")
                return analytics.generate_customer_analytics(
                    customer, "custom", start=start, end=now.start
                )
            return analytics.generate_system_analytics(
                request.target, "custom", start=start, end=now.start
            )

        def answered(before: BalanceAnalytics) -> None:
            if self.asked == request and self.shown is now:
                self.show_analytics(now, before)

        self.query_in_thread(previous, answered)

    def show_analytics(self, a: BalanceAnalytics, before: BalanceAnalytics | None) -> None:
        self.shown = a
        self._computing(False)
        title = Text(
            f"{visible(a.scope)} · {a.period} · {a.start:%Y-%m-%d %H:%M} → "
            f"{a.end:%Y-%m-%d %H:%M} UTC · {a.currency}",
            style="bold",
        )
        if before is not None:
            title.append(
                f"\ncompared with {before.start:%Y-%m-%d %H:%M} → {before.end:%Y-%m-%d %H:%M}",
                style="dim",
            )
        self.query_one("#title", Static).update(title)
        self.query_one("#metrics", Static).update(metrics_table(a, before))
        self.query_one("#breakdown", Static).update(breakdown_table(a))
        self.query_one("#chart", BalanceChart).plot(a.series)
        points = max(len(a.series) - 1, 1)
        self.query_one("#chart-label", Static).update(
            Text(
                f"Balance ({a.currency}) at the end of each of {points:,} equal steps of the "
                "period; the axis shows the lowest and highest points drawn."
            )
        )
        self.show_status(filter=a.scope, sort=a.period, refreshed=self.refreshed_now())
