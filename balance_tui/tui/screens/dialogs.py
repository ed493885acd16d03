"""Small modal questions: a reason, yes/no, where to go, a reversal with its effect."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from balance_tui.domain.errors import BalanceError, InvalidInputError
from balance_tui.domain.filters import day_in_range
from balance_tui.domain.inputs import check_id
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceUpdateResult, ChangePreview
from balance_tui.services.bundle import thread_session
from balance_tui.tui.numbers import money
from balance_tui.tui.problems import problem_text
from balance_tui.tui.widgets.bounded_input import BoundedInput
from balance_tui.tui.widgets.key_bar import KeyBar

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 100%; height: auto; border: thick $primary;
    background: $surface; padding: 0 1;
}}
{name} #errors, {name} .error {{ color: $error; height: auto; }}
"""


def dialog_footer() -> KeyBar:
    """A dialog's own keys line, over the screen's: only the keys that work in the dialog."""
    return KeyBar()


@record
class GoToPlace:
    """Where ``g`` on History goes: the newest or oldest row, an event, or a day."""

    kind: str  # "newest", "oldest", "event", "day"
    text: str = ""
    event_id: int | None = None
    #: The first moment after the day (events up to it are on or before the day).
    day_end: datetime | None = None


def read_place(text: str) -> GoToPlace:
    """``#123`` or ``123`` → that event; ``2026-01-31`` → that day; empty → the newest."""
    text = text.strip()
    if not text:
        return GoToPlace("newest")
    number = text.removeprefix("#").replace(",", "")
    if number.isascii() and number.isdecimal():  # "²" is a digit to isdigit(), not to int()
        if len(number) > 18:
            raise InvalidInputError(f"#{number[:12]}… is larger than any event number.")
        return GoToPlace("event", text, event_id=check_id(int(number), "Event number"))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{text[:40]!r} is neither an event number (#123) nor a day (2026-01-31)."
        ) from None
    day = day_in_range(day, "go to")
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return GoToPlace("day", text, day_end=end)


