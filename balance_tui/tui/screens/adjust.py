"""The adjust form: amount, type, reason; a live preview with the engine's own validator."""

from __future__ import annotations

import time
import uuid

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from balance_tui.domain.changes import REQUESTABLE_TYPES, ChangeType, typed_change_cents
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.money import cents_to_decimal, decimal_to_cents, format_cents
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceUpdateResult, ChangePreview, CustomerSummary
from balance_tui.services.base import WRITE_ATTEMPTS, reporting_waits
from balance_tui.services.bundle import thread_session
from balance_tui.tui.numbers import money
from balance_tui.tui.problems import problem_text
from balance_tui.tui.safe_text import one_line, visible
from balance_tui.tui.screens.dialogs import authority_line, dialog_footer
from balance_tui.tui.type_ahead import TypeAhead
from balance_tui.tui.widgets.follows_focus import FormInput
from balance_tui.tui.widgets.type_picker import TypePicker

PREVIEW_DELAY = 0.12
KEYS_HINT = "enter submit · escape cancel"
#: While posting: the change is in the database's hands, enter does nothing more.
WAITING_HINT = "waiting for the database… · escape: the change cannot be called back"


@record
class AdjustOutcome:
    """What the form did: the applied update, or the approval request it became."""

    result: BalanceUpdateResult


@record
class AdjustDraft:
    """A form closed with escape after something was typed: kept for the next ``a`` on
    the same customer (as lazygit keeps a commit message)."""

    customer_id: str
    amount: str
    change_type: str
    reason: str


def typed_cents(text: str, change_type: ChangeType) -> int:
    """The signed cents the operator means (the engine's rule for typed amounts)."""
    return typed_change_cents(text, change_type)


def _money(cents: int) -> str:
    return format_cents(cents)


