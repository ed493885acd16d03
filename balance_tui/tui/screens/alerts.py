"""Alerts: active ones newest first; mark several, acknowledge with a note, undo briefly.

An acknowledgement is written when its undo window closes (``app.undo_seconds``), not at once:
the book keeps its promise that an acknowledgement is never edited or removed, and the
operator still gets a moment to take back a wrong key. Leaving the app writes what waits.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Header, Static

from balance_tui.domain.alerts import ALERT_TYPES, SEVERITY
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.filters import parse_filter, shown_name
from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line, visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.dialogs import NoteDialog
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.filter_box import TYPING_PAUSE, FilterBox
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine
from balance_tui.tui.widgets.table import BookTable

LIMIT = 1_000
FILTER_KEYS = ("customer", "type")
COLUMNS = (
    ("mark", " "),
    ("id", "Alert"),
    ("time", "Raised (UTC)"),
    ("customer", "Customer"),
    ("type", "Type"),
    ("balance", "Balance"),
    ("attempted", "Attempted"),
    ("state", "State"),
    ("message", "Message"),
)
NUMBER_COLUMNS = ("id", "balance", "attempted")
#: Below these widths the table keeps what fits whole (the detail pane shows the rest):
#: the message from 160 columns, the attempted amount and state from 120.
WIDEST, WIDE = 160, 120
NARROW_COLUMNS = ("mark", "id", "time", "customer", "type", "balance")


def column_keys(width: int) -> tuple[str, ...]:
    every = tuple(k for k, _ in COLUMNS)
    if width >= WIDEST:
        return every
    return every[:-1] if width >= WIDE else NARROW_COLUMNS


def severity_text(alert_type: str) -> Text:
    """The type as shown: errors loud in bold reverse video, so they stay the most visible
    thing on screen without colour (NO_COLOR) too; warnings bold."""
    name = shown_name(alert_type)
    if SEVERITY.get(alert_type) == "error":
        return Text(f"‼ {name}", style="bold reverse red")
    return Text(f"! {name}", style="bold yellow")


def alert_cells(
    a: BalanceThresholdAlert,
    *,
    marked: bool = False,
    pending: bool = False,
    keys: tuple[str, ...] = (),
) -> list[Text]:
    """The cells of ``keys`` (every column when empty), in that order."""
    cells = _cells(a, marked, pending, short_time=bool(keys) and "message" not in keys)
    return [cells[k] for k in keys or cells]


def _cells(
    a: BalanceThresholdAlert, marked: bool, pending: bool, short_time: bool
) -> dict[str, Text]:
    if pending:
        state = Text("acking… u undo", style="bold italic")
    elif a.acknowledged_at is None:
        state = Text("open", style="bold")
    else:
        state = literal(
            f"ack {one_line(a.acknowledged_by or '', 12)} {a.acknowledged_at:%m-%d %H:%M}",
            style="dim",
        )
    return {
        "mark": Text("●" if marked else " ", style="bold"),
        "id": Text(f"#{a.id}", justify="right"),
        "time": Text(
            f"{a.created_at:%m-%d %H:%M}" if short_time else f"{a.created_at:%Y-%m-%d %H:%M}"
        ),
        "customer": literal(a.customer_id),
        "type": severity_text(a.alert_type),
        "balance": Text(money(a.balance), justify="right"),
        "attempted": Text(
            "" if a.attempted_amount is None else money(a.attempted_amount, signed=True),
            justify="right",
        ),
        "state": state,
        "message": literal(one_line(a.message, 48, whole_words=True)),
    }


def alert_detail(a: BalanceThresholdAlert) -> Text:
    text = Text()
    text.append(f"Alert #{a.id} ", style="bold")
    text.append_text(severity_text(a.alert_type))
    text.append(f"  {visible(a.customer_id)} · raised {a.created_at:%Y-%m-%d %H:%M:%S} UTC")
    text.append(f"\n{visible(a.message)}")
    text.append(f"\nBalance {money(a.balance)}")
    if a.threshold is not None:
        text.append(f" · threshold {money(a.threshold)}")
    if a.attempted_amount is not None:
        text.append(f" · attempted {money(a.attempted_amount, signed=True)}")
        if a.attempted_by:
            text.append(f" by {visible(a.attempted_by)}")
    if a.event_id:
        text.append(f" · event #{a.event_id}")
    if a.acknowledged_at is not None:
        text.append(
            f"\nAcknowledged by {visible(a.acknowledged_by or '?')} at "
            f"{a.acknowledged_at:%Y-%m-%d %H:%M:%S} UTC",
            style="dim",
        )
        if a.acknowledgement_note:
            text.append(f": {visible(a.acknowledgement_note)}", style="dim")
    return text


class AlertsScreen(ServiceScreen):
    """Active alerts to acknowledge; a toggle shows the acknowledged ones with who and when."""

    CRUMB = "Alerts"
    #: Focused as the screen is shown (see ``CustomersScreen.AUTO_FOCUS``).
    AUTO_FOCUS = "#alerts"
    BINDINGS = [
        Binding(
            "space",
            "mark",
            "Mark",
            tooltip="Mark or unmark the highlighted alert, and move down to the next",
            id="alerts.mark",
        ),
        Binding(
            "a",
            "acknowledge",
            "Ack",
            tooltip="Acknowledge the marked alerts (or the highlighted one; enter too)",
            id="alerts.acknowledge",
        ),
        Binding(
            "A",
            "acknowledge_all",
            "Ack all",
            tooltip="Acknowledge every alert shown (asks first)",
            id="alerts.acknowledge_all",
        ),
        Binding("u", "undo", "Undo", tooltip="Take back the acknowledgement", id="alerts.undo"),
        Binding(
            "t",
            "toggle_acknowledged",
            "Acked",
            tooltip="Show or hide acknowledged alerts",
            id="alerts.toggle",
        ),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            tooltip="maya type:critical (part of a customer's id or name)",
            id="alerts.filter",
        ),
        Binding("escape", "escape", "Back", show=False, id="alerts.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_acknowledged = False
        self.customer: str | None = None
        self.alert_type: str | None = None
        self.filter_text = ""
        self._typing_timer: Timer | None = None
        self.alerts: dict[int, BalanceThresholdAlert] = {}
        self.total = 0
        self.marked: set[int] = set()
        self.keys: tuple[str, ...] = ()
        #: Acknowledgements waiting for their undo window to close: ids and the note.
        self.pending: tuple[list[int], str] | None = None
        self._pending_timer: Timer | None = None
        self._ticker: Timer | None = None
        self._pending_until = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield FilterBox(
            placeholder="/  part of a customer id or name · type:critical (↑ recent filters)",
            id="alert-filter",
            results="#alerts",
        )
        yield BookTable(id="alerts")
        yield Static(id="alert-detail", classes="detail")
        yield StatusLine()
        yield KeyBar()

    @property
    def table(self) -> BookTable:
        return self.query_one("#alerts", BookTable)

    @property
    def filter_box(self) -> FilterBox:
        return self.query_one("#alert-filter", FilterBox)

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        self.balance_app.before_quit.append(self.write_pending)
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        if column_keys(event.size.width) != self.keys:
            self._fit(event.size.width)
            self.fill((list(self.alerts.values()), self.total))

    def _fit(self, width: int) -> None:
        self.keys = column_keys(width)
        self.table.define_columns(
            [(k, label) for k, label in COLUMNS if k in self.keys], right=NUMBER_COLUMNS
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self.pending is not None
        return super().check_action(action, parameters)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="alerts-load", exit_on_error=False)
    def load(self) -> None:
        customer, kind, everything = self.customer, self.alert_type, self.show_acknowledged
        self.query_in_thread(
            lambda: self.services.notifications.alerts_page(
                customer_match=customer,
                alert_type=kind,
                include_acknowledged=everything,
                limit=LIMIT,
            ),
            self.fill,
        )

    def fill(self, page: tuple[list[BalanceThresholdAlert], int]) -> None:
        """Show the alerts; the highlight stays on the same *alert* (not the same row
        number), so a refresh never puts another alert under the operator's key."""
        alerts, self.total = page
        table = self.table
        cursor = table.cursor_row
        chosen = self.highlighted()
        self.alerts = {a.id: a for a in alerts}
        self.marked &= set(self.alerts)
        with self.app.batch_update():
            table.clear()
            for alert in alerts:
                table.add_row(*self._cells(alert), key=str(alert.id))
        if alerts:
            if chosen is not None and chosen.id in self.alerts:
                table.move_cursor(row=table.get_row_index(str(chosen.id)), scroll=False)
            else:  # it left the list (acknowledged): stay at the same height
                table.move_cursor(row=min(cursor, len(alerts) - 1))
        self._show_detail()
        self.show_status(refreshed=self.refreshed_now())

    def _cells(self, alert: BalanceThresholdAlert) -> list[Text]:
        pending = self.pending is not None and alert.id in self.pending[0]
        return alert_cells(alert, marked=alert.id in self.marked, pending=pending, keys=self.keys)

    def _redraw(self, alert_id: int) -> None:
        alert = self.alerts.get(alert_id)
        if alert is not None:
            for column, cell in zip(self.keys, self._cells(alert), strict=True):
                self.table.update_cell(str(alert_id), column, cell, update_width=True)

    def on_data_changed(self, message: DataChanged) -> None:
        self.load()

    def highlighted(self) -> BalanceThresholdAlert | None:
        key = self.table.highlighted_key()
        return None if key is None else self.alerts.get(int(key))

    @on(DataTable.RowHighlighted, "#alerts")
    def _show_detail(self) -> None:
        alert = self.highlighted()
        detail = self.query_one("#alert-detail", Static)
        detail.update(alert_detail(alert) if alert else Text("No alerts match.", style="dim"))
        row, rows = self.table.row_position()
        notes = []
        if self.total > len(self.alerts):
            notes.append(f"{len(self.alerts):,} of {self.total:,} shown")
        if self.marked:
            notes.append(f"{len(self.marked):,} marked")
        if self.pending is not None:
            left = max(0, math.ceil(self._pending_until - time.monotonic()))
            notes.append(f"acknowledging {_alerts_named(self.pending[0])} in {left} s: u undoes")
        self.show_status(
            row=row,
            rows=rows,
            filter=self.filter_text,
            sort="newest first",
            note=" · ".join(notes),
        )

    # ------------------------------------------------------------------ marking

    def action_mark(self) -> None:
        alert = self.highlighted()
        if alert is None:
            return
        self.marked ^= {alert.id}
        self._redraw(alert.id)
        self.table.action_cursor_down()
        self._show_detail()

    # ------------------------------------------------------------------ acknowledging

    @on(DataTable.RowSelected, "#alerts")
    def _selected(self) -> None:
        self.action_acknowledge()

    def action_acknowledge(self) -> None:
        if self.marked:
            chosen = [self.alerts[i] for i in sorted(self.marked, reverse=True)]
        else:
            alert = self.highlighted()
            if alert is None:
                return
            chosen = [alert]
        open_ids = [a.id for a in chosen if a.acknowledged_at is None]
        if not open_ids:
            first = chosen[0]
            self.notify(
                f"Alert #{first.id} was acknowledged by {visible(first.acknowledged_by)}.",
                markup=False,
            )
            return
        self._ask_note(open_ids)

    def action_acknowledge_all(self) -> None:
        open_ids = [a.id for a in self.alerts.values() if a.acknowledged_at is None]
        if not open_ids:
            self.notify("No active alerts are shown.")
            return
        self._ask_note(open_ids, every=True)

    def _ask_note(self, ids: list[int], every: bool = False) -> None:
        count = f"all {len(ids):,} active alerts shown" if every else _alerts_named(ids)
        question = f"Acknowledge {count} as {visible(self.services.operator)}?"

        def answered(note: str | None) -> None:
            if note is not None:
                self._hold(ids, note)

        self.app.push_screen(NoteDialog(question), answered)

    def _hold(self, ids: list[int], note: str) -> None:
        """Show them as being acknowledged; write when the undo window closes."""
        self.write_pending()  # one window at a time: an earlier one is written now
        self.pending = (ids, note)
        self.marked -= set(ids)
        for alert_id in ids:
            self._redraw(alert_id)
        window = self.balance_app.undo_seconds
        self._pending_timer = self.set_timer(window, self.write_pending)
        # The countdown is on the status line, a second at a time (a toast cannot count).
        self._pending_until = time.monotonic() + window
        self._ticker = self.set_interval(1.0, self._show_detail)
        self.refresh_bindings()
        self._show_detail()

    def action_undo(self) -> None:
        if self.pending is None:
            return
        ids, _ = self.pending
        self._drop_pending()
        for alert_id in ids:
            self._redraw(alert_id)
        self._show_detail()
        self.notify(f"Not acknowledged: {_alerts_named(ids)}", markup=False)

    def _drop_pending(self) -> None:
        for timer in (self._pending_timer, self._ticker):
            if timer is not None:
                timer.stop()
        self._pending_timer = self._ticker = None
        self.pending = None
        self.refresh_bindings()

    def write_pending(self) -> None:
        """Write the acknowledgements waiting (the window closed, or the app is leaving)."""
        if self.pending is None:
            return
        ids, note = self.pending
        self._drop_pending()
        self._acknowledge(ids, note)

    @work(thread=True, group="alerts-ack", exit_on_error=False)
    def _acknowledge(self, ids: list[int], note: str) -> None:
        self.query_in_thread(
            lambda: self.services.notifications.acknowledge_alerts_reporting(
                ids, self.services.operator, note=note or None
            ),
            self._acknowledged,
        )

    def _acknowledged(self, outcome: tuple[list[BalanceThresholdAlert], set[int]]) -> None:
        alerts, newly = outcome
        said = f"Acknowledged {len(newly):,} alert{'s' if len(newly) != 1 else ''}"
        others = len(alerts) - len(newly)
        if others:
            said += f"; {others:,} had already been acknowledged by someone else"
        self.notify(said, markup=False)
        self.load()

    def action_toggle_acknowledged(self) -> None:
        self.show_acknowledged = not self.show_acknowledged
        self.load()

    # ------------------------------------------------------------------ filter

    def action_focus_filter(self) -> None:
        self.balance_app.focus_typing(self, self.filter_box)

    @on(FilterBox.Submitted, "#alert-filter")
    def _filter(self, event: FilterBox.Submitted) -> None:
        if self._typing_timer is not None:
            self._typing_timer.stop()  # enter decides now
        try:
            query = parse_filter(event.value, keys=FILTER_KEYS, types=ALERT_TYPES)
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.filter_box.focus()  # back from the table enter moved to: to correct it
            return
        self.filter_box.remember(event.value)
        self.customer, self.alert_type = query.customer, query.type
        self.filter_text = event.value.strip()
        self.load()
        self.table.focus()

    @on(FilterBox.Changed, "#alert-filter")
    def _filter_typed(self, event: FilterBox.Changed) -> None:
        """The rows follow the typing after a pause; what does not read yet waits for
        enter to be named."""
        if self._typing_timer is not None:
            self._typing_timer.stop()
        text = event.value
        self._typing_timer = self.set_timer(TYPING_PAUSE, lambda: self._try_filter(text))

    def _try_filter(self, text: str) -> None:
        if text != self.filter_box.value:
            return  # typed on since
        try:
            query = parse_filter(text, keys=FILTER_KEYS, types=ALERT_TYPES)
        except BalanceError:
            return
        if (query.customer, query.type) != (self.customer, self.alert_type):
            self.customer, self.alert_type = query.customer, query.type
            self.filter_text = text.strip()
            self.load()

    @on(FilterBox.Cleared, "#alert-filter")
    def _filter_cleared(self) -> None:
        self._clear_filter()

    def _clear_filter(self) -> None:
        self.filter_box.value = ""
        if self.customer or self.alert_type:
            self.customer = self.alert_type = None
            self.filter_text = ""
            self.load()
        self.table.focus()

    async def action_escape(self) -> None:
        if self.marked:
            for alert_id in list(self.marked):
                self.marked.discard(alert_id)
                self._redraw(alert_id)
            self._show_detail()
        elif not await self.go_back():
            self._clear_filter()


#: How many alert numbers a question or a status names before it says "and N more".
NAMED = 6


def _alerts_named(ids: list[int]) -> str:
    """ "alert #7", "alerts #9 and #7", "8 alerts: #9, #8, … and 2 more": the numbers are
    what the operator checks before saying yes."""
    numbers = [f"#{i}" for i in ids[:NAMED]]
    if len(ids) == 1:
        return f"alert {numbers[0]}"
    if len(ids) == 2:
        return f"alerts {numbers[0]} and {numbers[1]}"
    more = f" and {len(ids) - NAMED:,} more" if len(ids) > NAMED else ""
    return f"{len(ids):,} alerts: {', '.join(numbers)}{more}"
