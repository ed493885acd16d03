"""Approvals: changes above their maker's authority, waiting for a second pair of eyes.

A supervisor sees the pending requests with maker, amount, reason, age and what approving
would do *now* (balance and limits after it, or why the engine would refuse it), and
approves (with an optional note) or rejects (with a reason). A maker toggles to "mine" to
follow their own requests; the outcome of each also arrives as a toast.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.records import BalanceUpdateResult, ChangePreview
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line, visible
from balance_tui.tui.screens.base import ServiceScreen
from balance_tui.tui.screens.dialogs import NoteDialog
from balance_tui.tui.widgets.banner import AlertBanner
from balance_tui.tui.widgets.key_bar import KeyBar
from balance_tui.tui.widgets.status import StatusLine
from balance_tui.tui.widgets.table import BookTable

LIMIT = 500
COLUMNS = (
    ("id", "Request"),
    ("age", "Asked"),
    ("customer", "Customer"),
    ("type", "Type"),
    ("amount", "Amount"),
    ("maker", "Maker"),
    ("status", "Status"),
    ("reason", "Reason"),
)
NUMBER_COLUMNS = ("id", "amount")
#: Below these widths the table keeps what fits whole (the detail pane shows the rest).
WIDE, MEDIUM = 120, 100
NARROW_COLUMNS = ("id", "customer", "amount", "maker", "status")


def age(then: datetime, now: datetime) -> str:
    """How long ago, as an operator says it: 45 s, 12 min, 3 h 05, 2 d."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"
    return f"{seconds // 86400} d"


def maker_text(r: ApprovalRequest) -> str:
    return r.maker if r.maker_label == r.maker else f"{r.maker_label} ({r.maker})"


def status_text(r: ApprovalRequest) -> Text:
    styles = {"pending": "bold", "approved": "green", "rejected": "red", "expired": "dim"}
    return Text(r.status, style=styles.get(r.status, ""))


def request_cells(r: ApprovalRequest, now: datetime, keys: tuple[str, ...]) -> list[Text]:
    cells = {
        "id": Text(f"#{r.id}", justify="right"),
        "age": Text(age(r.created_at, now)),
        "customer": literal(r.customer_id),
        "type": Text(r.change_type),
        "amount": Text(money(r.amount, r.currency, signed=True), justify="right"),
        "maker": literal(one_line(maker_text(r), 24)),
        "status": status_text(r),
        "reason": literal(one_line(r.reason, 40, whole_words=True)),
    }
    return [cells[k] for k in keys]


def request_detail(r: ApprovalRequest, preview: ChangePreview | None, now: datetime) -> Text:
    text = Text()
    text.append(f"Approval request #{r.id} ", style="bold")
    text.append_text(status_text(r))
    text.append(
        f"  {visible(r.customer_id)} · {r.change_type} {money(r.amount, r.currency, signed=True)}"
    )
    authority = "unlimited" if r.maker_authority is None else money(r.maker_authority)
    text.append(
        f"\nAsked by {visible(maker_text(r))} (authority {authority}) "
        f"{r.created_at:%Y-%m-%d %H:%M} UTC, {age(r.created_at, now)} ago"
    )
    if r.status == "pending":
        text.append(f" · expires {r.expires_at:%Y-%m-%d %H:%M} UTC")
    text.append(f"\nReason: {visible(r.reason)}")
    if r.decided_at is not None:
        text.append(
            f"\n{r.status.capitalize()} by {visible(r.checker_label or '?')} "
            f"({visible(r.checker or '?')}) at {r.decided_at:%Y-%m-%d %H:%M} UTC",
            style="dim",
        )
        if r.note:
            text.append(f": {visible(r.note)}", style="dim")
        if r.event_id:
            text.append(f" · event #{r.event_id}", style="dim")
    if r.status == "pending" and preview is not None:
        text.append("\nIf approved now: ", style="bold")
        text.append(
            f"{money(preview.current_balance)} → {money(preview.new_balance, r.currency)} · "
            f"24h {money(preview.usage_24h)} of {money(preview.rules.daily_change_limit)}"
        )
        for error in preview.validation.errors:
            text.append(f"\n✖ {visible(error)} (approving would be refused)", style="bold red")
        for warning in preview.validation.warnings:
            text.append(f"\n⚠ {visible(warning)}", style="yellow")
    return text


