"""App-level messages: how workers, screens and the watcher talk to each other."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from balance_tui.services.watch import ChangeBatch


@dataclass
class DataChanged(Message):
    """Something was committed (by this process or another): refresh what is shown.

    ``batch`` None with ``full_reload``: more changed than the app remembers; reload all."""

    batch: ChangeBatch | None
    full_reload: bool = False


@dataclass
class ShowCustomerHistory(Message):
    """Open the history screen filtered to one customer; ``back``: (mode, breadcrumb) that
    Escape returns to."""

    customer_id: str
    back: tuple[str, tuple[str, ...]] | None = None


@dataclass
class DatabaseFailed(Message):
    """A database call failed; the message is shown, the app keeps running."""

    text: str
