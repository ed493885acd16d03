"""The customer card: everything about one customer on one screen, and the ways on from it
(adjust, history, analytics) — the drill-down of hledger-ui and k9s' describe."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Static

from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.records import BalanceReport, Customer, CustomerSummary
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line, visible
from balance_tui.tui.screens.approval_text import maker_text
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.customers import share
from balance_tui.tui.screens.dialogs import NoteDialog
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.chart import BalanceChart
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine

#: The width from which the chart sits beside the figures.
SIDE_BY_SIDE = 120
#: Events the card lists and draws.
RECENT_EVENTS = 30
LISTED_EVENTS = 8


def pending_lines(report: BalanceReport, pending: list[ApprovalRequest]) -> Text:
    """The customer's requests waiting for a checker, and the balance if all were approved."""
    text = Text()
    if not pending:
        return text
    text.append(f"Waiting for approval ({len(pending):,})", style="bold")
    for r in pending[:5]:
        text.append(
            f"\n  #{r.id} {r.change_type} {money(r.amount, r.currency, signed=True)} asked by "
            f"{visible(maker_text(r))} · {visible(one_line(r.reason, 40, whole_words=True))}"
        )
    if len(pending) > 5:
        text.append(f"\n  … and {len(pending) - 5:,} more on Approvals (5)", style="dim")
    if_all = report.customer.balance + sum((r.amount for r in pending), Decimal("0"))
    text.append(f"\n  Balance if all were approved: {money(if_all, report.customer.currency)}")
    return text


def crumb(customer_id: str, name: str) -> str:
    return f"{customer_id} {one_line(name, 30)}"


def figures(report: BalanceReport) -> Table:
    c, rules, cur = report.customer, report.rules, report.customer.currency
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(justify="right", no_wrap=True)
    table.add_column(style="dim")
    table.add_row(
        "Balance",
        Text(money(report.current_balance, cur), style="bold red" if c.balance < 0 else "bold"),
        "",
    )
    table.add_row(
        "Tier",
        c.vip_level,
        f"allowed {money(rules.min_balance)} to {money(rules.max_balance)} {cur}",
    )
    table.add_row(
        "Thresholds",
        f"warning {money(rules.warning_threshold)}",
        f"critical {money(rules.critical_threshold)} {cur}",
    )
    for label, used, limit in (
        ("Used 24 h", report.usage_24h, rules.daily_change_limit),
        ("Used 7 d", report.usage_7d, rules.weekly_change_limit),
    ):
        pct = share(used, limit)
        table.add_row(
            label,
            Text(money(used, cur), style="bold red" if pct >= 80 else ""),
            f"of {money(limit, cur)} ({pct}%)",
        )
    return table


def alert_lines(report: BalanceReport) -> Text:
    alerts = report.alerts or []
    text = Text()  # messages wrap between words: a figure in one is never cut
    text.append(f"Open alerts ({len(alerts):,})", style="bold")
    if not alerts:
        text.append("\nnone", style="dim")
    for a in alerts[:5]:
        loud = a.alert_type in ("critical", "limit_exceeded")
        text.append(f"\n#{a.id} {a.created_at:%Y-%m-%d %H:%M} ")
        text.append(
            a.alert_type.replace("_", " ").upper(), style="bold reverse" if loud else "bold"
        )
        text.append(f"\n  {visible(a.message)}")
    if len(alerts) > 5:
        text.append(f"\n… and {len(alerts) - 5:,} more on the Alerts screen (3)", style="dim")
    return text


def event_lines(report: BalanceReport, width: int = 120) -> Text:
    """The last events, one line each; the reason takes what the figures leave of
    ``width`` and is cut between words."""
    events = (report.history or [])[:LISTED_EVENTS]
    cur = report.customer.currency
    text = Text(no_wrap=True)
    text.append("Last events", style="bold")
    if not events:
        text.append("\nnone", style="dim")
    # Every column as wide as its widest entry: the reasons start in one column.
    numbers = max((len(f"#{e.id}") for e in events), default=0)
    balances = max((len(money(e.new_balance, cur)) for e in events), default=0)
    for e in events:
        start = f"{f'#{e.id}':>{numbers}} {e.created_at:%Y-%m-%d %H:%M} {e.change_type:<10} "
        text.append(f"\n{start}")
        text.append(
            f"{money(e.amount, cur, signed=True):>18}", style="green" if e.amount > 0 else "red"
        )
        figures = f" → {money(e.new_balance, cur):>{balances}}  "
        text.append(figures)
        room = max(8, min(40, width - len(start) - 18 - len(figures) - 4))
        text.append(literal(one_line(e.reason, room, whole_words=True), style="dim"))
    return text