class AdjustForm(ModalScreen[AdjustOutcome | AdjustDraft | None]):
    """Adjust one customer's balance. One idempotency key per opened form."""

    DEFAULT_CSS = """
    AdjustForm { align: center middle; }
    AdjustForm > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    AdjustForm Input, AdjustForm TypePicker { margin: 0; }
    AdjustForm #preview { height: auto; padding: 0 0 0 1; }
    AdjustForm #errors { color: $error; height: auto; }
    AdjustForm #status { height: auto; color: $accent; text-style: bold; }
    AdjustForm .title { text-style: bold; }
    """
    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close without changing anything",
            id="adjust.cancel",
        ),
    ]

    def __init__(self, summary: CustomerSummary, draft: AdjustDraft | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.draft = draft
        self.idempotency_key = f"tui-{uuid.uuid4()}"
        self.opened_sequence: int | None = None
        self.preview: ChangePreview | None = None
        self.submitting = False
        self.preview_errors: list[str] = []
        self.submit_errors: list[str] = []
        self._timer: Timer | None = None
        self._ticker: Timer | None = None
        self._posting_since = 0.0
        self._attempt = 1
        self.type_ahead = TypeAhead()

    @property
    def services(self):  # type: ignore[no-untyped-def]
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        c = self.summary.customer
        with Vertical():
            yield Label(
                # The tier before the name: a long name is cut, never the tier.
                Text(f"Adjust {visible(c.id)} · {c.vip_level} · {one_line(c.name, 30)}"),
                classes="title",
            )
            # No ``restrict``: a character the box silently dropped ("1OO" -> "1") would
            # post another amount than the one typed; the parser names what is wrong instead.
            yield FormInput(
                placeholder="Amount, e.g. 1,250.50 (adjustments take a sign: -50)",
                id="amount",
                max_length=40,
            )
            yield TypePicker(REQUESTABLE_TYPES, "deposit", id="type")
            yield FormInput(placeholder="Reason (required, audited)", id="reason", max_length=500)
            yield Static(id="preview")
            yield Static(id="errors")
            yield Static(id="status")
            yield Label(KEYS_HINT, classes="muted", id="keys-hint")
        yield dialog_footer()

    def on_mount(self) -> None:
        if self.app.return_code is not None:  # the app is quitting ("qa" typed fast)
            return
        if self.draft is not None:
            self._restore(self.draft)
        self.type_ahead.release(self, self.query_one("#amount", Input))
        self._show_current()

    def _restore(self, draft: AdjustDraft) -> None:
        self.query_one("#amount", Input).value = draft.amount
        self.query_one("#type", TypePicker).value = draft.change_type
        self.query_one("#reason", Input).value = draft.reason
        self._status("What you typed before is back; clear it to start again.")

    def _typed(self) -> AdjustDraft | None:
        amount = self.query_one("#amount", Input).value
        reason = self.query_one("#reason", Input).value
        if not (amount.strip() or reason.strip()):
            return None
        return AdjustDraft(self.summary.customer.id, amount, self._change_type().value, reason)

    def _show_current(self) -> None:
        c, s = self.summary.customer, self.summary
        self.query_one("#preview", Static).update(
            Text(
                f"Balance {money(c.balance, c.currency)}\nUsed 24h {money(s.usage_24h)} of "
                f"{money(s.daily_limit)} · 7d {money(s.usage_7d)} of "
                f"{money(s.weekly_limit, c.currency)}"
            )
        )

    # ------------------------------------------------------------------ preview

    def _change_type(self) -> ChangeType:
        return ChangeType(self.query_one("#type", TypePicker).value)

    @on(Input.Changed, "#amount")
    @on(TypePicker.Changed, "#type")
    def _schedule_preview(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._request_preview)

    def _request_preview(self) -> None:
        text = self.query_one("#amount", Input).value
        if not text.strip():
            self._show_errors([])
            self._show_current()
            return
        try:
            cents = typed_cents(text, self._change_type())
        except BalanceError as exc:
            self.preview = None
            self._show_current()  # never leave the preview of an amount no longer typed
            self._show_errors([str(exc)])
            return
        self._preview(cents, self._change_type().value, text)

    @work(thread=True, exclusive=True, group="adjust-preview", exit_on_error=False)
    def _preview(self, cents: int, change_type: str, typed: str) -> None:
        try:
            with thread_session(self.services.db):
                preview = self.services.manager.preview_balance_change(
                    self.summary.customer.id,
                    cents_to_decimal(abs(cents))
                    if change_type != "adjustment"
                    else cents_to_decimal(cents),
                    change_type,
                    performed_by=self.services.operator,
                )
        except BalanceError as exc:
            self.app.call_from_thread(self._show_errors, [str(exc)])
            return
        except Exception as exc:
            self.app.call_from_thread(self._show_errors, [problem_text(exc)])
            return
        self.app.call_from_thread(self._show_preview, preview, typed, change_type)

    def _show_preview(self, preview: ChangePreview, typed: str, change_type: str) -> None:
        if (typed, change_type) != (
            self.query_one("#amount", Input).value,
            self._change_type().value,
        ):
            return  # an answer for what was typed before: a newer preview is on its way
        self.preview = preview
        if self.opened_sequence is None:
            self.opened_sequence = preview.sequence
        rules = preview.rules
        text = Text()
        text.append(f"{_money(decimal_to_cents(preview.current_balance))} → ")
        text.append(
            f"{_money(decimal_to_cents(preview.new_balance))} {preview.customer.currency}",
            style="bold",
        )
        text.append(
            f"\nUsed after: 24h {money(preview.usage_24h)} of "
            f"{money(rules.daily_change_limit)} · 7d {money(preview.usage_7d)} of "
            f"{money(rules.weekly_change_limit, preview.customer.currency)}"
        )
        if preview.sequence != self.opened_sequence:
            text.append(
                "\nThe balance was changed by another operator since this form opened.",
                style="bold yellow",
            )
        for warning in preview.validation.warnings:
            text.append(f"\n⚠ {warning}", style="yellow")
        text.append(authority_line(preview))
        self.query_one("#preview", Static).update(text)
        self._show_errors(preview.validation.errors)

    def _show_errors(self, errors: list[str]) -> None:
        """Errors of the amount as typed (from the preview); submit errors stay beside them."""
        self.preview_errors = errors
        self._render_errors()

    def _show_submit_errors(self, errors: list[str]) -> None:
        self.submit_errors = errors
        self._render_errors()

    def _render_errors(self) -> None:
        errors = list(dict.fromkeys(self.preview_errors + self.submit_errors))
        self.query_one("#errors", Static).update(Text("\n".join(f"✖ {e}" for e in errors)))
        self.set_class(bool(errors), "-invalid")

    @on(Input.Changed)
    def _edited(self) -> None:
        if self.submit_errors:
            self._show_submit_errors([])

    # ------------------------------------------------------------------ submit

    @on(Input.Submitted)
    def _submit(self) -> None:
        if self.submitting:
            return  # a double enter posts once (and the idempotency key guards retries)
        text = self.query_one("#amount", Input).value
        reason = self.query_one("#reason", Input).value
        try:
            cents = typed_cents(text, self._change_type())
        except BalanceError as exc:
            self._show_errors([str(exc)])
            self.query_one("#amount", Input).focus()
            return
        if not reason.strip():
            self._show_submit_errors(["Give a reason; every change is audited."])
            self.query_one("#reason", Input).focus()
            return
        self._start_posting()
        self._post(cents, self._change_type().value, reason)

    def _start_posting(self) -> None:
        self.submitting = True
        self._posting_since = time.monotonic()
        self._attempt = 1
        self._status("Posting…")
        self.query_one("#keys-hint", Label).update(WAITING_HINT)
        self._ticker = self.set_interval(1.0, self._show_wait)

    def _show_wait(self) -> None:
        """A write that waits says for how long, and which attempt it is on."""
        waited = time.monotonic() - self._posting_since
        attempt = f" · attempt {self._attempt} of {WRITE_ATTEMPTS}" if self._attempt > 1 else ""
        self._status(
            f"Posting… waiting for the database (another writer holds it) · {waited:.0f} s{attempt}"
        )

    def _retrying(self, attempt: int, _waited: float) -> None:
        self._attempt = attempt
        self._show_wait()

    def _stop_posting(self) -> None:
        self.submitting = False
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.query_one("#keys-hint", Label).update(KEYS_HINT)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    @work(thread=True, exclusive=True, group="adjust-submit", exit_on_error=False)
    def _post(self, cents: int, change_type: str, reason: str) -> None:
        """Submit to the engine. A change it refuses is recorded as a refused attempt (with
        its limit alert) as from the CLI or the API, and its reasons stay in the form; the
        live preview above is only advice."""

        def retrying(attempt: int, waited: float) -> None:
            self.app.call_from_thread(self._retrying, attempt, waited)

        try:
            with thread_session(self.services.db), reporting_waits(retrying):
                result = self.services.manager.update_balance(
                    self.summary.customer.id,
                    None,
                    cents_to_decimal(cents),
                    change_type,
                    reason,
                    self.services.operator,
                    idempotency_key=self.idempotency_key,
                )
        except Exception as exc:
            self.app.call_from_thread(self._failed, [problem_text(exc)])
            return
        if result.success or result.status == "pending_approval":
            self.app.call_from_thread(self.dismiss, AdjustOutcome(result))
            return
        raised = [f"Alert #{a.id} raised ({a.alert_type})." for a in result.alerts]
        self.app.call_from_thread(
            self._failed, [*result.validation.errors, "Refused: nothing was posted.", *raised]
        )

    def _failed(self, errors: list[str]) -> None:
        self._stop_posting()
        self._status("")
        self._show_submit_errors(errors)

    def action_cancel(self) -> None:
        if self.submitting:
            # The change is in the database's hands: closing now would hide its outcome.
            self._status(
                "Still posting — the change cannot be called back; this form closes and "
                "says the outcome as soon as the database answers."
            )
            return
        self.dismiss(self._typed())
