"""History: every change, newest first, loaded a page at a time as the operator scrolls."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Static

from balance_tui.domain.changes import CHANGE_TYPES
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.records import BalanceChangeEvent, BalanceUpdateResult
from balance_tui.services.audit import HistoryFilter
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.safe_text import literal, one_line, visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.dialogs import ReasonDialog
from balance_tui.tui.widgets.banner import AlertBanner

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
FILTER_KEYS = ("customer", "agent", "type", "operator", "from", "to")


def parse_filter(text: str) -> HistoryFilter:
    """``customer:C1 type:wager from:2026-01-01`` → a HistoryFilter; a bare word is a customer."""
    values: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition(":")
        if not sep:
            key, value = "customer", token
        key = key.lower()
        if key not in FILTER_KEYS or not value:
            raise BalanceError(
                f"Unknown filter {token!r}; use {', '.join(k + ':' for k in FILTER_KEYS)}."
            )
        values[key] = value
    if "type" in values and values["type"] not in CHANGE_TYPES:
        raise BalanceError(
            f"Unknown type {values['type']!r}; use one of {', '.join(CHANGE_TYPES)}."
        )
    return HistoryFilter(
        customer_id=values.get("customer"),
        agent_id=values.get("agent"),
        change_type=values.get("type"),
        performed_by=values.get("operator"),
        since=_day(values.get("from"), "from"),
        until=_day(values.get("to"), "to"),
    )


def _day(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise BalanceError(f"{what}:{text} is not a date like 2026-01-31.") from None


def _money(value) -> str:  # type: ignore[no-untyped-def]
    return format_cents(decimal_to_cents(value))


def _newest_first(id_cell: Text) -> int:
    """Sort key of the Event column ("#123"): newest (highest id) first."""
    return -int(id_cell.plain.lstrip("#"))


def event_cells(e: BalanceChangeEvent) -> list[Text]:
    kind = e.change_type + (" ↺" if e.reversed_by_event_id else "")
    return [
        Text(f"#{e.id}", justify="right"),
        Text(f"{e.created_at:%Y-%m-%d %H:%M}"),
        literal(e.customer_id),
        Text(kind, style="dim" if e.reversed_by_event_id else ""),
        Text(
            format_cents(decimal_to_cents(e.amount), signed=True),
            justify="right",
            style="green" if e.amount > 0 else "red",
        ),
        Text(_money(e.new_balance), justify="right"),
        literal(one_line(e.performed_by, 14)),
        literal(one_line(e.reason, 40)),
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
    text.append(f"\nhash {e.hash}\nprev {e.prev_hash}", style="dim")
    return text


class HistoryScreen(ServiceScreen):
    """The audited history, filtered, paged on demand, with a detail pane."""

    BINDINGS = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            tooltip="customer:C1 agent:A1 type:wager operator:ann from:2026-01-01 to:2026-02-01",
            id="history.filter",
        ),
        Binding(
            "r", "reverse", "Reverse", tooltip="Reverse the highlighted event", id="history.reverse"
        ),
        Binding(
            "e", "export", "Export", tooltip="Export what is shown to CSV", id="history.export"
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="history.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = HistoryFilter()
        self.events: dict[int, BalanceChangeEvent] = {}
        self.oldest_id: int | None = None
        self.exhausted = False
        self._page_loading = False
        #: New events waiting for the operator to pause (see ``_prepend``).
        self._arrived: list[BalanceChangeEvent] = []
        self._last_key = 0.0

    def on_key(self) -> None:
        self._last_key = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield Input(
            placeholder="/  customer:C1 agent:A1 type:wager operator:ann from:2026-01-01",
            id="history-filter",
            classes="filter-bar",
            compact=True,
        )
        with Horizontal():
            table: DataTable[Text] = DataTable(id="events", cursor_type="row", zebra_stripes=True)
            for key, label in COLUMNS:
                table.add_column(label, key=key)
            yield table
        yield Static(id="event-detail", classes="detail")
        yield Footer(compact=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#events", DataTable)

    def on_mount(self) -> None:
        self.table.focus()
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
            self._load_page(self.filters, self.oldest_id, replace=False)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self.events.clear()
        self._arrived = []
        self.oldest_id = None
        self.exhausted = False
        self.table.clear()
        self.query_one("#event-detail", Static).update("")
        self._load_page(self.filters, None, replace=True)

    @work(thread=True, exclusive=True, group="history-page", exit_on_error=False)
    def _load_page(self, filters: HistoryFilter, before_id: int | None, replace: bool) -> None:
        self._page_loading = True
        self.query_in_thread(
            lambda: self.services.audit.history_page(filters, before_id=before_id, limit=PAGE),
            lambda page: self._append(filters, page),
            failed=self._page_failed,
        )

    def _page_failed(self) -> None:
        """The next move or scroll tries again (a failed load must not stop paging)."""
        self._page_loading = False

    def _append(self, filters: HistoryFilter, page: list[BalanceChangeEvent]) -> None:
        self._page_loading = False
        if filters != self.filters:
            return  # an older request finished after the filter changed
        table = self.table
        with self.app.batch_update():
            for event in page:
                if event.id in self.events:
                    continue
                self.events[event.id] = event
                table.add_row(*event_cells(event), key=str(event.id))
        if page:
            self.oldest_id = page[-1].id
        self.exhausted = len(page) < PAGE
        self._show_detail()

    def show_customer(self, customer_id: str) -> None:
        """Open the history of one customer (from the customers screen or the palette)."""
        box = self.query_one("#history-filter", Input)
        box.value = f"customer:{customer_id}"
        self.filters = HistoryFilter(customer_id=customer_id)
        self.reload()
        self.table.focus()

    @on(DataTable.RowHighlighted, "#events")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        if event.cursor_row >= self.table.row_count - PREFETCH_ROWS:
            self._load_more()

    def highlighted(self) -> BalanceChangeEvent | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.events.get(int(str(key.value)))

    def _show_detail(self) -> None:
        event = self.highlighted()
        detail = self.query_one("#event-detail", Static)
        detail.update(event_detail(event) if event else Text("No events match.", style="dim"))
        self._show_waiting()

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
                table.add_row(*event_cells(event), key=str(event.id))
            table.sort("id", key=_newest_first)
        if cursor is not None:
            table.move_cursor(row=table.get_row_index(str(cursor.id)), scroll=False)
        self._show_detail()

    # ------------------------------------------------------------------ filter

    @on(Input.Submitted, "#history-filter")
    def _filter(self, event: Input.Submitted) -> None:
        try:
            self.filters = parse_filter(event.value)
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#history-filter", Input)
        if box.value or self.filters != HistoryFilter():
            box.value = ""
            self.filters = HistoryFilter()
            self.reload()
        self.table.focus()

    # ------------------------------------------------------------------ actions

    def action_reverse(self) -> None:
        event = self.highlighted()
        if event is None:
            return
        if event.change_type == "reversal":
            self.notify(f"Event #{event.id} is a reversal itself.", severity="warning")
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

        def reverse_with(reason: str | None) -> None:
            if reason is not None:
                self._reverse(event.id, reason)

        self.app.push_screen(ReasonDialog(question), reverse_with)

    @work(thread=True, group="history-reverse", exit_on_error=False)
    def _reverse(self, event_id: int, reason: str) -> None:
        self.query_in_thread(
            lambda: self.services.manager.reverse_event(event_id, self.services.operator, reason),
            lambda result: self._reversed(event_id, result),
        )

    def _reversed(self, event_id: int, result: BalanceUpdateResult) -> None:
        if not result.success:
            self.notify(
                "Reversal rejected: " + " ".join(result.validation.errors),
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        assert result.event is not None
        self.notify(
            f"Event #{event_id} reversed by #{result.event.id}; balance now "
            f"{_money(result.new_balance)}",
            markup=False,
        )
        self._refresh_event(event_id)

    @work(thread=True, group="history-refresh", exit_on_error=False)
    def _refresh_event(self, event_id: int) -> None:
        self.query_in_thread(lambda: self.services.audit.get_event(event_id), self._replace)

    def _replace(self, event: BalanceChangeEvent) -> None:
        if event.id in self.events:
            self.events[event.id] = event
            for (column, _), cell in zip(COLUMNS, event_cells(event), strict=True):
                self.table.update_cell(str(event.id), column, cell)
            self._show_detail()
        self._load_newer()

    def action_export(self) -> None:
        self.balance_app.export_history(self.filters)
