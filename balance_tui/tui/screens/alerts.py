"""Alerts: active ones newest first; acknowledge one or all shown; show acknowledged too."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input

from balance_tui.domain.alerts import ALERT_TYPES, SEVERITY
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.safe_text import literal, one_line, visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.dialogs import ConfirmDialog
from balance_tui.tui.widgets.banner import AlertBanner

LIMIT = 1_000
COLUMNS = (
    ("id", "Alert"),
    ("time", "Raised (UTC)"),
    ("customer", "Customer"),
    ("type", "Type"),
    ("amount", "Amount"),
    ("state", "State"),
    ("message", "Message"),
)


def parse_alert_filter(text: str) -> tuple[str | None, str | None]:
    """``type:warning customer:C1`` (a bare word is a customer) → (customer, type)."""
    customer = kind = None
    for token in text.split():
        key, sep, value = token.partition(":")
        if not sep:
            customer = token
        elif key == "customer" and value:
            customer = value
        elif key == "type" and value in ALERT_TYPES:
            kind = value
        else:
            raise BalanceError(
                f"Unknown filter {token!r}; use customer:ID or type:{'|'.join(ALERT_TYPES)}."
            )
    return customer, kind


def alert_cells(a: BalanceThresholdAlert) -> list[Text]:
    style = "bold red" if SEVERITY.get(a.alert_type) == "error" else "yellow"
    amount = a.attempted_amount if a.attempted_amount is not None else a.balance
    state = (
        Text("open", style="bold")
        if a.acknowledged_at is None
        else literal(
            f"ack {one_line(a.acknowledged_by or '', 12)} {a.acknowledged_at:%m-%d %H:%M}",
            style="dim",
        )
    )
    return [
        Text(f"#{a.id}", justify="right"),
        Text(f"{a.created_at:%Y-%m-%d %H:%M}"),
        literal(a.customer_id),
        Text(a.alert_type.replace("_", " "), style=style),
        Text(format_cents(decimal_to_cents(amount)), justify="right"),
        state,
        literal(one_line(a.message, 60)),
    ]


class AlertsScreen(ServiceScreen):
    """Active alerts to acknowledge; a toggle shows the acknowledged ones with who and when."""

    BINDINGS = [
        Binding(
            "enter,space",
            "acknowledge",
            "Acknowledge",
            tooltip="Acknowledge the highlighted alert",
            id="alerts.acknowledge",
        ),
        Binding(
            "A",
            "acknowledge_all",
            "Ack all shown",
            tooltip="Acknowledge every alert shown (asks first)",
            id="alerts.acknowledge_all",
        ),
        Binding(
            "t",
            "toggle_acknowledged",
            "Show acked",
            tooltip="Show or hide acknowledged alerts",
            id="alerts.toggle",
        ),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            tooltip="type:warning customer:C1",
            id="alerts.filter",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_acknowledged = False
        self.customer: str | None = None
        self.alert_type: str | None = None
        self.alerts: dict[int, BalanceThresholdAlert] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield Input(
            placeholder="/  type:warning customer:C1",
            id="alert-filter",
            classes="filter-bar",
            compact=True,
        )
        table: DataTable[Text] = DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Footer(compact=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#alerts", DataTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="alerts-load", exit_on_error=False)
    def load(self) -> None:
        customer, kind, everything = self.customer, self.alert_type, self.show_acknowledged
        self.query_in_thread(
            lambda: self.services.notifications.list_alerts(
                customer_id=customer, alert_type=kind, include_acknowledged=everything, limit=LIMIT
            ),
            self.fill,
        )

    def fill(self, alerts: list[BalanceThresholdAlert]) -> None:
        """Show the alerts; the highlight stays on the same *alert* (not the same row
        number), so a refresh never puts another alert under the operator's key."""
        table = self.table
        cursor = table.cursor_row
        chosen = self.highlighted()
        self.alerts = {a.id: a for a in alerts}
        with self.app.batch_update():
            table.clear()
            for alert in alerts:
                table.add_row(*alert_cells(alert), key=str(alert.id))
        if not alerts:
            return
        if chosen is not None and chosen.id in self.alerts:
            table.move_cursor(row=table.get_row_index(str(chosen.id)), scroll=False)
        else:  # it left the list (acknowledged): stay at the same height
            table.move_cursor(row=min(cursor, len(alerts) - 1))

    def on_data_changed(self, message: DataChanged) -> None:
        self.load()

    def highlighted(self) -> BalanceThresholdAlert | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.alerts.get(int(str(key.value)))

    @on(DataTable.RowSelected, "#alerts")
    def _selected(self) -> None:
        self.action_acknowledge()

    def action_acknowledge(self) -> None:
        alert = self.highlighted()
        if alert is None:
            return
        if alert.acknowledged_at is not None:
            self.notify(
                f"Alert #{alert.id} was acknowledged by {visible(alert.acknowledged_by)}.",
                markup=False,
            )
            return
        self._acknowledge([alert.id])

    def action_acknowledge_all(self) -> None:
        open_ids = [a.id for a in self.alerts.values() if a.acknowledged_at is None]
        if not open_ids:
            self.notify("No active alerts are shown.")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._acknowledge(open_ids)

        question = (
            f"Acknowledge all {len(open_ids)} active alerts shown, as {self.services.operator}?"
        )
        self.app.push_screen(ConfirmDialog(question), confirmed)

    @work(thread=True, group="alerts-ack", exit_on_error=False)
    def _acknowledge(self, ids: list[int]) -> None:
        self.query_in_thread(
            lambda: self.services.notifications.acknowledge_alerts(ids, self.services.operator),
            self._acknowledged,
        )

    def _acknowledged(self, alerts: list[BalanceThresholdAlert]) -> None:
        self.notify(
            f"Acknowledged {len(alerts)} alert{'s' if len(alerts) != 1 else ''}", markup=False
        )
        self.load()

    def action_toggle_acknowledged(self) -> None:
        self.show_acknowledged = not self.show_acknowledged
        self.load()

    def action_focus_filter(self) -> None:
        self.query_one("#alert-filter", Input).focus()

    @on(Input.Submitted, "#alert-filter")
    def _filter(self, event: Input.Submitted) -> None:
        try:
            self.customer, self.alert_type = parse_alert_filter(event.value)
        except BalanceError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.load()
        self.table.focus()
