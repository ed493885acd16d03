"""History: every change, newest first, loaded a page at a time as the operator scrolls."""

from __future__ import annotations

import dataclasses
import json
import time

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Header, Static

from balance_tui.domain.changes import CHANGE_TYPES
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.filters import parse_filter as parse_text_filter
from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.records import BalanceChangeEvent, BalanceUpdateResult
from balance_tui.services.audit import HistoryFilter, TypeSum
from balance_tui.services.bundle import thread_session
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line, visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.dialogs import GoToDialog, GoToPlace, NoteDialog, ReverseDialog
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.filter_box import TYPING_PAUSE, FilterBox
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine
from balance_tui.tui.widgets.table import BookTable

PAGE = 100
#: New events are put on top once the keys have paused this long.
SETTLE_SECONDS = 0.6
#: Load the next page when the cursor is this close to the last loaded row.
PREFETCH_ROWS = 20
COLUMNS = (
    ("id", "Event"),
    ("time", "Time (UTC)"),
    ("customer", "Customer"),
    ("type", "Type"),
    ("amount", "Amount"),
    ("balance", "Balance"),
    ("operator", "Operator"),
    ("reason", "Reason"),
)
FILTER_KEYS = ("customer", "agent", "type", "operator", "from", "to", "ref", "amount", "event")
NUMBER_COLUMNS = ("id", "amount", "balance")


def parse_filter(text: str) -> HistoryFilter:
    """``maya type:wager from:2026-01-01 to:2026-01-31`` → a HistoryFilter (see
    ``domain.filters``: customers by part of id or name, ``to:`` inclusive)."""
    query = parse_text_filter(text, keys=FILTER_KEYS, types=CHANGE_TYPES)
    return HistoryFilter(
        customer_match=query.customer,
        agent_id=query.agent,
        change_type=query.type,
        performed_by=query.operator,
        since=query.since,
        until=query.until,
        reference=query.reference,
        amount_cents=query.amount_cents,
        event_id=query.event_id,
    )


def _money(value) -> str:  # type: ignore[no-untyped-def]
    return format_cents(decimal_to_cents(value))


def _newest_first(id_cell: Text) -> int:
    """Sort key of the Event column ("#123"): newest (highest id) first."""
    return -int(id_cell.plain.lstrip("#"))


#: From this width the table shows full dates and the currency beside each amount too.
WIDE = 120


def event_cells(e: BalanceChangeEvent, wide: bool = True) -> list[Text]:
    """A row; narrow, the time drops its year and the currency is said once, on the
    balance (the amount beside it is in the same currency)."""
    kind = e.change_type + (" ↺" if e.reversed_by_event_id else "")
    return [
        Text(f"#{e.id}", justify="right"),
        Text(f"{e.created_at:{'%Y-%m-%d %H:%M' if wide else '%m-%d %H:%M'}}"),
        literal(e.customer_id),
        Text(kind, style="dim" if e.reversed_by_event_id else ""),
        Text(
            money(e.amount, e.currency if wide else "", signed=True),
            justify="right",
            style="green" if e.amount > 0 else "red",
        ),
        Text(money(e.new_balance, e.currency), justify="right"),
        literal(one_line(e.performed_by, 14)),
        literal(one_line(e.reason, 40, whole_words=True)),
    ]


