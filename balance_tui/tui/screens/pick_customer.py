"""Which customer? A scope that matches several customers offers them in a list to pick
from (as the command palette does), instead of an error."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from balance_tui.domain.errors import InvalidInputError
from balance_tui.domain.records import CustomerSummary
from balance_tui.services.bundle import Services
from balance_tui.tui.safe_text import visible

#: How many matches the list offers (type more for the rest).
OFFERED = 20


class SeveralCustomers(InvalidInputError):
    """Part of ids or names that matches more than one customer: the matches."""

    def __init__(self, text: str, matches: list[CustomerSummary]) -> None:
        super().__init__(f"{text!r} matches several customers: pick one.")
        self.text = text
        self.matches = matches


def resolve_customer(services: Services, text: str) -> str:
    """A customer's id from part of its id or name (one filter language): an exact id is
    that customer; otherwise exactly one customer must match (``SeveralCustomers`` holds
    the matches when more do)."""
    found = services.manager.list_customers(text, limit=OFFERED + 1)
    exact = [s for s in found if s.customer.id.lower() == text.lower()]
    if exact:
        return exact[0].customer.id
    if len(found) == 1:
        return found[0].customer.id
    if not found:
        raise InvalidInputError(f"No customer's id or name contains {text!r}.")
    raise SeveralCustomers(text, found[:OFFERED])


class PickCustomer(ModalScreen[str | None]):
    """The customers a text matches; enter picks the highlighted one, escape none."""

    DEFAULT_CSS = """
    PickCustomer { align: center middle; }
    PickCustomer > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PickCustomer OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick_customer.cancel")]

    def __init__(self, several: SeveralCustomers) -> None:
        super().__init__()
        self.several = several

    def compose(self) -> ComposeResult:
        with Vertical():
            more = (
                " (the first ones; type more to narrow)"
                if len(self.several.matches) >= OFFERED
                else ""
            )
            yield Label(f"{visible(self.several.text)!r} matches several customers{more}:")
            yield OptionList(
                *(
                    Option(f"{visible(s.customer.id)}  {visible(s.customer.name)}", s.customer.id)
                    for s in self.several.matches
                ),
                id="matches",
            )

    @on(OptionList.OptionSelected, "#matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
