"""Customers: balances, limit usage and open alerts; filter, sort, open a card, adjust, create."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header
from textual.worker import get_current_worker

from balance_tui.domain.errors import BalanceError
from balance_tui.domain.filters import parse_filter
from balance_tui.domain.records import CustomerSummary
from balance_tui.domain.tiers import VIP_TIERS
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line
from balance_tui.tui.screens.base import ServiceScreen, call_database_now
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.filter_box import FilterBox
from balance_tui.tui.widgets.status import StatusLine
from balance_tui.tui.widgets.table import BookTable

COLUMNS = (
    ("id", "Customer"),
    ("name", "Name"),
    ("agent", "Agent"),
    ("tier", "Tier"),
    ("balance", "Balance"),
    ("usage", "24h/7d %"),
    ("alerts", "Alerts"),
)
NUMBER_COLUMNS = ("balance", "usage", "alerts")
#: Shift+letter sorts by a column (k9s); pressing it again turns the order round.
SORT_KEYS = {
    "I": "id",
    "N": "name",
    "A": "agent",
    "T": "tier",
    "B": "balance",
    "U": "usage",
    "L": "alerts",
}
#: Columns whose first sort puts the largest first (what an operator looks for).
LARGEST_FIRST = frozenset({"balance", "usage", "alerts"})
FILTER_DELAY = 0.15
FILTER_KEYS = ("customer", "agent")
#: Rows shown before the rest of a large book arrives, then the rest in chunks of this many.
FIRST_ROWS = 200
CHUNK_ROWS = 2_000
#: Up to this many rows a sort reorders the table in place; beyond, it lays it out again.
SORT_IN_PLACE_ROWS = 20_000
#: Sorts the database answers (same order as in memory: ties by id in the same direction);
#: while rows are still arriving, or beyond SORT_IN_PLACE_ROWS, these reload in order.
DATABASE_SORTS = frozenset({"id", "balance"})
TIER_RANK = {tier: rank for rank, tier in enumerate(VIP_TIERS)}


def share(used: Decimal, limit: Decimal) -> Decimal:
    """Used as a percentage of the limit, one decimal, rounded down (2.5 % stays 2.5 %)."""
    if not limit:
        return Decimal(0)
    return (used * 100 / limit).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


#: Below this width the Agent column gives its room to the others (the card shows it).
AGENT_FROM = 100


def column_keys(terminal_width: int) -> tuple[str, ...]:
    return tuple(k for k, _ in COLUMNS if k != "agent" or terminal_width >= AGENT_FROM)


def name_width(terminal_width: int) -> int:
    """Room for names: what the other columns leave (money and counts are never cut).

    The others are budgeted at their widest usual cells: a balance up to 999,999.99 with its
    currency, usage "100.0/10.0", an alert count with its marker; wider balances scroll."""
    others = 80 if terminal_width >= AGENT_FROM else 69
    return max(8, min(28, terminal_width - others))


def row_cells(
    summary: CustomerSummary, name_room: int = 13, keys: tuple[str, ...] = ()
) -> list[Text | str]:
    """The cells of ``keys`` (every column when empty), in that order."""
    cells = _cells(summary, name_room)
    return [cells[k] for k in keys or cells]


def _cells(summary: CustomerSummary, name_room: int) -> dict[str, Text | str]:
    c = summary.customer
    day = share(summary.usage_24h, summary.daily_limit)
    week = share(summary.usage_7d, summary.weekly_limit)
    alerts = summary.active_alerts
    # Ids, agents and tiers are restricted to [A-Za-z0-9_.-] by the engine: no markup can
    # hide in them, so they stay plain strings (cheaper for 10,000 rows); names are literal.
    return {
        "id": c.id,
        "name": literal(one_line(c.name, name_room)),
        "agent": c.agent_id,
        "tier": c.vip_level,
        "balance": Text(
            money(c.balance, c.currency),
            style="red" if c.balance < 0 else "",
            justify="right",
        ),
        "usage": Text(
            f"{day}/{week}",
            style="bold red" if max(day, week) >= 80 else "",
            justify="right",
        ),
        "alerts": Text(
            f"{alerts:,}" if alerts else "·",
            style="bold red" if alerts else "dim",
            justify="right",
        ),
    }


def sort_value(summary: CustomerSummary, column: str) -> object:
    c = summary.customer
    if column == "usage":
        return max(
            share(summary.usage_24h, summary.daily_limit),
            share(summary.usage_7d, summary.weekly_limit),
        )
    return {
        "id": c.id,
        "name": c.name.lower(),
        "agent": c.agent_id,
        "tier": TIER_RANK.get(c.vip_level, len(TIER_RANK)),
        "balance": c.balance,
        "alerts": summary.active_alerts,
    }[column]


class CustomersScreen(ServiceScreen):
    """The customers table with a filter that works as you type."""

    CRUMB = "Customers"
    #: Focused as the screen is shown, before its first frame (focusing it later draws the
    #: whole table a second time).
    AUTO_FOCUS = "#customers"
    BINDINGS = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            tooltip="Part of a customer's id or name, or an agent",
            id="customers.filter",
        ),
        Binding(
            "i", "card", "Card", tooltip="The highlighted customer's card", id="customers.card"
        ),
        Binding(
            "a",
            "adjust",
            "Adjust",
            tooltip="Adjust the highlighted customer's balance",
            id="customers.adjust",
        ),
        Binding(
            "h", "history", "History", tooltip="The customer's history", id="customers.history"
        ),
        Binding("n", "new_customer", "New", tooltip="Create a customer", id="customers.new"),
        Binding(
            "s",
            "reverse_sort",
            "Sort ▲▼",
            tooltip="Turn the sort round (shift+I N A T B U L sorts by a column)",
            id="customers.sort",
        ),
        *[
            Binding(
                key,
                f"sort_by('{column}')",
                f"Sort by {column}",
                show=False,
                id=f"customers.sort_{column}",
            )
            for key, column in SORT_KEYS.items()
        ],
        Binding("escape", "clear_filter", "Clear filter", show=False, id="customers.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: dict[str, CustomerSummary] = {}
        self.sort_column = "id"
        self.descending = False
        self.name_room = 13
        self.keys: tuple[str, ...] = ()
        self.filter_text = ""
        self._filter_timer: Timer | None = None
        #: Bumped by every fill and big sort: a chunked layout of an older one stops.
        self._layout_generation = 0
        #: Every row of the current filter is in; the rows came in the order shown.
        self.complete = False
        self.loaded_in_order = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield FilterBox(
            placeholder="/  part of a customer id or name, or an agent (↑ recent filters)",
            id="customer-filter",
        )
        yield BookTable(id="customers")
        yield StatusLine()
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.table.show_sort(self.sort_column, self.descending)
        self._fit(self.app.size.width)
        # The first rows are read right here, so the first frame has them; the rest come
        # from a worker, between keys.
        self.complete = False
        manager = self.services.manager
        call_database_now(
            self.balance_app,
            lambda: manager.list_customers("", limit=FIRST_ROWS, order_by="id"),
            self._first_rows,
        )

    def _first_rows(self, rows: list[CustomerSummary]) -> None:
        self.fill(rows)
        if len(rows) < FIRST_ROWS:
            self.append_rows([], last=True)
        else:
            self.load(after_first=True)

    def on_resize(self, event: events.Resize) -> None:
        if (name_width(event.size.width), column_keys(event.size.width)) != (
            self.name_room,
            self.keys,
        ):
            self._fit(event.size.width)
            if self.summaries:
                self.fill(list(self.summaries.values()))

    def _fit(self, width: int) -> None:
        """Columns and name room for this width; widths start again from what fits now."""
        self.name_room, self.keys = name_width(width), column_keys(width)
        self.table.define_columns(
            [(k, label) for k, label in COLUMNS if k in self.keys], right=NUMBER_COLUMNS
        )

    @property
    def table(self) -> BookTable:
        return self.query_one("#customers", BookTable)

    @property
    def filter_box(self) -> FilterBox:
        return self.query_one("#customer-filter", FilterBox)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="customers-load", exit_on_error=False)
    def load(self, search: str | None = None, *, after_first: bool = False) -> None:
        """The first rows at once, then the rest: the screen is usable before 10,000 rows are.
        ``after_first``: the first rows are shown already (at start).

        The filter is the one language of every screen: words match ids, names and agents;
        ``agent:`` narrows to one agent. Text that does not read yet ("agent:" half typed)
        shows nothing new until it does; Enter says what is wrong."""
        manager = self.services.manager
        asked = (search or "").strip()
        try:
            query = parse_filter(asked, keys=FILTER_KEYS)
        except BalanceError:
            return
        words, agent = query.customer, query.agent

        def current(
            then: Callable[[list[CustomerSummary]], None],
        ) -> Callable[[list[CustomerSummary]], None]:
            """Hand rows on only while the filter still says what they were asked for."""

            def checked(rows: list[CustomerSummary]) -> None:
                if self.filter_box.value.strip() == asked:
                    self.filter_text = asked
                    then(rows)

            return checked

        # Sorted by id or balance, the database hands the rows over in that order: the top
        # rows are right at once, however many follow.
        order = self.sort_column if self.sort_column in DATABASE_SORTS else "id"
        down = self.descending if order == self.sort_column else False
        self.loaded_in_order = (order, down) == (self.sort_column, self.descending)
        self.complete = False
        if not after_first:
            self.query_in_thread(
                lambda: manager.list_customers(
                    words, agent_id=agent, limit=FIRST_ROWS, order_by=order, descending=down
                ),
                current(self.fill),
            )
        # The rest in chunks, each handed to the screen on its own: between two chunks the
        # screen answers keys (100,000 customers never freeze it), and a newer filter
        # cancels this load at the next chunk.
        offset, got = FIRST_ROWS, [FIRST_ROWS]

        def counted(rows: list[CustomerSummary]) -> None:
            got[0] = len(rows)
            self.append_rows(rows, last=len(rows) < CHUNK_ROWS)

        while got[0] and not get_current_worker().is_cancelled:
            got[0] = 0
            self.query_in_thread(
                lambda start=offset: manager.list_customers(  # type: ignore[misc]
                    words,
                    agent_id=agent,
                    limit=CHUNK_ROWS,
                    offset=start,
                    order_by=order,
                    descending=down,
                ),
                current(counted),
            )
            if got[0] < CHUNK_ROWS:
                return
            offset += CHUNK_ROWS

    def append_rows(self, summaries: list[CustomerSummary], *, last: bool = True) -> None:
        """Add a chunk of rows; the screen's sort is applied once the last chunk is in."""
        fresh = [s for s in summaries if s.customer.id not in self.summaries]
        self.summaries.update((s.customer.id, s) for s in fresh)
        table = self.table
        with self.app.batch_update():
            for summary in fresh:
                table.add_row(
                    *row_cells(summary, self.name_room, self.keys), key=summary.customer.id
                )
            if last and not self.loaded_in_order:
                self._sort_rows()
        self.complete = last
        self._status()

    def fill(self, summaries: list[CustomerSummary]) -> None:
        self._layout_generation += 1
        table = self.table
        highlighted = self.highlighted_id()
        self.summaries = {s.customer.id: s for s in summaries}
        with self.app.batch_update():
            table.clear()
            for summary in summaries:
                table.add_row(
                    *row_cells(summary, self.name_room, self.keys), key=summary.customer.id
                )
            self._sort_rows()
        if highlighted in self.summaries:
            table.move_cursor(row=table.get_row_index(highlighted))
        self._status()

    def _sort_rows(self) -> None:
        """Reorder the rows in place (cells are not rebuilt: 10,000 rows sort in a blink).
        A bigger table is laid out again in sorted order, a chunk at a time, so the screen
        answers keys meanwhile and the top rows are right at once."""
        summaries, column = self.summaries, self.sort_column

        def by_value(customer_id: str) -> tuple[object, str]:
            return sort_value(summaries[customer_id], column), customer_id

        if len(summaries) <= SORT_IN_PLACE_ROWS:
            self.table.sort("id", key=by_value, reverse=self.descending)
            return
        order = sorted(summaries, key=by_value, reverse=self.descending)
        self._layout_generation += 1
        self.table.clear()
        self._lay_out(order, 0, self._layout_generation)

    def _lay_out(self, order: list[str], start: int, generation: int) -> None:
        if generation != self._layout_generation:
            return  # a newer sort or load took over
        table = self.table
        with self.app.batch_update():
            for customer_id in order[start : start + CHUNK_ROWS]:
                summary = self.summaries.get(customer_id)
                if summary is not None and customer_id not in table.rows:
                    table.add_row(*row_cells(summary, self.name_room, self.keys), key=customer_id)
        if start + CHUNK_ROWS < len(order):
            self.set_timer(0.001, lambda: self._lay_out(order, start + CHUNK_ROWS, generation))
        self._status()

    def _status(self) -> None:
        row, rows = self.table.row_position()
        arrow = "▼" if self.descending else "▲"
        self.show_status(
            row=row,
            rows=rows,
            filter=self.filter_text,
            sort=f"{self.sort_column} {arrow}",
            refreshed=self.refreshed_now(),
        )

    @on(DataTable.RowHighlighted, "#customers")
    def _moved(self) -> None:
        row, rows = self.table.row_position()
        self.show_status(row=row, rows=rows)

    def highlighted_id(self) -> str | None:
        return self.table.highlighted_key()

    def on_data_changed(self, message: DataChanged) -> None:
        batch = message.batch
        if message.full_reload or batch is None:
            self.load(self.filter_box.value)
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
            cells = row_cells(summary, self.name_room, self.keys)
            for column, cell in zip(self.keys, cells, strict=True):
                table.update_cell(key, column, cell)
        self.show_status(refreshed=self.refreshed_now())

    # ------------------------------------------------------------------ filter

    @on(FilterBox.Changed, "#customer-filter")
    def _filter_changed(self, event: FilterBox.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self.load(event.value))

    @on(FilterBox.Submitted, "#customer-filter")
    def _filter_submitted(self, event: FilterBox.Submitted) -> None:
        try:
            parse_filter(event.value, keys=FILTER_KEYS)
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.filter_box.remember(event.value)
        self.table.focus()

    @on(FilterBox.Cleared, "#customer-filter")
    def _filter_cleared(self) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.balance_app.focus_typing(self, self.filter_box)

    async def action_clear_filter(self) -> None:
        box = self.filter_box
        if box.value:
            box.value = ""
        else:
            await self.go_back()
        self.table.focus()

    # ------------------------------------------------------------------ sorting

    def action_sort_by(self, column: str) -> None:
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column, self.descending = column, column in LARGEST_FIRST
        self._apply_sort()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self._apply_sort()

    def _apply_sort(self) -> None:
        table = self.table
        table.show_sort(self.sort_column, self.descending)
        big = not self.complete or len(self.summaries) > SORT_IN_PLACE_ROWS
        if big and self.sort_column in DATABASE_SORTS:
            table.relabel()
            self.load(self.filter_box.value)  # the database sorts; the top rows come first
            self._status()
            return
        with self.app.batch_update():
            table.relabel()
            self._sort_rows()
        table.move_cursor(row=0)
        table.scroll_home(animate=False)
        self._status()

    @on(DataTable.HeaderSelected, "#customers")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        self.action_sort_by(str(event.column_key.value))

    # ------------------------------------------------------------------ actions

    @on(DataTable.RowSelected, "#customers")
    def _open_card(self) -> None:
        self.action_card()

    def _highlighted_or_say(self) -> str | None:
        customer_id = self.highlighted_id()
        if customer_id is None:
            self.balance_app.cancel_type_ahead()  # no form opens for the keys typed behind
            self.notify("No customer is highlighted.", severity="warning")
        return customer_id

    def action_card(self) -> None:
        customer_id = self._highlighted_or_say()
        if customer_id is not None:
            self.balance_app.open_card(customer_id)

    def action_history(self) -> None:
        customer_id = self._highlighted_or_say()
        if customer_id is not None:
            self.balance_app.open_customer_history(customer_id)

    def action_adjust(self) -> None:
        customer_id = self._highlighted_or_say()
        if customer_id is not None:
            self.balance_app.adjust(self.summaries[customer_id])

    def action_new_customer(self) -> None:
        from balance_tui.tui.screens.new_customer import NewCustomerForm  # on first use

        self.balance_app.open_form(NewCustomerForm(), self._created)

    def _created(self, customer_id: str | None) -> None:
        if customer_id is not None:
            self.notify(f"Customer {customer_id} created", markup=False)
            self.load(self.filter_box.value)