def event_detail(e: BalanceChangeEvent) -> Text:
    text = Text()
    text.append(f"Event #{e.id}", style="bold")
    text.append(
        f"  {visible(e.customer_id)} · agent {visible(e.agent_id)} · {e.vip_level} · "
        f"{e.created_at:%Y-%m-%d %H:%M:%S} UTC\n"
    )
    text.append(
        f"{e.change_type} {format_cents(decimal_to_cents(e.amount), signed=True)} "
        f"{e.currency}: {_money(e.previous_balance)} → {_money(e.new_balance)} · "
        f"risk {e.risk_score}/100 · by {visible(e.performed_by)}"
    )
    if e.db_user:
        text.append(f" (database user {visible(e.db_user)})")
    text.append(f"\nReason: {visible(e.reason)}")
    if e.metadata:
        text.append(f"\nMetadata: {visible(json.dumps(e.metadata, ensure_ascii=False))}")
    for warning in e.warnings:
        text.append(f"\n⚠ {visible(warning)}", style="yellow")
    if e.reverses_event_id:
        text.append(f"\nReverses event #{e.reverses_event_id}", style="cyan")
    if e.reversed_by_event_id:
        text.append(f"\nReversed by event #{e.reversed_by_event_id}", style="cyan")
    if e.approval_id:
        text.append(f"\nApplies approval request #{e.approval_id} (4 eyes)", style="cyan")
    text.append(f"\nhash {e.hash}\nprev {e.prev_hash}", style="dim")
    return text


