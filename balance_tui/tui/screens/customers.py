"""Customers: balances, limit usage and open alerts; filter, sort, open a card, adjust, create.

The table holds the pages the operator has reached, not the book: the database filters and
orders (every column), the first page comes at once, and the next one when the cursor or
the scroll nears the last row shown. End shows the last page of the order at once (the
pages above it come as the cursor climbs), Home the first. With 100,000 customers the
screen holds the 200 rows it shows until the operator moves through more.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Header

from balance_tui.domain.errors import BalanceError
from balance_tui.domain.filters import parse_filter
from balance_tui.domain.records import CustomerSummary
from balance_tui.services.customers import LARGEST_FIRST
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line
from balance_tui.tui.screens.base import ServiceScreen, call_database_now
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.filter_box import FilterBox
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine
from balance_tui.tui.widgets.table import BookTable

if TYPE_CHECKING:
    from balance_tui.services.customers import CustomerPage

#: What the table shows: (filter as typed, sort column, descending).
View = tuple[str, str, bool]

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
FILTER_DELAY = 0.15
FILTER_KEYS = ("customer", "agent")
#: Rows read for the first screen and for each page the cursor or the scroll reaches.
FIRST_ROWS = 200
PAGE_ROWS = 200
#: The next page is read when the cursor is this close to the last (or first) row shown.
PREFETCH_ROWS = 50


def share(used: Decimal, limit: Decimal) -> Decimal:
    """Used as a percentage of the limit, one decimal, rounded down (2.5 % stays 2.5 %)."""
    if not limit:
        return Decimal(0)
    return (used * 100 / limit).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


#: Below these widths the Agent and then the Tier column give their room to the names (the
#: card shows both).
AGENT_FROM = 100
TIER_FROM = 90
#: The longest a name is shown before it is cut (wide terminals).
LONGEST_NAME = 44


def column_keys(terminal_width: int) -> tuple[str, ...]:
    hidden = {"agent"} if terminal_width < AGENT_FROM else set()
    if terminal_width < TIER_FROM:
        hidden.add("tier")
    return tuple(k for k, _ in COLUMNS if k not in hidden)


def name_width(terminal_width: int) -> int:
    """Room for names: what the other columns leave (money and counts are never cut).

    The others are budgeted at their widest usual cells: a balance up to 999,999.99 with its
    currency, usage "100.0/10.0", an alert count with its marker; wider balances scroll."""
    others = 80 if terminal_width >= AGENT_FROM else 69 if terminal_width >= TIER_FROM else 59
    return max(8, min(LONGEST_NAME, terminal_width - others))


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


def nothing_found(filter_text: str) -> str:
    """What an empty result says, in the words of the filter typed (as History says it)."""
    text = filter_text.strip()
    if not text:
        return ""
    if ":" in text:
        return f"No customer matches {text!r}."
    return f"No customer's id, name or agent contains {text!r}."


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
        #: The rows shown, by id (the pages reached so far, in the table's order).
        self.summaries: dict[str, CustomerSummary] = {}
        self.sort_column = "id"
        self.descending = False
        self.name_room = 13
        self.keys: tuple[str, ...] = ()
        self.filter_text = ""
        self._filter_timer: Timer | None = None
        #: The view the rows shown belong to, where its next page starts, whether one may
        #: follow, and how many customers it has in all.
        self.shown: View = ("", "id", False)
        self.after: Any = None
        self.more = False
        self.total: int | None = None
        #: After End: where the first row shown starts, whether rows are above it, and how
        #: many rows of the order are above it.
        self.before: Any = None
        self.more_above = False
        self.start = 0
        self._paging = False
        #: Bumped when the rows shown are replaced (a new view, End, Home).
        self._window = 0
        self._laying_out = False
        #: A new filter or sort is on its way (from the first key typed in the filter).
        self.rows_coming = False
        #: Row keys (card, adjust, history) pressed meanwhile: they act on the rows it
        #: brings, not on the rows it replaces.
        self._waiting: list[Callable[[], None]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield FilterBox(
            placeholder="/  part of a customer id or name, or an agent (↑ recent filters)",
            id="customer-filter",
            results="#customers",
        )
        yield BookTable(id="customers")
        yield StatusLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.show_sort(self.sort_column, self.descending)
        self.table.more_below = lambda: self.more and not self.rows_coming
        self._fit(self.app.size.width)
        # Scrolling (wheel, page down) near the bottom reads the next page, as the cursor does.
        self.watch(self.table, "scroll_y", self._scrolled, init=False)
        # The first rows are read right here, so the first frame has them.
        manager = self.services.manager
        view = self.wanted()
        call_database_now(
            self.balance_app,
            lambda: manager.customer_page("", limit=FIRST_ROWS, count=True),
            lambda page: self.fill(page, view),
        )

    def on_resize(self, event: events.Resize) -> None:
        if (name_width(event.size.width), column_keys(event.size.width)) != (
            self.name_room,
            self.keys,
        ):
            highlighted = self.highlighted_id()  # (laying out the columns clears the rows)
            self._fit(event.size.width)
            self._add_rows(list(self.summaries.values()))
            self._move_to(highlighted)

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

    def wanted(self) -> View:
        """The view the operator has asked for (what the rows shown should become)."""
        return self.filter_box.value.strip(), self.sort_column, self.descending

    def load(self, *, keep: int = 0) -> None:
        """Read the first page of the view asked for (``keep``: at least that many rows,
        so a refresh keeps what the operator has scrolled to).

        The filter is the one language of every screen: words match ids, names and agents;
        ``agent:`` narrows to one agent. Text that does not read yet ("agent:" half typed)
        shows nothing new until it does; Enter says what is wrong."""
        view = self.wanted()
        try:
            query = parse_filter(view[0], keys=FILTER_KEYS)
        except BalanceError:
            self._not_loaded()
            return
        if view != self.shown:
            self.rows_coming = True
        self._read_first_page(view, query.customer, query.agent, max(FIRST_ROWS, keep))

    @work(thread=True, exclusive=True, group="customers-load", exit_on_error=False)
    def _read_first_page(self, view: View, words: str | None, agent: str | None, rows: int) -> None:
        _, column, descending = view
        manager = self.services.manager
        self.query_in_thread(
            lambda: manager.customer_page(
                words,
                agent_id=agent,
                order_by=column,
                descending=descending,
                limit=rows,
                count=True,
            ),
            lambda page: self.fill(page, view),
            failed=self._not_loaded,
        )

    def _not_loaded(self) -> None:
        """The rows asked for will not come: keys waiting for them are typed keys again."""
        self.rows_coming = False
        if self._waiting:
            self._waiting.clear()
            self.balance_app.cancel_type_ahead()

    def _scrolled(self, before: float, now: float) -> None:
        """The operator scrolled (wheel, page keys) towards an end of the rows shown: the
        page beyond it. (Laying the rows out again moves the scroll too: not a request.)"""
        table = self.table
        if self._laying_out:
            return
        if now > before and now >= table.max_scroll_y - PREFETCH_ROWS:
            self.load_more()
        elif now < before and now <= PREFETCH_ROWS:
            self.load_above()

    def load_more(self) -> None:
        """The next page below the rows shown, unless one is on its way or none follows."""
        if self.more and not self._paging and not self.rows_coming:
            self._paging = True
            self._read_page(self.shown, self._window, self.after, below=True)

    def load_above(self) -> None:
        """The page above the rows shown (after End), unless one is on its way or none."""
        if self.more_above and not self._paging and not self.rows_coming:
            self._paging = True
            self._read_page(self.shown, self._window, self.before, below=False)

    @work(thread=True, exclusive=True, group="customers-page", exit_on_error=False)
    def _read_page(self, view: View, window: int, mark: Any, below: bool) -> None:
        def show(page: CustomerPage) -> None:
            self._paging = False
            if (view, window) == (self.shown, self._window):  # not replaced meanwhile
                self.append(page) if below else self.prepend(page)

        self.query_in_thread(
            lambda: self._page_after(view, mark, reverse=not below),
            show,
            failed=self._page_failed,
        )

    def _page_after(
        self, view: View, after: Any, *, reverse: bool = False, count: bool = False
    ) -> CustomerPage:
        """The page after ``after`` in the view's order, or with ``reverse`` the page
        before it (read in the opposite order: the nearest row first)."""
        asked, column, descending = view
        query = parse_filter(asked, keys=FILTER_KEYS)  # it read when the view was shown
        return self.services.manager.customer_page(
            query.customer,
            agent_id=query.agent,
            order_by=column,
            descending=descending != reverse,
            after=after,
            limit=PAGE_ROWS,
            count=count,
        )

    def _page_failed(self) -> None:
        """The next move or scroll tries again (a failed read must not stop paging)."""
        self._paging = False

    @on(BookTable.Jumped, "#customers")
    def _jumped(self, event: BookTable.Jumped) -> None:
        if self.rows_coming:
            return
        if event.to_end and self.more:
            self._read_last_page(self.shown)
        elif not event.to_end and self.more_above:
            self.load()  # the first page again, from the top

    @work(thread=True, exclusive=True, group="customers-load", exit_on_error=False)
    def _read_last_page(self, view: View) -> None:
        self.query_in_thread(
            lambda: self._page_after(view, None, reverse=True, count=True),
            lambda page: self.show_last(page, view),
        )

    def fill(self, page: CustomerPage, view: View) -> None:
        """Show the first page of a view (a new filter or sort, or a refresh of this one)."""
        if view != self.wanted():
            return  # an older request finished after the operator asked for another
        same_order = view[1:] == self.shown[1:] and not self.start
        highlighted = self.highlighted_id()
        self.shown, self.filter_text, self.rows_coming = view, view[0], False
        self.after, self.more, self.total = page.next_after, page.more, page.total
        self.before, self.more_above, self.start = None, False, 0
        self._new_window()
        self.summaries = {s.customer.id: s for s in page.summaries}
        self._add_rows(page.summaries)
        if same_order:  # the same rows, filtered or fresh: stay on the customer
            self._move_to(highlighted)
        else:  # a new order, or back to its top: from the first row
            self.table.move_cursor(row=0)
            self.table.scroll_home(animate=False)
        self._status()
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            action()

    def show_last(self, page: CustomerPage, view: View) -> None:
        """Show the last page of the order (End), its last row highlighted."""
        if view != self.shown or self.rows_coming:
            return
        rows = page.summaries[::-1]
        self.summaries = {s.customer.id: s for s in rows}
        self._add_rows(rows)
        self.before, self.more_above = page.next_after, page.more
        self.more = False
        self._new_window()
        self.total = page.total
        self.start = (page.total or len(rows)) - len(rows)
        self.table.action_last_row()
        self._status()

    def _new_window(self) -> None:
        """The rows shown were replaced: a page read for the old ones is not added."""
        self._window += 1
        self._paging = False

    def append(self, page: CustomerPage) -> None:
        """Add the next page below the rows shown. A customer already shown (it moved in
        the order since its page was read) stays where it is, once."""
        self.after, self.more = page.next_after, page.more
        table = self.table
        with self.app.batch_update():
            for summary in page.summaries:
                key = summary.customer.id
                if key not in self.summaries:
                    self.summaries[key] = summary
                    table.add_row(*row_cells(summary, self.name_room, self.keys), key=key)
        table.rows_added()
        self._status()

    def prepend(self, page: CustomerPage) -> None:
        """Add the page above the rows shown (read nearest first); the rows on screen stay
        where they are on screen, the cursor on its customer."""
        self.before, self.more_above = page.next_after, page.more
        above = [s for s in page.summaries[::-1] if s.customer.id not in self.summaries]
        if not above:
            return
        table = self.table
        highlighted, scrolled = self.highlighted_id(), table.scroll_y
        self.summaries = {s.customer.id: s for s in [*above, *self.summaries.values()]}
        self.start = max(0, self.start - len(above))
        self._add_rows(list(self.summaries.values()))
        self._move_to(highlighted, scroll=False)
        # once the table has measured its new rows (a scroll now would stop at the old end),
        # unless they have been replaced by then (Home, a new sort)
        window = self._window

        def keep_in_place() -> None:
            if window == self._window:
                table.scroll_to(y=scrolled + len(above), animate=False)

        self.call_after_refresh(keep_in_place)
        self._status()

    def _add_rows(self, summaries: list[CustomerSummary]) -> None:
        table = self.table
        self._laying_out = True
        try:
            with self.app.batch_update():
                table.clear()
                for summary in summaries:
                    table.add_row(
                        *row_cells(summary, self.name_room, self.keys), key=summary.customer.id
                    )
        finally:
            self._laying_out = False

    def _move_to(self, customer_id: str | None, *, scroll: bool = True) -> None:
        if customer_id in self.summaries:
            self.table.move_cursor(row=self.table.get_row_index(customer_id), scroll=scroll)

    def _position(self) -> tuple[int, int]:
        """(the cursor's row in the whole order, counted from 1; rows in the order)."""
        row, rows = self.table.row_position()
        if not rows:
            return 0, 0
        return self.start + row, max(self.start + rows, self.total or 0)

    def _status(self) -> None:
        row, rows = self._position()
        arrow = "▼" if self.descending else "▲"
        self.show_status(
            row=row,
            rows=rows,
            filter=self.filter_text,
            sort=f"{self.sort_column} {arrow}",
            refreshed=self.refreshed_now(),
            note=nothing_found(self.filter_text) if not rows else "",
        )

    @on(DataTable.RowHighlighted, "#customers")
    def _moved(self) -> None:
        row, rows = self._position()
        self.show_status(row=row, rows=rows)
        table = self.table  # where the cursor is now (the message may be older)
        if table.cursor_row >= table.row_count - PREFETCH_ROWS:
            self.load_more()
        elif table.cursor_row < PREFETCH_ROWS:
            self.load_above()

    def highlighted_id(self) -> str | None:
        return self.table.highlighted_key()

    def on_data_changed(self, message: DataChanged) -> None:
        batch = message.batch
        if message.full_reload or batch is None:
            if self.start:  # a window below the top: its rows read again, where they are
                self.refresh_rows(list(self.summaries))
            else:
                self.load(keep=len(self.summaries))
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
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self.rows_coming = True
        self._filter_timer = self.set_timer(FILTER_DELAY, self.load)

    @on(FilterBox.Submitted, "#customer-filter")
    def _filter_submitted(self, event: FilterBox.Submitted) -> None:
        try:
            parse_filter(event.value, keys=FILTER_KEYS)
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.filter_box.focus()  # back from the table enter moved to: to correct it
            return
        if self._filter_timer is not None and self.wanted() != self.shown:
            self._filter_timer.stop()  # Enter: no need to wait for the typing to pause
            self.load()
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
        """The database orders: the first page of the new order replaces the rows shown."""
        table = self.table
        table.show_sort(self.sort_column, self.descending)
        table.relabel()
        self.load()
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

    def _on_highlighted_row(self, act: Callable[[str], None]) -> None:
        """Act on the highlighted customer; while a new filter or sort is on its way, on
        the one highlighted once its rows are shown ("B" then "a" adjusts the richest)."""
        if self.rows_coming:
            self._waiting.append(lambda: self._on_highlighted_row(act))
            return
        customer_id = self._highlighted_or_say()
        if customer_id is not None:
            act(customer_id)

    def action_card(self) -> None:
        self._on_highlighted_row(self.balance_app.open_card)

    def action_history(self) -> None:
        self._on_highlighted_row(self.balance_app.open_customer_history)

    def action_adjust(self) -> None:
        self._on_highlighted_row(
            lambda customer_id: self.balance_app.adjust(self.summaries[customer_id])
        )

    def action_new_customer(self) -> None:
        from balance_tui.tui.screens.new_customer import NewCustomerForm  # on first use

        self.balance_app.open_form(NewCustomerForm(), self._created)

    def _created(self, customer_id: str | None) -> None:
        """The new customer is shown and highlighted: the filter is set to its id (escape
        clears it), whatever page of the book it sorts into."""
        if customer_id is None:
            return
        self.notify(f"Customer {customer_id} created", markup=False)
        self.filter_box.value = customer_id
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self.load()
        self.filter_box.remember(customer_id)
        self.table.focus()