class ApprovalsScreen(ServiceScreen):
    """Pending requests to approve or reject; ``t`` shows decided ones, ``m`` only mine."""

    CRUMB = "Approvals"
    #: Focused as the screen is shown (see ``CustomersScreen.AUTO_FOCUS``).
    AUTO_FOCUS = "#approvals"
    BINDINGS = [
        Binding("a", "approve", "Approve", tooltip="Approve and apply it", id="approvals.approve"),
        Binding("r", "reject", "Reject", tooltip="Reject it, with a reason", id="approvals.reject"),
        Binding(
            "t", "toggle_decided", "All", tooltip="Show decided and expired too", id="approvals.all"
        ),
        Binding(
            "m", "toggle_mine", "Mine", tooltip="Only the requests I made", id="approvals.mine"
        ),
        Binding("escape", "escape", "Back", show=False, id="approvals.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_decided = False
        self.only_mine = False
        self.requests: dict[int, ApprovalRequest] = {}
        self.preview: tuple[int, ChangePreview] | None = None
        self.keys: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield AlertBanner()
        yield BookTable(id="approvals")
        yield Static(id="approval-detail", classes="detail")
        yield StatusLine()
        yield KeyBar()

    @property
    def table(self) -> BookTable:
        return self.query_one("#approvals", BookTable)

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        self.load()

    def on_resize(self) -> None:
        keys = self._keys(self.app.size.width)
        if keys != self.keys:
            self._fit(self.app.size.width)
            self.fill(list(self.requests.values()))

    @staticmethod
    def _keys(width: int) -> tuple[str, ...]:
        every = tuple(k for k, _ in COLUMNS)
        if width >= WIDE:
            return every
        return every[:-1] if width >= MEDIUM else NARROW_COLUMNS

    def _fit(self, width: int) -> None:
        self.keys = self._keys(width)
        self.table.define_columns(
            [(k, label) for k, label in COLUMNS if k in self.keys], right=NUMBER_COLUMNS
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            if not self.balance_app.identity.may_decide:
                return False  # hidden: this role decides nothing
            chosen = self.highlighted()
            return (chosen is not None and chosen.status == "pending") or None
        return super().check_action(action, parameters)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="approvals-load", exit_on_error=False)
    def load(self) -> None:
        status = None if self.show_decided else "pending"
        mine = self.services.operator if self.only_mine else None
        self.query_in_thread(
            lambda: self.services.approvals.requests(status=status, mine=mine, limit=LIMIT),
            self.fill,
        )

    def fill(self, requests: list[ApprovalRequest]) -> None:
        """Show them; the highlight stays on the same request across refreshes."""
        table = self.table
        chosen = self.highlighted()
        cursor = table.cursor_row
        self.requests = {r.id: r for r in requests}
        now = self.services.clock()
        with self.app.batch_update():
            table.clear()
            for request in requests:
                table.add_row(*request_cells(request, now, self.keys), key=str(request.id))
        if requests:
            if chosen is not None and chosen.id in self.requests:
                table.move_cursor(row=table.get_row_index(str(chosen.id)), scroll=False)
            else:
                table.move_cursor(row=min(cursor, len(requests) - 1))
        self._show_detail()
        self.show_status(refreshed=self.refreshed_now())

    def on_data_changed(self, message: DataChanged) -> None:
        if message.batch is None or message.batch.approvals or message.batch.events:
            self.load()

    def highlighted(self) -> ApprovalRequest | None:
        key = self.table.highlighted_key()
        return None if key is None else self.requests.get(int(key))

    @on(DataTable.RowHighlighted, "#approvals")
    def _show_detail(self) -> None:
        request = self.highlighted()
        detail = self.query_one("#approval-detail", Static)
        now = self.services.clock()
        if request is None:
            detail.update(Text("No approval requests waiting.", style="dim"))
        else:
            preview = self.preview[1] if self.preview and self.preview[0] == request.id else None
            detail.update(request_detail(request, preview, now))
            if request.status == "pending" and preview is None:
                self._load_preview(request)
        self.refresh_bindings()
        row, rows = self.table.row_position()
        shown = "all" if self.show_decided else "pending"
        self.show_status(
            row=row,
            rows=rows,
            filter=f"{shown}{' · mine' if self.only_mine else ''}",
            sort="newest first",
        )

    @work(thread=True, exclusive=True, group="approvals-preview", exit_on_error=False)
    def _load_preview(self, request: ApprovalRequest) -> None:
        def show(preview: ChangePreview) -> None:
            self.preview = (request.id, preview)
            chosen = self.highlighted()
            if chosen is not None and chosen.id == request.id:
                self._show_detail()

        self.query_in_thread(lambda: self.services.manager.preview_approval(request), show)

    # ------------------------------------------------------------------ deciding

    def action_approve(self) -> None:
        request = self.highlighted()
        if request is None or request.status != "pending":
            return
        question = (
            f"Approve #{request.id}: {visible(request.customer_id)} {request.change_type} "
            f"{money(request.amount, request.currency, signed=True)} asked by "
            f"{visible(maker_text(request))}?"
        )

        def answered(note: str | None) -> None:
            if note is not None:
                self._approve(request.id, note)

        self.app.push_screen(NoteDialog(question), answered)

    @work(thread=True, group="approvals-decide", exit_on_error=False)
    def _approve(self, request_id: int, note: str) -> None:
        self.query_in_thread(
            lambda: self.services.approvals.approve(request_id, self.services.operator, note),
            self._approved,
        )

    def _approved(self, result: BalanceUpdateResult) -> None:
        request = result.request
        if result.success and result.event is not None:
            event = result.event
            self.notify(
                f"#{request.id if request else '?'}: {event.customer_id} "
                f"{money(event.amount, event.currency, signed=True)}, balance now "
                f"{money(event.new_balance, event.currency)}",
                title="Approved",
                markup=False,
            )
        else:
            self.notify(
                "Not applied: " + " ".join(result.validation.errors) + " It stays pending.",
                title="Approval refused",
                severity="error",
                markup=False,
            )
        self.preview = None
        self.load()

    def action_reject(self) -> None:
        request = self.highlighted()
        if request is None or request.status != "pending":
            return
        question = (
            f"Reject #{request.id}: {visible(request.customer_id)} "
            f"{money(request.amount, request.currency, signed=True)} asked by "
            f"{visible(maker_text(request))}?"
        )

        def answered(reason: str | None) -> None:
            if reason:
                self._reject(request.id, reason)

        self.app.push_screen(
            NoteDialog(
                question,
                placeholder="Reason (required): the maker reads it",
                required="Say why: a rejection needs a reason.",
            ),
            answered,
        )

    @work(thread=True, group="approvals-decide", exit_on_error=False)
    def _reject(self, request_id: int, reason: str) -> None:
        def said(request: ApprovalRequest) -> None:
            self.notify(
                f"#{request.id}: {request.customer_id} "
                f"{money(request.amount, request.currency, signed=True)}; the maker is told why",
                title="Rejected",
                markup=False,
            )
            self.load()

        self.query_in_thread(
            lambda: self.services.approvals.reject(request_id, self.services.operator, reason),
            said,
        )

    def action_toggle_decided(self) -> None:
        self.show_decided = not self.show_decided
        self.load()

    def action_toggle_mine(self) -> None:
        self.only_mine = not self.only_mine
        self.load()

    async def action_escape(self) -> None:
        await self.go_back()
