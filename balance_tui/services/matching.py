"""Finding customers by a part of their id or name (the TUI's filters)."""

from __future__ import annotations

from peewee import Database

from balance_tui.domain.errors import UnknownCustomerError
from balance_tui.domain.inputs import check_search
from balance_tui.store import customers as customer_store


def matched_customers(db: Database, text: str) -> tuple[int | None, str | None]:
    """(the customer whose id ``text`` is, None) or (None, ``text`` as a part to match);
    no customer at all → UnknownCustomerError, so the screen says so instead of "no rows"."""
    text = check_search(text) or ""
    exact = customer_store.exact_customer_pk(db, text)
    if exact is not None:
        return exact, None
    if not customer_store.any_customer_matches(db, text):
        raise UnknownCustomerError(f"No customer's id or name contains {text.strip()!r}.")
    return None, text
