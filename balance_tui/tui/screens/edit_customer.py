"""The change-customer form (the card's ``e``): name, agent, tier, status and currency, with
the reason every change must give. One audited change (``services.customer_changes``);
what the book refuses (an unknown agent, a currency once there are events, a role below
supervisor) is said inline and nothing changes."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from balance_tui.domain.records import Customer
from balance_tui.domain.tiers import VIP_TIERS
from balance_tui.services.bundle import thread_session
from balance_tui.services.customer_changes import STATUSES, CustomerChange
from balance_tui.tui.problems import problem_text
from balance_tui.tui.safe_text import one_line, visible
from balance_tui.tui.screens.dialogs import dialog_footer
from balance_tui.tui.type_ahead import TypeAhead
from balance_tui.tui.widgets.bounded_input import BoundedInput

#: The audited changes the form lists, newest first.
SHOWN_CHANGES = 3


def change_lines(changes: list[CustomerChange]) -> Text:
    """The customer's last audited changes: who, when, what, why."""
    text = Text(style="dim")
    for change in reversed(changes[-SHOWN_CHANGES:]):
        what = ", ".join(
            f"{field} {visible(str(old))} → {visible(str(new))}"
            for field, (old, new) in change.changes.items()
        )
        text.append(
            f"{change.changed_at:%Y-%m-%d %H:%M} {visible(change.changed_by)}: {what} · "
            f"{visible(one_line(change.reason, 40, whole_words=True))}\n"
        )
    return text


class EditCustomerForm(ModalScreen[Customer | None]):
    """Change one customer's attributes; dismisses with the customer as it now is."""

    DEFAULT_CSS = """
    EditCustomerForm { align: center middle; }
    EditCustomerForm > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    EditCustomerForm Grid {
        grid-size: 2; grid-columns: 10 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto;
        margin: 1 0;
    }
    EditCustomerForm Grid Label { color: $text-muted; }
    EditCustomerForm #errors { color: $error; height: auto; }
    EditCustomerForm #changes { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close, changing nothing", id="edit.cancel")
    ]

    def __init__(self, customer: Customer) -> None:
        super().__init__()
        self.customer = customer
        self.type_ahead = TypeAhead()

    def compose(self) -> ComposeResult:
        c = self.customer
        with Vertical():
            yield Label(f"Change {visible(c.id)}", classes="title")
            with Grid():
                yield Label("Name")
                yield BoundedInput(value=c.name, id="name", max_length=200, compact=True)
                yield Label("Agent")
                yield BoundedInput(value=c.agent_id, id="agent", max_length=64, compact=True)
                yield Label("Tier")
                yield self._choice(VIP_TIERS, c.vip_level, "tier")
                yield Label("Status")
                yield self._choice(STATUSES, c.status, "status")
                yield Label("Currency")
                yield BoundedInput(value=c.currency, id="currency", max_length=3, compact=True)
                yield Label("Reason")
                yield BoundedInput(
                    placeholder="why (kept with the change)",
                    id="reason",
                    max_length=500,
                    compact=True,
                )
            yield Static(id="errors")
            yield Static(id="changes")
            yield Label("enter change · escape cancel", classes="muted")
        yield dialog_footer()

    @staticmethod
    def _choice(options: tuple[str, ...], value: str, name: str) -> Select[str]:
        return Select(
            [(o, o) for o in options], value=value, allow_blank=False, id=name, compact=True
        )

    def on_mount(self) -> None:
        self.type_ahead.release(self, self.query_one("#name", Input))
        self._load_changes()

    @work(thread=True, exit_on_error=False)
    def _load_changes(self) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        with thread_session(services.db):
            changes = services.customer_changes.history(self.customer.id)
        self.app.call_from_thread(self.query_one("#changes", Static).update, change_lines(changes))

    @on(Input.Submitted)
    def _submit(self) -> None:
        wanted = {
            name: self.query_one(f"#{name}", Input).value.strip()
            for name in ("name", "agent", "currency")
        }
        wanted["tier"] = str(self.query_one("#tier", Select).value)
        wanted["status"] = str(self.query_one("#status", Select).value)
        self._change(wanted, self.query_one("#reason", Input).value)

    @work(thread=True, exclusive=True, group="edit-customer", exit_on_error=False)
    def _change(self, wanted: dict[str, str], reason: str) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        try:
            with thread_session(services.db):
                changed = services.customer_changes.change(
                    self.customer.id, services.operator, reason, **wanted
                )
        except Exception as exc:
            self.app.call_from_thread(self._error, problem_text(exc))
            return
        self.app.call_from_thread(self.dismiss, changed)

    def _error(self, text: str) -> None:
        self.query_one("#errors", Static).update(Text(f"✖ {text}" if text else ""))

    def action_cancel(self) -> None:
        self.dismiss(None)
