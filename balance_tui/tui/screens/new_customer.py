"""The new-customer form."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static

from balance_tui.domain.errors import BalanceError
from balance_tui.domain.inputs import check_currency
from balance_tui.domain.tiers import VIP_TIERS
from balance_tui.services.bundle import thread_session
from balance_tui.tui.problems import problem_text
from balance_tui.tui.screens.dialogs import dialog_footer
from balance_tui.tui.type_ahead import TypeAhead
from balance_tui.tui.widgets.bounded_input import BoundedInput

CHECK_DELAY = 0.2


class NewCustomerForm(ModalScreen[str | None]):
    """Create a customer; dismisses with its id."""

    _timer: Timer | None = None

    def __init__(self) -> None:
        super().__init__()
        self.type_ahead = TypeAhead()

    DEFAULT_CSS = """
    NewCustomerForm { align: center middle; }
    NewCustomerForm > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    NewCustomerForm #errors { color: $error; height: auto; }
    NewCustomerForm #warnings { color: $warning; height: auto; }
    """
    BINDINGS = [
        Binding(
            "escape", "cancel", "Cancel", tooltip="Close without creating", id="new_customer.cancel"
        )
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New customer", classes="title")
            yield BoundedInput(
                placeholder="Customer id, e.g. CUSTOMER_001", id="customer-id", max_length=64
            )
            yield BoundedInput(placeholder="Agent id, e.g. AGENT_001", id="agent-id", max_length=64)
            yield BoundedInput(placeholder="Name", id="name", max_length=200)
            yield Select([(t, t) for t in VIP_TIERS], value="bronze", allow_blank=False, id="tier")
            yield BoundedInput(value="USD", placeholder="Currency", id="currency", max_length=3)
            yield Static(id="warnings")
            yield Static(id="errors")
            yield Label("enter create · escape cancel", classes="muted")
        yield dialog_footer()

    def on_mount(self) -> None:
        if self.app.return_code is not None:  # the app is quitting ("qn" typed fast)
            return
        self.type_ahead.release(self, self.query_one("#customer-id", Input))
        self._propose_id()

    @work(thread=True, exit_on_error=False)
    def _propose_id(self) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        with thread_session(services.db):
            proposed = services.manager.next_free_id()
        self.app.call_from_thread(self._proposed, proposed)

    def _proposed(self, proposed: str) -> None:
        """Offered in the id box, selected: enter takes it, typing replaces it. An id the
        operator has begun to type is left alone."""
        box = self.query_one("#customer-id", Input)
        if proposed and not box.value:
            box.value = proposed
            box.select_all()

    @on(Input.Changed, "#agent-id, #currency")
    def _check_as_typed(self) -> None:
        """Currency checked at once (inline); a new agent or an unused currency is a
        warning read from the database after a short pause in typing."""
        currency = self.query_one("#currency", Input).value.strip()
        try:
            if currency:
                check_currency(currency)
            self._error("")
        except BalanceError as exc:
            self._error(str(exc))
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_DELAY, self._look_up)

    def _look_up(self) -> None:
        self._warnings(
            self.query_one("#agent-id", Input).value, self.query_one("#currency", Input).value
        )

    @work(thread=True, exclusive=True, group="new-customer-check", exit_on_error=False)
    def _warnings(self, agent: str, currency: str) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        try:
            with thread_session(services.db):
                warnings = services.manager.new_customer_warnings(agent, currency)
        except Exception:  # only advice: the creation itself checks and says what is wrong
            return
        self.app.call_from_thread(self._show_warnings, agent, currency, warnings)

    def _show_warnings(self, agent: str, currency: str, warnings: list[str]) -> None:
        typed = (self.query_one("#agent-id", Input).value, self.query_one("#currency", Input).value)
        if typed == (agent, currency):
            self.query_one("#warnings", Static).update(Text("\n".join(f"⚠ {w}" for w in warnings)))

    @on(Input.Submitted)
    def _submit(self) -> None:
        values = {
            name: self.query_one(f"#{name}", Input).value.strip()
            for name in ("customer-id", "agent-id", "name", "currency")
        }
        self._create(values, str(self.query_one("#tier", Select).value))

    @work(thread=True, exclusive=True, group="new-customer", exit_on_error=False)
    def _create(self, values: dict[str, str], tier: str) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        try:
            with thread_session(services.db):
                customer = services.manager.create_customer(
                    values["customer-id"],
                    values["agent-id"],
                    name=values["name"],
                    vip_level=tier,
                    currency=values["currency"] or "USD",
                )
        except Exception as exc:
            self.app.call_from_thread(self._error, problem_text(exc))
            return
        self.app.call_from_thread(self.dismiss, customer.id)

    def _error(self, text: str) -> None:
        self.query_one("#errors", Static).update(Text(f"✖ {text}" if text else ""))

    def action_cancel(self) -> None:
        self.dismiss(None)
