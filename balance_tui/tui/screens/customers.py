"""Customers: balances, limit usage and open alerts; filter, adjust, create, open history."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input
from textual.worker import get_current_worker

from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.records import CustomerSummary
from balance_tui.tui.messages import DataChanged, ShowCustomerHistory
from balance_tui.tui.safe_text import literal, one_line
from balance_tui.tui.screens.adjust import AdjustForm, AdjustOutcome
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.new_customer import NewCustomerForm
from balance_tui.tui.widgets.banner import AlertBanner

COLUMNS = (
    ("id", "Customer"),
    ("name", "Name"),
    ("agent", "Agent"),
    ("tier", "Tier"),
    ("balance", "Balance"),
    ("usage", "24h/7d"),
    ("alerts", "Alerts"),
)
SORTS = ("id", "name", "agent", "tier", "balance", "usage", "alerts")
FILTER_DELAY = 0.15
#: Rows shown before the rest of a large book arrives.
FIRST_ROWS = 200
DEFAULT_CURRENCY = "USD"


def _percent(used: Decimal, limit: Decimal) -> int:
    return int(used * 100 // limit) if limit else 0


def name_width(terminal_width: int) -> int:
    """Room for names: what the other columns leave (they need about 69 cells)."""
    return max(11, min(28, terminal_width - 69))


def row_cells(summary: CustomerSummary, name_room: int = 13) -> list[Text | str]:
    c = summary.customer
    day, week = (
        _percent(summary.usage_24h, summary.daily_limit),
        _percent(summary.usage_7d, summary.weekly_limit),
    )
    usage_style = "bold red" if max(day, week) >= 80 else ""
    balance_style = "red" if c.balance < 0 else ""
    alerts = summary.active_alerts
    # Ids, agents and tiers are restricted to [A-Za-z0-9_.-] by the engine: no markup can
    # hide in them, so they stay plain strings (cheaper for 10,000 rows); names are literal.
    return [
        c.id,
        literal(one_line(c.name, name_room)),
        c.agent_id,
        c.vip_level,
        # USD is the default currency: only other currencies carry their code.
        Text(
            format_cents(decimal_to_cents(c.balance))
            + ("" if c.currency == DEFAULT_CURRENCY else f" {c.currency}"),
            style=balance_style,
            justify="right",
        ),
        Text(f"{day}%/{week}%", style=usage_style, justify="right"),
        Text(
            str(alerts) if alerts else "·", style="bold red" if alerts else "dim", justify="right"
        ),
    ]


def sort_value(summary: CustomerSummary, column: str) -> object:
    c = summary.customer
    return {
        "id": c.id,
        "name": c.name.lower(),
        "agent": c.agent_id,
        "tier": c.vip_level,
        "balance": c.balance,
        "alerts": summary.active_alerts,
        "usage": max(
            _percent(summary.usage_24h, summary.daily_limit),
            _percent(summary.usage_7d, summary.weekly_limit),
        ),
    }[column]


class CustomersScreen(ServiceScreen):
    """The customers table with a filter that works as you type."""

    BINDINGS = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            tooltip="Filter by id, name or agent",
            id="customers.filter",
        ),
        Binding(
            "a",
            "adjust",
            "Adjust",
            tooltip="Adjust the highlighted customer's balance",
            id="customers.adjust",
        ),
        Binding("n", "new_customer", "New", tooltip="Create a customer", id="customers.new"),
        Binding("s", "sort", "Sort", tooltip="Sort by the next column", id="customers.sort"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="customers.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: dict[str, CustomerSummary] = {}
        self.sort_column = "id"
        self.name_room = 13
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield Input(
            placeholder="/  filter by customer id, name or agent",
            id="customer-filter",
            classes="filter-bar",
            compact=True,
        )
        table: DataTable[Text | str] = DataTable(
            id="customers", cursor_type="row", zebra_stripes=True
        )
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Footer(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        room = name_width(event.size.width)
        if room != self.name_room:
            self.name_room = room
            if self.summaries:
                self.fill(list(self.summaries.values()))

    def on_mount(self) -> None:
        self.name_room = name_width(self.app.size.width)
        self.query_one(DataTable).focus()
        self.load()

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#customers", DataTable)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="customers-load", exit_on_error=False)
    def load(self, search: str | None = None) -> None:
        """The first rows at once, then the rest: the screen is usable before 10,000 rows are."""
        manager = self.services.manager
        asked = (search or "").strip()

        def current(then):  # type: ignore[no-untyped-def]
            """Hand rows on only while the filter still says what they were asked for."""

            def checked(rows: list[CustomerSummary]) -> None:
                if self.query_one("#customer-filter", Input).value.strip() == asked:
                    then(rows)

            return checked

        self.query_in_thread(
            lambda: manager.list_customers(asked or None, limit=FIRST_ROWS), current(self.fill)
        )
        if get_current_worker().is_cancelled:
            return  # the operator typed on: a newer load is under way
        self.query_in_thread(
            lambda: manager.list_customers(asked or None, offset=FIRST_ROWS),
            current(self.append_rows),
        )

    def append_rows(self, summaries: list[CustomerSummary]) -> None:
        if not summaries:
            return
        fresh = [s for s in summaries if s.customer.id not in self.summaries]
        self.summaries.update((s.customer.id, s) for s in fresh)
        if self.sort_column != "id":  # rows came in id order: sort the whole table again
            self.fill(list(self.summaries.values()))
            return
        table = self.table
        with self.app.batch_update():
            for summary in fresh:
                table.add_row(*row_cells(summary, self.name_room), key=summary.customer.id)

    def fill(self, summaries: list[CustomerSummary]) -> None:
        table = self.table
        highlighted = self.highlighted_id()
        self.summaries = {s.customer.id: s for s in summaries}
        with self.app.batch_update():
            table.clear()
            for summary in self._sorted(summaries):
                table.add_row(*row_cells(summary, self.name_room), key=summary.customer.id)
        if highlighted in self.summaries:
            table.move_cursor(row=table.get_row_index(highlighted))

    def _sorted(self, summaries: list[CustomerSummary]) -> list[CustomerSummary]:
        reverse = self.sort_column in ("balance", "usage", "alerts")
        return sorted(
            summaries,
            key=lambda s: sort_value(s, self.sort_column),  # type: ignore[arg-type, return-value]
            reverse=reverse,
        )

    def highlighted_id(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(row_key.value)

    def on_data_changed(self, message: DataChanged) -> None:
        batch = message.batch
        if message.full_reload or batch is None:
            self.load(self.query_one("#customer-filter", Input).value)
            return
        touched = set(batch.customers)
        if batch.acknowledgements_changed:  # an ack lowers a count: refresh those with one
            touched |= {code for code, s in self.summaries.items() if s.active_alerts}
        shown = [c for c in touched if c in self.summaries]
        if shown:
            self.refresh_rows(shown)

    @work(thread=True, group="customers-refresh", exit_on_error=False)
    def refresh_rows(self, customer_ids: list[str]) -> None:
        self.query_in_thread(
            lambda: self.services.manager.customers_by_ids(customer_ids), self.update_rows
        )

    def update_rows(self, summaries: list[CustomerSummary]) -> None:
        """Changed rows are updated in place: a big table is never rebuilt for a refresh."""
        table = self.table
        for summary in summaries:
            key = summary.customer.id
            if key not in self.summaries:
                continue
            self.summaries[key] = summary
            for (column, _), cell in zip(COLUMNS, row_cells(summary, self.name_room), strict=True):
                table.update_cell(key, column, cell)

    # ------------------------------------------------------------------ filter

    @on(Input.Changed, "#customer-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self.load(event.value))

    @on(Input.Submitted, "#customer-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#customer-filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#customer-filter", Input)
        if box.value:
            box.value = ""
        self.table.focus()

    def action_sort(self) -> None:
        self.sort_column = SORTS[(SORTS.index(self.sort_column) + 1) % len(SORTS)]
        self.fill(list(self.summaries.values()))
        self.notify(f"Sorted by {self.sort_column}", timeout=2)

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        self.sort_column = str(event.column_key.value)
        self.fill(list(self.summaries.values()))

    # ------------------------------------------------------------------ actions

    @on(DataTable.RowSelected, "#customers")
    def _open_history(self, event: DataTable.RowSelected) -> None:
        self.app.post_message(ShowCustomerHistory(str(event.row_key.value)))

    def action_adjust(self) -> None:
        customer_id = self.highlighted_id()
        if customer_id is None:
            self.notify("No customer is highlighted.", severity="warning")
            return
        self.app.push_screen(AdjustForm(self.summaries[customer_id]), self._adjusted)

    def _adjusted(self, outcome: AdjustOutcome | None) -> None:
        if outcome is None:
            return
        result = outcome.result
        event = result.event
        assert event is not None
        raised = "".join(f"; alert: {a.alert_type.replace('_', ' ')}" for a in result.alerts)
        self.notify(
            f"{event.customer_id}: {event.change_type} "
            f"{format_cents(decimal_to_cents(event.amount), signed=True)}, balance now "
            f"{format_cents(decimal_to_cents(event.new_balance))}{raised}",
            title="Balance updated",
            markup=False,
        )
        self.refresh_rows([event.customer_id])

    def action_new_customer(self) -> None:
        self.app.push_screen(NewCustomerForm(), self._created)

    def _created(self, customer_id: str | None) -> None:
        if customer_id is not None:
            self.notify(f"Customer {customer_id} created", markup=False)
            self.load(self.query_one("#customer-filter", Input).value)
