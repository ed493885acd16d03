"""App-level messages: how workers, screens and the watcher talk to each other.

Written as plain classes: a dataclass compiles three methods of its own for each, and
these load before the first frame."""

from __future__ import annotations

from textual.message import Message

from balance_tui.services.watch import ChangeBatch


class DataChanged(Message):
    """Something was committed (by this process or another): refresh what is shown.

    ``batch`` None with ``full_reload``: more changed than the app remembers; reload all."""

    def __init__(self, batch: ChangeBatch | None, full_reload: bool = False) -> None:
        self.batch = batch
        self.full_reload = full_reload
        super().__init__()


class ShowCustomerHistory(Message):
    """Open the history screen filtered to one customer; ``back``: (mode, breadcrumb) that
    Escape returns to."""

    def __init__(self, customer_id: str, back: tuple[str, tuple[str, ...]] | None = None) -> None:
        self.customer_id = customer_id
        self.back = back
        super().__init__()


class DatabaseFailed(Message):
    """A database call failed; the message is shown, the app keeps running."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()
