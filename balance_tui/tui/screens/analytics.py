"""Analytics: a customer, an agent or the system over a period — figures beside the previous
period's, what each figure means, and a balance chart with its axes."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Select, Static

from balance_tui.domain.errors import BalanceError
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceAnalytics
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.safe_text import visible
from balance_tui.tui.screens.analytics_periods import (
    CUSTOM,
    PERIOD_CHOICES,
    RANGE_HINT,
    PeriodSelect,
    resolve_period,
    resolve_scope,
)
from balance_tui.tui.screens.analytics_text import (
    EXPLANATIONS,
    breakdown_table,
    metrics_table,
)
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.pick_customer import (
    PickCustomer,
    SeveralCustomers,
    resolve_customer,
)
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.chart import BalanceChart
from balance_tui.tui.widgets.filter_box import FilterBox
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine

#: Single keys for the calendar periods (q quits: the quarter is Q).
CALENDAR_KEYS = {"d": "day", "w": "week", "m": "month", "Q": "quarter", "y": "year"}
#: The width from which the breakdown sits beside the figures.
SIDE_BY_SIDE = 120


@record
class Request:
    """What the screen asks for: scope kind and target, period and custom range."""

    kind: str
    target: str | None
    period: str
    start: datetime | None
    end: datetime | None
    #: What the screen calls the period ("last 30 days", "month 2026-11").
    label: str = ""
    #: Where the period compared with starts (None: as long before as the period is).
    before: datetime | None = None


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
            tooltip="Cycle the periods: last 24 hours … last 365 days, then calendar periods",
            id="analytics.period",
        ),
        *[
            Binding(
                key,
                f"calendar('{kind}')",
                f"This {kind}",
                tooltip=f"The calendar {kind} (UTC); [ and ] step to the one before and after",
                show=key == "m",
                id=f"analytics.calendar_{kind}",
            )
            for key, kind in CALENDAR_KEYS.items()
        ],
        Binding("left_square_bracket", "step(-1)", "◀ Before", id="analytics.before"),
        Binding("right_square_bracket", "step(1)", "After ▶", id="analytics.after"),
        Binding("f5", "refresh", "Refresh", tooltip="Compute again", id="analytics.refresh"),
        Binding("escape", "escape", "Back", show=False, id="analytics.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown: BalanceAnalytics | None = None
        self.asked: Request | None = None
        #: How many calendar periods back (negative) or on from the current one.
        self.step = 0

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
            yield PeriodSelect(PERIOD_CHOICES, value="monthly", allow_blank=False, id="period")
            yield Input(placeholder=RANGE_HINT, id="range")
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
        named = [value for _, value in PERIOD_CHOICES if value != CUSTOM]
        current = str(select.value)
        self.step = 0
        select.value = (
            named[(named.index(current) + 1) % len(named)] if current in named else named[0]
        )

    def action_calendar(self, kind: str) -> None:
        self.step = 0
        select = self.query_one("#period", Select)
        if select.value == f"cal:{kind}":
            self.compute()  # the current one again (after [ or ])
        select.value = f"cal:{kind}"

    def action_step(self, delta: int) -> None:
        select = self.query_one("#period", Select)
        if not str(select.value).startswith("cal:"):
            select.value = "cal:month"  # stepping means calendar periods
            self.step = delta
            return
        self.step += delta
        self.compute()

    def action_refresh(self) -> None:
        self.compute()

    async def action_escape(self) -> None:
        await self.go_back()

    @on(Select.Changed, "#period")
    def _period_changed(self, event: Select.Changed) -> None:
        if event.value == CUSTOM and not self.query_one("#range", Input).value.strip():
            # Nothing to compute yet: say where the range goes, no error before typing.
            self.query_one("#state", Static).update(Text(f"Custom range: {RANGE_HINT}."))
            self.query_one("#range", Input).focus()
            return
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
        # What was last asked for, computed again: never a scope half typed in the box.
        if self.asked is not None and (
            message.full_reload or (message.batch is not None and message.batch.events)
        ):
            self._computing(True)
            self._compute(self.asked)

    def _request(self) -> Request:
        scope = self.query_one("#scope", FilterBox).value
        chosen = resolve_period(
            str(self.query_one("#period", Select).value),
            self.step,
            self.query_one("#range", Input).value,
            self.services.clock().date(),
        )
        kind, target = resolve_scope(scope)
        return Request(
            kind, target, chosen.period, chosen.start, chosen.end, chosen.label, chosen.before
        )

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

        def figures() -> BalanceAnalytics | SeveralCustomers:
            if request.kind == "customer":
                assert request.target is not None
                try:
                    customer = resolve_customer(self.services, request.target)
                except SeveralCustomers as several:
                    return several
                return analytics.generate_customer_analytics(
                    customer, request.period, start=request.start, end=request.end
                )
            return analytics.generate_system_analytics(
                request.target, request.period, start=request.start, end=request.end
            )

        def answered(found: BalanceAnalytics | SeveralCustomers) -> None:
            # A slower answer to an earlier choice (p pressed three times) must not
            # replace the figures of what the screen now asks for.
            if self.asked != request:
                return
            if isinstance(found, SeveralCustomers):
                self._computing(False)
                self.app.push_screen(PickCustomer(found), self._picked)
                return
            self.show_analytics(found, None)
            self._compare(request, found)

        self.query_in_thread(figures, answered, failed=lambda: self._computing(False))

    def _picked(self, customer_id: str | None) -> None:
        if customer_id is not None:
            self.show_scope(customer_id)

    @work(thread=True, exclusive=True, group="analytics-before", exit_on_error=False)
    def _compare(self, request: Request, now: BalanceAnalytics) -> None:
        """The same scope over the period just before (as long), for the comparison."""
        analytics = self.services.analytics
        start = request.before or now.start - (now.end - now.start)

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
        label = self.asked.label if self.asked else a.period
        title = Text(
            f"{visible(a.scope)} · {label} · {a.start:%Y-%m-%d %H:%M} → "
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
        # Analytics neither filters nor sorts: its scope and period say what is computed.
        self.show_status(note=f"{a.scope} · {label}", refreshed=self.refreshed_now())