class PlaceInput(Input):
    """The go-to box: while empty, ``g`` and ``G`` are keys (newest, oldest), not letters."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        if not self.value and character in ("g", "G"):
            return False
        return super().check_consume_key(key, character)


class GoToDialog(ModalScreen[GoToPlace | None]):
    """Go to an event number or a day; ``g`` in the empty box goes to the newest (so ``gg``
    works as in vim), ``G`` to the oldest loaded."""

    DEFAULT_CSS = DIALOG_CSS.format(name="GoToDialog")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Stay here", id="go_to.cancel"),
        # Before the box sees them, and only while it is empty (then they are letters).
        Binding("g", "place('newest')", "Newest", show=False, priority=True),
        Binding("G", "place('oldest')", "Oldest", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Go to an event number or a day", style="bold"))
            yield PlaceInput(placeholder="#123 · 2026-01-31 · g: newest · G: oldest", id="place")
            yield Static(id="errors")
            yield Label("enter go · escape stay", classes="muted")
        yield dialog_footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "place":
            return not self.query_one(Input).value
        return True

    def action_place(self, kind: str) -> None:
        self.dismiss(GoToPlace(kind))

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(read_place(event.value))
        except BalanceError as exc:
            self.query_one("#errors", Static).update(Text(f"✖ {exc}"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReverseDialog(ModalScreen[BalanceUpdateResult | None]):
    """Reverse an event: what it would do to the balance and limits now (the engine's own
    preview, as the adjust form shows, with "above your authority" when it would go to a
    supervisor), and a required reason. The dialog submits the reversal itself: a refusal
    stays in it with its reasons; applied or sent for approval, it closes with the result."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ReverseDialog")
        + """
    ReverseDialog #preview { height: auto; padding: 0 0 0 1; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Do nothing", id="reverse.cancel")]

    def __init__(self, question: Text | str, event_id: int) -> None:
        super().__init__()
        self.question = question
        self.event_id = event_id
        self.preview: ChangePreview | None = None
        self.submitting = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Static(Text("Working out the effect…", style="dim"), id="preview")
            yield BoundedInput(
                placeholder="Reason (required, audited)", id="reason", max_length=500
            )
            yield Static(id="errors")
            yield Label("enter reverse · escape cancel", classes="muted")
        yield dialog_footer()

    def on_mount(self) -> None:
        if self.app.return_code is not None:
            return
        self.query_one(Input).focus()
        self._load_preview()

    @work(thread=True, exclusive=True, group="reverse-preview", exit_on_error=False)
    def _load_preview(self) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        try:
            with thread_session(services.db):
                preview = services.manager.preview_reversal(self.event_id)
        except Exception as exc:  # shown in the dialog; the reversal itself re-checks
            text = problem_text(exc)
            self.app.call_from_thread(self._show_errors, [text])
            return
        self.app.call_from_thread(self._show_preview, preview)

    def _show_preview(self, preview: ChangePreview) -> None:
        self.preview = preview
        self.query_one("#preview", Static).update(preview_text(preview))
        self._show_errors(list(preview.validation.errors))

    def _show_errors(self, errors: list[str]) -> None:
        self.query_one("#errors", Static).update(Text("\n".join(f"✖ {e}" for e in errors)))

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        if self.submitting:
            return
        if not event.value.strip():
            self.query_one("#errors", Static).update("✖ Give a reason; every change is audited.")
            return
        self.submitting = True
        self._reverse(event.value)

    @work(thread=True, group="reverse-submit", exit_on_error=False)
    def _reverse(self, reason: str) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        try:
            with thread_session(services.db):
                result = services.manager.reverse_event(self.event_id, services.operator, reason)
        except Exception as exc:
            text = problem_text(exc)
            self.app.call_from_thread(self._refused, [text])
            return
        if result.success or result.status == "pending_approval":
            self.app.call_from_thread(self.dismiss, result)
        else:
            raised = [f"Alert #{a.id} raised ({a.alert_type})." for a in result.alerts]
            self.app.call_from_thread(
                self._refused, [*result.validation.errors, "Nothing was changed.", *raised]
            )

    def _refused(self, errors: list[str]) -> None:
        self.submitting = False
        self._show_errors(errors)

    def action_cancel(self) -> None:
        if not self.submitting:  # once submitted, its outcome is shown here
            self.dismiss(None)


def preview_text(preview: ChangePreview) -> Text:
    """Balance before → after, and the limits used after (shared with the adjust form)."""
    cur, rules = preview.customer.currency, preview.rules
    text = Text()
    text.append(f"{money(preview.current_balance)} → ")
    text.append(money(preview.new_balance, cur), style="bold")
    text.append(
        f"\nUsed after: 24h {money(preview.usage_24h)} of {money(rules.daily_change_limit)}"
        f" · 7d {money(preview.usage_7d)} of {money(rules.weekly_change_limit)} {cur}"
    )
    for warning in preview.validation.warnings:
        text.append(f"\n⚠ {warning}", style="yellow")
    text.append(authority_line(preview))
    return text


def authority_line(preview: ChangePreview) -> Text:
    """ "Above your authority" when submitting would send the change to a supervisor."""
    if not preview.needs_approval or preview.authority is None:
        return Text()
    return Text(
        f"\n⚑ Above your authority of {money(preview.authority)}: submitting sends it to a "
        "supervisor for approval; nothing is applied until then.",
        style="bold",
    )


class NoteDialog(ModalScreen[str | None]):
    """Confirm with an optional note (an acknowledgement's "why"); enter confirms, escape
    cancels. Dismisses with the note ("" for none) or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="NoteDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Do nothing", id="note.cancel")]

    def __init__(
        self,
        question: str,
        *,
        placeholder: str = "Note (optional): what was done",
        required: str | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        #: When set, an empty note is refused with this message (a rejection's reason).
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield BoundedInput(placeholder=self.placeholder, id="note", max_length=500)
            yield Static(id="note-error", classes="error")
            yield Label("enter confirm · escape cancel", classes="muted")
        yield dialog_footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        note = event.value.strip()
        if self.required and not note:
            self.query_one("#note-error", Static).update(Text(f"✖ {self.required}"))
            return
        self.dismiss(note)

    def action_cancel(self) -> None:
        self.dismiss(None)