class HistoryScreen(ServiceScreen):
    """The audited history, filtered, paged on demand, with a detail pane."""

    CRUMB = "History"
    #: Focused as the screen is shown (see ``CustomersScreen.AUTO_FOCUS``).
    AUTO_FOCUS = "#events"
    BINDINGS = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            tooltip="maya agent:A1 type:wager operator:ann from:2026-01-01 to:2026-01-31",
            id="history.filter",
        ),
        Binding(
            "g",
            "go_to",
            "Go to",
            tooltip="An event number or a day (g g: the newest)",
            id="history.go_to",
        ),
        Binding(
            "r", "reverse", "Reverse", tooltip="Reverse the highlighted event", id="history.reverse"
        ),
        Binding(
            "e", "export", "Export", tooltip="Export what is shown to CSV", id="history.export"
        ),
        Binding("escape", "escape", "Back", show=False, id="history.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = HistoryFilter()
        #: The sums by type of what the filter shows (a filtered History only).
        self.sums_note = ""
        self._typing_timer: Timer | None = None
        self.filter_text = ""
        self.events: dict[int, BalanceChangeEvent] = {}
        self.oldest_id: int | None = None
        self.exhausted = False
        #: Show events from this one down (``g`` to an event or a day); None: the newest.
        self.anchor_id: int | None = None
        #: Once the next page is shown, put the cursor on its last row (End, G: the oldest).
        self.to_last_row = False
        self._page_loading = False
        self.wide = True
        #: New events waiting for the operator to pause (see ``_prepend``).
        self._arrived: list[BalanceChangeEvent] = []
        self._last_key = 0.0
        #: Counts reloads: a page asked for before the latest reload is not shown.
        self.generation = 0
        #: The operator's own filter while a customer's history is visited from elsewhere
        #: (the card's h, Customers, the palette); None: the filter shown is the operator's.
        self.before_visit: tuple[HistoryFilter, str] | None = None

    def on_key(self) -> None:
        self._last_key = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield FilterBox(
            placeholder="/  maya type:wager operator:ann from:2026-01-01 to:2026-01-31",
            id="history-filter",
            results="#events",
        )
        with Horizontal():
            yield BookTable(id="events", go_to=True)
        yield Static(id="event-detail", classes="detail")
        yield StatusLine()
        yield KeyBar()

    @property
    def table(self) -> BookTable:
        return self.query_one("#events", BookTable)

    @property
    def filter_box(self) -> FilterBox:
        return self.query_one("#history-filter", FilterBox)

    def on_resize(self, event: events.Resize) -> None:
        if (event.size.width >= WIDE) != self.wide:
            self.wide = event.size.width >= WIDE
            chosen = self.highlighted()
            table = self.table
            with self.app.batch_update():
                table.lay_out_columns()
                for shown in sorted(self.events.values(), key=lambda e: -e.id):
                    table.add_row(*event_cells(shown, self.wide), key=str(shown.id))
            if chosen is not None:
                table.move_cursor(row=table.get_row_index(str(chosen.id)))

    def on_mount(self) -> None:
        self.wide = self.app.size.width >= WIDE
        self.table.define_columns(COLUMNS, right=NUMBER_COLUMNS)
        # Scrolling (wheel, end, page down) near the bottom loads more, as the cursor does.
        self.watch(self.table, "scroll_y", self._scrolled)
        self.reload()

    def _scrolled(self) -> None:
        table = self.table
        if table.max_scroll_y and table.scroll_y >= table.max_scroll_y - PREFETCH_ROWS:
            self._load_more()

    def _load_more(self) -> None:
        if not self.exhausted and not self._page_loading and self.oldest_id is not None:
            self._page_loading = True
            self._load_page(self.filters, self.oldest_id, self.generation)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self.generation += 1  # a page asked for before this is no longer wanted
        self.events.clear()
        self._arrived = []
        self.oldest_id = None
        self.exhausted = False
        self.table.clear()
        self.query_one("#event-detail", Static).update("")
        before = None if self.anchor_id is None else self.anchor_id + 1
        self._load_page(self.filters, before, self.generation)
        self.sums_note = ""
        if self.filters != HistoryFilter():
            self._load_sums(self.filters)

    @work(thread=True, exclusive=True, group="history-sums", exit_on_error=False)
    def _load_sums(self, filters: HistoryFilter) -> None:
        """What the filter shows, summed by type, for the status line."""
        self.query_in_thread(
            lambda: self.services.audit.sums_by_type(filters),
            lambda sums: self._show_sums(filters, sums),
        )

    def _show_sums(self, filters: HistoryFilter, sums: list[TypeSum]) -> None:
        if filters != self.filters:
            return
        self.sums_note = "Σ " + " · ".join(
            f"{s.change_type} {money(s.total, s.currency, signed=True)} ({s.events:,})"
            for s in sums
        )
        self._show_detail()

    @work(thread=True, exclusive=True, group="history-page", exit_on_error=False)
    def _load_page(self, filters: HistoryFilter, before_id: int | None, generation: int) -> None:
        self._page_loading = True
        self.query_in_thread(
            lambda: self.services.audit.history_page(filters, before_id=before_id, limit=PAGE),
            lambda page: self._append(filters, page, generation),
            failed=self._page_failed,
        )

    def _page_failed(self) -> None:
        """The next move or scroll tries again (a failed load must not stop paging)."""
        self._page_loading = False

    def _append(
        self, filters: HistoryFilter, page: list[BalanceChangeEvent], generation: int
    ) -> None:
        if generation != self.generation or filters != self.filters:
            return  # asked for before a reload (a go-to, a new filter): a page of another list
        self._page_loading = False
        table = self.table
        with self.app.batch_update():
            for event in page:
                if event.id in self.events:
                    continue
                self.events[event.id] = event
                table.add_row(*event_cells(event, self.wide), key=str(event.id))
        if page:
            self.oldest_id = page[-1].id
        self.exhausted = len(page) < PAGE
        if self.to_last_row:
            self.to_last_row = False
            self.exhausted = True  # the page ends with the oldest event there is
            table.move_cursor(row=table.row_count - 1)
        self._show_detail()
        self.show_status(refreshed=self.refreshed_now())

    def show_customer(self, customer_id: str) -> None:
        """Open the history of one customer (from the card, the customers or the palette):
        a visit, which leaving History ends (the operator's own filter comes back)."""
        if self.before_visit is None:
            self.before_visit = (self.filters, self.filter_text)
        self.filter_box.value = f"customer:{customer_id}"
        self.filter_text = self.filter_box.value
        self.filters = HistoryFilter(customer_match=customer_id)
        self.anchor_id = None
        self.reload()
        self.table.focus()

    def on_screen_suspend(self) -> None:
        """Leaving History (not a dialog over it) ends a visit to one customer's history."""
        if self.before_visit is None or self.app.current_mode == "history":
            return
        self.filters, self.filter_text = self.before_visit
        self.before_visit, self.anchor_id = None, None
        self.filter_box.value = self.filter_text
        self.reload()

    @on(DataTable.RowHighlighted, "#events")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        if event.cursor_row >= self.table.row_count - PREFETCH_ROWS:
            self._load_more()

    def highlighted(self) -> BalanceChangeEvent | None:
        key = self.table.highlighted_key()
        return None if key is None else self.events.get(int(key))

    def _show_detail(self) -> None:
        event = self.highlighted()
        detail = self.query_one("#event-detail", Static)
        detail.update(event_detail(event) if event else Text("No events match.", style="dim"))
        self._show_waiting()
        row, rows = self.table.row_position()
        notes = [f"from event #{self.anchor_id:,} (g g: newest)"] if self.anchor_id else []
        if not self.exhausted:
            notes.append("more below")
        if self.sums_note:
            notes.append(self.sums_note)
        self.show_status(
            row=row, rows=rows, filter=self.filter_text, sort="newest first", note=" · ".join(notes)
        )

    def _show_waiting(self) -> None:
        # In the border, not the text: a line more would resize the table and redraw it.
        detail = self.query_one("#event-detail", Static)
        waiting = len(self._arrived)
        detail.border_title = (
            f"▲ {waiting:,} new event{'s' if waiting != 1 else ''} on top when you pause"
            if waiting
            else ""
        )

    def on_data_changed(self, message: DataChanged) -> None:
        """New events appear at the top (when the filter admits them)."""
        if self.anchor_id is not None:
            return  # looking at the past from a chosen event: nothing new goes above it
        if message.full_reload or message.batch is None:
            self.reload()
        elif message.batch.events and self.events:
            if self.filters == HistoryFilter():
                # Unfiltered, the feed's own records are exactly the new rows: no query.
                self._prepend(self.filters, message.batch.events)
            else:
                self._load_newer()

    @work(thread=True, exclusive=True, group="history-newer", exit_on_error=False)
    def _load_newer(self) -> None:
        newest = max([*self.events, *(e.id for e in self._arrived)])
        filters = self.filters

        def newer() -> list[BalanceChangeEvent]:
            """Every event above the newest shown, page by page (a batch of 150 changes is
            three pages, not one)."""
            found: list[BalanceChangeEvent] = []
            before = None
            while True:
                page = self.services.audit.history_page(filters, before_id=before, limit=PAGE)
                found += [e for e in page if e.id > newest]
                if len(page) < PAGE or page[-1].id <= newest:
                    return found
                before = page[-1].id

        self.query_in_thread(newer, lambda events: self._prepend(filters, events))

    def _prepend(self, filters: HistoryFilter, events: list[BalanceChangeEvent]) -> None:
        """New events go on top without redrawing the rows already loaded.

        While the operator is pressing keys they wait (the header of the detail pane says
        how many), so another terminal's writes never slow a key down; they are put in as
        soon as the keys pause for ``SETTLE_SECONDS``."""
        if filters != self.filters:
            return
        known = {e.id for e in self._arrived}
        self._arrived += [e for e in events if e.id not in self.events and e.id not in known]
        if self._arrived:
            self._insert_when_idle()

    def _insert_when_idle(self) -> None:
        quiet_for = time.monotonic() - self._last_key
        if quiet_for < SETTLE_SECONDS:
            self.set_timer(SETTLE_SECONDS - quiet_for + 0.01, self._insert_when_idle)
            self._show_waiting()
            return
        fresh, self._arrived = self._arrived, []
        if not fresh:
            return
        self._insert(fresh)

    def _insert(self, fresh: list[BalanceChangeEvent]) -> None:
        """Append the rows, then sort the row *order* (cells are not rebuilt), and put the
        cursor back on the event it was on."""
        table = self.table
        cursor = self.highlighted()
        with self.app.batch_update():
            for event in fresh:
                self.events[event.id] = event
                table.add_row(*event_cells(event, self.wide), key=str(event.id))
            table.sort("id", key=_newest_first)
        if cursor is not None:
            table.move_cursor(row=table.get_row_index(str(cursor.id)), scroll=False)
        self._show_detail()

    # ------------------------------------------------------------------ filter

    @on(FilterBox.Submitted, "#history-filter")
    def _filter(self, event: FilterBox.Submitted) -> None:
        if self._typing_timer is not None:
            self._typing_timer.stop()  # enter decides now
        try:
            filters = parse_filter(event.value)
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.filter_box.focus()  # back from the table enter moved to: to correct it
            return
        self.filter_box.remember(event.value)
        self.before_visit = None  # a filter the operator gave: theirs to keep
        self._apply_filter(filters, event.value.strip())

    def _apply_filter(self, filters: HistoryFilter, text: str) -> None:
        """Check the filter with the database (an unknown customer is said, not shown as
        an empty table), then show it."""
        self._check_filter(filters, text)

    @work(thread=True, exclusive=True, group="history-filter", exit_on_error=False)
    def _check_filter(self, filters: HistoryFilter, text: str) -> None:
        def accepted(_: object) -> None:
            self._show_filter(filters, text)
            self.table.focus()

        self.query_in_thread(lambda: self.services.audit.history_page(filters, limit=1), accepted)

    def _show_filter(self, filters: HistoryFilter, text: str) -> None:
        if (filters, text) != (self.filters, self.filter_text) or self.anchor_id is not None:
            self.filters, self.filter_text, self.anchor_id = filters, text, None
            self.reload()

    @on(FilterBox.Changed, "#history-filter")
    def _filter_typed(self, event: FilterBox.Changed) -> None:
        """As on Customers, the rows follow the typing (after a pause); what does not read
        yet, or finds no customer, waits for enter to be named."""
        if self._typing_timer is not None:
            self._typing_timer.stop()
        text = event.value
        self._typing_timer = self.set_timer(TYPING_PAUSE, lambda: self._try_filter(text))

    def _try_filter(self, text: str) -> None:
        if text != self.filter_box.value:
            return  # typed on since
        try:
            filters = parse_filter(text)
        except BalanceError:
            return
        self._quiet_filter(filters, text.strip())

    # A group of its own: a filter checked as typed must never cancel the one enter checks.
    @work(thread=True, exclusive=True, group="history-typed", exit_on_error=False)
    def _quiet_filter(self, filters: HistoryFilter, text: str) -> None:
        try:
            with thread_session(self.services.db):
                self.services.audit.history_page(filters, limit=1)
        except BalanceError:
            return  # "no such customer" while typing: said on enter
        self.app.call_from_thread(self._show_typed, filters, text)

    def _show_typed(self, filters: HistoryFilter, text: str) -> None:
        """Only a filter that changed: the box set by the screen itself (a go-to clearing
        the filter, a customer shown from elsewhere) must not move the view."""
        if text == self.filter_box.value.strip() and (filters, text) != (
            self.filters,
            self.filter_text,
        ):
            self.before_visit = None  # a filter the operator typed: theirs to keep
            self._show_filter(filters, text)

    @on(FilterBox.Cleared, "#history-filter")
    def _filter_cleared(self) -> None:
        self._clear_filter()

    def _clear_filter(self) -> None:
        self.before_visit = None
        self.filter_box.value = ""
        if self.filters != HistoryFilter() or self.anchor_id is not None:
            self.filters, self.filter_text, self.anchor_id = HistoryFilter(), "", None
            self.reload()
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.balance_app.focus_typing(self, self.filter_box)

    async def action_escape(self) -> None:
        """Back to where the operator came from; with nowhere to go back, clear the filter."""
        if not await self.go_back():
            self._clear_filter()

    # ------------------------------------------------------------------ go to

    @on(BookTable.GoTo, "#events")
    def _go_to_asked(self) -> None:
        self.action_go_to()

    def action_go_to(self) -> None:
        self.app.push_screen(GoToDialog(), self._went)

    def _went(self, place: GoToPlace | None) -> None:
        if place is None:
            return
        if place.kind == "newest":
            if self.anchor_id is not None:
                self.anchor_id = None
                self.reload()
            else:
                self.table.action_first_row()
        elif place.kind == "oldest":
            self._go_to_oldest()
        elif place.kind == "event" and place.event_id is not None:
            self._go_to_event(place.event_id)
        else:
            self._go_to_day(place)

    @work(thread=True, exclusive=True, group="history-go-to", exit_on_error=False)
    def _go_to_event(self, event_id: int) -> None:
        """Go to an event the filter shows; for one it hides, offer to clear the filter
        (landing on the event before it would put the cursor on another event)."""
        filters = self.filters

        def located(shown: bool) -> None:
            if shown:
                self.anchor_id = event_id
                self.reload()
                return
            question = (
                f"Event #{event_id} is not in this filter ({self.filter_text}). "
                "Clear the filter and go to it?"
            )
            self.app.push_screen(
                NoteDialog(question, placeholder="enter: clear the filter · escape: stay here"),
                lambda answer: None if answer is None else self._go_unfiltered(event_id),
            )

        self.query_in_thread(lambda: self.services.audit.in_filter(filters, event_id), located)

    def _go_unfiltered(self, event_id: int) -> None:
        self.filter_box.value = ""
        self.filters, self.filter_text, self.anchor_id = HistoryFilter(), "", event_id
        self.reload()
        self.table.focus()

    @on(BookTable.Jumped, "#events")
    def _jumped(self, event: BookTable.Jumped) -> None:
        if event.to_end and not self.exhausted:  # End/G: the oldest of the filter, not of the page
            self._go_to_oldest()

    @work(thread=True, exclusive=True, group="history-go-to", exit_on_error=False)
    def _go_to_oldest(self) -> None:
        def found(start: int | None) -> None:
            if start is None:
                return
            self.anchor_id, self.to_last_row = start, True
            self.reload()

        filters = self.filters
        self.query_in_thread(
            lambda: self.services.audit.last_page_start(filters, limit=PAGE), found
        )

    @work(thread=True, exclusive=True, group="history-go-to", exit_on_error=False)
    def _go_to_day(self, place: GoToPlace) -> None:
        """The newest event (of those the filter shows) on or before the end of that day."""
        assert place.day_end is not None
        up_to = dataclasses.replace(self.filters, until=place.day_end)

        def found(page: list[BalanceChangeEvent]) -> None:
            if not page:
                self.notify(f"No events on or before {place.text}.", severity="warning")
                return
            self.anchor_id = page[0].id
            self.reload()

        self.query_in_thread(lambda: self.services.audit.history_page(up_to, limit=1), found)

    # ------------------------------------------------------------------ actions

    def action_reverse(self) -> None:
        event = self.highlighted()
        if event is None:
            return
        if event.change_type == "reversal":
            self.notify(
                f"Event #{event.id} is a reversal itself and is not reversed in turn: to "
                "bring the change back, post it again from the customer (a).",
                severity="warning",
                markup=False,
            )
            return
        if event.reversed_by_event_id:
            self.notify(
                f"Event #{event.id} was already reversed by #{event.reversed_by_event_id}.",
                severity="warning",
            )
            return
        question = Text(
            f"Reverse event #{event.id}: {event.change_type} "
            f"{format_cents(decimal_to_cents(event.amount), signed=True)} for "
            f"{visible(event.customer_id)}?"
        )

        def reversed_(result: BalanceUpdateResult | None) -> None:
            if result is None:
                return
            self.balance_app.announce_result(result, f"Event #{event.id} reversed")
            if result.success:
                self._refresh_event(event.id)

        self.app.push_screen(ReverseDialog(question, event.id), reversed_)

    @work(thread=True, group="history-refresh", exit_on_error=False)
    def _refresh_event(self, event_id: int) -> None:
        self.query_in_thread(lambda: self.services.audit.get_event(event_id), self._replace)

    def _replace(self, event: BalanceChangeEvent) -> None:
        if event.id in self.events:
            self.events[event.id] = event
            for (column, _), cell in zip(COLUMNS, event_cells(event, self.wide), strict=True):
                self.table.update_cell(str(event.id), column, cell)
            self._show_detail()
        self._load_newer()

    def action_export(self) -> None:
        self.balance_app.export_history(self.filters)
