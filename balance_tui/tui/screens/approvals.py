"""Approvals: changes above their maker's authority, waiting for a second pair of eyes.

A supervisor sees the pending requests with maker, amount, reason, age and what approving
would do *now* (balance and limits after it, or why the engine would refuse it), and
approves (with an optional note) or rejects (with a reason). A maker toggles to "mine" to
follow their own requests; the outcome of each also arrives as a toast.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from balance_tui.domain.authority import ApprovalRequest, likely_duplicates, why_not_decide
from balance_tui.domain.records import BalanceUpdateResult, ChangePreview
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import visible
from balance_tui.tui.screens.approval_text import (
    maker_text,
    request_cells,
    request_detail,
    will_raise,
)
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
        #: The highlighted request's customer's pending requests (loaded with its preview).
        self.alongside: tuple[int, list[ApprovalRequest]] = (0, [])
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
            if chosen is None or chosen.status != "pending":
                return None
            # Shown greyed when this login may not decide it (the detail says who may).
            return why_not_decide(self.balance_app.identity, chosen) is None or None
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
            others = self.alongside[1] if self.alongside[0] == request.id else []
            detail.update(request_detail(request, preview, now, others))
            blocker = why_not_decide(self.balance_app.identity, request)
            if request.status == "pending" and blocker is not None:
                detail.update(
                    Text.assemble(
                        request_detail(request, preview, now, others),
                        ("\n⚑ You cannot decide it: ", "bold"),
                        visible(blocker),
                    )
                )
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
        def read() -> tuple[ChangePreview, list[ApprovalRequest]]:
            return (
                self.services.manager.preview_approval(request),
                self.services.approvals.pending_for(request.customer_id),
            )

        def show(found: tuple[ChangePreview, list[ApprovalRequest]]) -> None:
            self.preview = (request.id, found[0])
            self.alongside = (request.id, found[1])
            chosen = self.highlighted()
            if chosen is not None and chosen.id == request.id:
                self._show_detail()

        self.query_in_thread(read, show)

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
        preview = self.preview[1] if self.preview and self.preview[0] == request.id else None
        if preview is not None and preview.alerts:
            question += f"\n{will_raise(preview)}."

        def answered(note: str | None) -> None:
            if note is not None:
                self._approve(request.id, note)

        others = self.alongside[1] if self.alongside[0] == request.id else []
        twins = likely_duplicates(request, others)
        if not twins:
            self.app.push_screen(NoteDialog(question), answered)
            return
        names = ", ".join(f"#{t.id} ({t.change_type})" for t in twins)
        question += (
            f"\n⚠ {names} for the same customer and amount is also pending: approving both "
            "would apply the correction twice."
        )
        dialog = NoteDialog(
            question,
            placeholder="Why both are right (required)",
            required="A likely duplicate is approved only with a note saying why.",
        )
        self.app.push_screen(dialog, answered)

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
