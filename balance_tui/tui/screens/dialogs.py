"""Small modal questions: a reason to type, a yes/no confirmation."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 100%; height: auto; border: thick $primary;
    background: $surface; padding: 0 1;
}}
{name} #errors {{ color: $error; height: auto; }}
"""


class ReasonDialog(ModalScreen[str | None]):
    """Ask for a reason (required); dismisses with it, or None on escape."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ReasonDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Do nothing", id="reason.cancel")]

    def __init__(self, question: Text | str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Input(placeholder="Reason (required, audited)", id="reason", max_length=500)
            yield Static(id="errors")
            yield Label("enter confirm · escape cancel", classes="muted")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#errors", Static).update("✖ Give a reason; every change is audited.")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: y or enter confirms, n or escape declines."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", tooltip="Confirm", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Cancel", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield Label("y / enter: yes · n / escape: no", classes="muted")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