class CustomerCard(ServiceScreen):
    """One customer: figures, limits used, open alerts, last events, a balance chart."""

    DEFAULT_CSS = """
    CustomerCard #card-title { padding: 0 1; text-style: bold; }
    CustomerCard #card-top { height: auto; }
    CustomerCard #card-figures { width: auto; padding: 0 1; }
    CustomerCard #card-chart-box { width: 1fr; min-width: 30; height: auto; padding: 0 1; }
    CustomerCard #card-chart { height: 7; }
    CustomerCard #card-chart-label { color: $text-muted; }
    CustomerCard #card-alerts, CustomerCard #card-events { padding: 1 1 0 1; }
    CustomerCard #card-pending { padding: 1 1 0 1; height: auto; color: $warning; }
    CustomerCard #card-pending:empty { display: none; }
    """
    BINDINGS = [
        Binding("a", "adjust", "Adjust", tooltip="Adjust this balance", id="card.adjust"),
        Binding("h", "history", "History", tooltip="This customer's history", id="card.history"),
        Binding(
            "y", "analytics", "Analytics", tooltip="This customer's trends", id="card.analytics"
        ),
        Binding(
            "k",
            "acknowledge_alerts",
            "Ack",
            tooltip="Acknowledge this customer's open alerts (asks first, with a note)",
            id="card.acknowledge",
        ),
        Binding(
            "e",
            "edit_customer",
            "Edit",
            tooltip="Change name, agent, tier, status or currency (supervisors; audited)",
            id="card.edit",
        ),
        Binding("escape", "back", "Back", tooltip="Back to the customers", id="card.back"),
    ]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.report: BalanceReport | None = None
        self.pending: list[ApprovalRequest] = []

    @property
    def crumbs(self) -> tuple[str, ...]:
        name = self.report.customer.name if self.report else ""
        return ("Customers", crumb(self.customer_id, name))

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        with VerticalScroll(id="card"):
            yield Static(id="card-title")
            with Horizontal(id="card-top"):
                yield Static(id="card-figures")
                with Vertical(id="card-chart-box"):
                    yield Static("Balance, last events", id="card-chart-label")
                    yield BalanceChart(id="card-chart")
            yield Static(id="card-pending")
            yield Static(id="card-alerts")
            yield Static(id="card-events")
        yield StatusLine()
        yield KeyBar()

    def on_resize(self) -> None:
        # The chart beside the figures when both fit, under them when not.
        wide = self.size.width >= SIDE_BY_SIDE
        self.query_one("#card-top").styles.layout = "horizontal" if wide else "vertical"
        if self.report is not None:
            self.query_one("#card-events", Static).update(event_lines(self.report, self.size.width))

    def on_mount(self) -> None:
        self.on_resize()
        self.query_one("#card", VerticalScroll).focus()
        self.load()

    @work(thread=True, exclusive=True, group="card-load", exit_on_error=False)
    def load(self) -> None:
        def read() -> tuple[BalanceReport, list[ApprovalRequest]]:
            report = self.services.manager.get_customer_balance_report(
                self.customer_id,
                include_history=True,
                include_alerts=True,
                history_limit=RECENT_EVENTS,
            )
            return report, self.services.approvals.pending_for(self.customer_id)

        self.query_in_thread(read, lambda found: self.show_report(*found))

    def show_report(self, report: BalanceReport, pending: list[ApprovalRequest]) -> None:
        self.report, self.pending = report, pending
        self.query_one("#card-pending", Static).update(pending_lines(report, pending))
        c = report.customer
        title = Text()
        title.append(f"{visible(c.id)} · {visible(c.name)}", style="bold")
        title.append(
            f"\nagent {visible(c.agent_id)} · {c.vip_level} · {c.currency} · {c.status} · "
            f"customer since {c.created_at:%Y-%m-%d}",
            style="dim",
        )
        self.query_one("#card-title", Static).update(title)
        self.query_one("#card-figures", Static).update(figures(report))
        history = list(reversed(report.history or []))
        self.query_one("#card-chart", BalanceChart).plot(
            [(e.created_at, e.new_balance) for e in history]
        )
        label = (
            f"Balance ({c.currency}) after each of the last {len(history):,} events"
            if history
            else "No events yet."
        )
        self.query_one("#card-chart-label", Static).update(Text(label))
        self.query_one("#card-alerts", Static).update(alert_lines(report))
        self.query_one("#card-events", Static).update(event_lines(report, self.size.width))
        self.show_status(refreshed=self.refreshed_now())

    def on_data_changed(self, message: DataChanged) -> None:
        batch = message.batch
        if (
            message.full_reload
            or batch is None
            or batch.acknowledgements_changed
            or self.customer_id in batch.customers
        ):
            self.load()

    def action_adjust(self) -> None:
        report = self.report
        if report is None:  # not read yet: the app reads it first
            self.balance_app.adjust_customer(self.customer_id)
            return
        # At once, from what the card shows (the form reads the figures again as you type):
        # keys typed right after "a" must land in the form, not on the card.
        self.balance_app.adjust(
            CustomerSummary(
                customer=report.customer,
                usage_24h=report.usage_24h,
                usage_7d=report.usage_7d,
                daily_limit=report.rules.daily_change_limit,
                weekly_limit=report.rules.weekly_change_limit,
                active_alerts=len(report.alerts or []),
            )
        )

    def action_edit_customer(self) -> None:
        me = self.balance_app.identity
        if self.report is None or not me.may_decide:
            if self.report is not None:
                self.notify(
                    f"{me.login} is {me.role}: a supervisor or an admin changes a customer.",
                    markup=False,
                )
            self.balance_app.cancel_type_ahead()
            return
        from balance_tui.tui.screens.edit_customer import EditCustomerForm  # on first use

        self.balance_app.open_form(EditCustomerForm(self.report.customer), self._edited)

    def _edited(self, changed: Customer | None) -> None:
        if changed is not None:
            self.notify(
                f"{changed.id}: {changed.vip_level}, agent {changed.agent_id}, {changed.status}",
                title="Customer changed",
                markup=False,
            )
            self.load()

    def action_acknowledge_alerts(self) -> None:
        open_ids = [a.id for a in (self.report.alerts or [])] if self.report else []
        if not open_ids:
            self.notify("This customer has no open alerts.")
            return
        named = ", ".join(f"#{i}" for i in open_ids[:6])
        more = f" and {len(open_ids) - 6:,} more" if len(open_ids) > 6 else ""
        question = (
            f"Acknowledge {visible(self.customer_id)}'s open alerts {named}{more} as "
            f"{visible(self.services.operator)}?"
        )

        def answered(note: str | None) -> None:
            if note is not None:
                self._acknowledge(open_ids, note)

        self.app.push_screen(NoteDialog(question), answered)

    @work(thread=True, group="card-ack", exit_on_error=False)
    def _acknowledge(self, ids: list[int], note: str) -> None:
        self.query_in_thread(
            lambda: self.services.notifications.acknowledge_alerts(
                ids, self.services.operator, note=note or None
            ),
            lambda done: self._acknowledged(len(done)),
        )

    def _acknowledged(self, count: int) -> None:
        self.notify(f"Acknowledged {count:,} alert{'s' if count != 1 else ''}", markup=False)
        self.load()

    def action_history(self) -> None:
        self.balance_app.open_customer_history(self.customer_id, back=("customers", self.crumbs))

    def action_analytics(self) -> None:
        self.balance_app.open_analytics(self.customer_id, back=("customers", self.crumbs))

    def action_back(self) -> None:
        self.dismiss()
