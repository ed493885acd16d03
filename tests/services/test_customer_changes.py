"""A customer's attributes change only as an audited operation, on both backends: who, why
and old -> new are kept; only a supervisor or an admin changes a customer; the currency
only while it has no events; and an edit around the app is named by verify."""

from __future__ import annotations

import pytest

from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.store import connect
from tests.rewrite import with_guards_off
from tests.services.conftest import Person

Desk = dict[str, Person]


def _problems(person: Person) -> list[str]:
    return [p.problem for p in person.services.verifier.verify().problems]


def test_a_supervisor_changes_a_tier_and_the_change_is_kept(desk: Desk) -> None:
    bob = desk["bob"].services
    changed = bob.customer_changes.change("CUST_1", "bob", "VIP review", tier="diamond")
    assert changed.vip_level == "diamond"
    [change] = bob.customer_changes.history("CUST_1")
    assert change.changes == {"tier": ("platinum", "diamond")}
    assert (change.reason, change.changed_by) == ("VIP review", desk["bob"].login)
    assert _problems(desk["dan"]) == []


def test_an_operator_or_auditor_changes_no_customer(desk: Desk) -> None:
    for name in ("ann", "dan"):
        with pytest.raises(NotAuthorisedError, match="Only a supervisor or an admin"):
            desk[name].services.customer_changes.change("CUST_1", name, "x", tier="bronze")
    assert desk["ann"].services.manager.get_customer("CUST_1").vip_level == "platinum"


def test_the_currency_is_fixed_once_the_customer_has_events(desk: Desk) -> None:
    with pytest.raises(InvalidInputError, match="its currency cannot change"):
        desk["ada"].services.customer_changes.change("CUST_1", "ada", "x", currency="EUR")


def test_closing_is_an_audited_change_and_a_closed_customer_takes_nothing(desk: Desk) -> None:
    desk["bob"].services.manager.set_customer_status("CUST_1", "closed", "bob", "fraud check")
    assert not desk["ann"].post("10").success
    [change] = desk["bob"].services.customer_changes.history("CUST_1")
    assert change.changes == {"status": ("active", "closed")}


def test_a_tier_edited_around_the_app_is_named(desk: Desk, db_url: str) -> None:
    """By the book's owner with the triggers off (PostgreSQL refuses it otherwise)."""
    owner = connect(db_url)
    retier = "UPDATE customer SET vip_level = 'diamond' WHERE code = 'CUST_1'"
    with_guards_off(owner, ("customer",), [(retier, ())])
    owner.close()
    assert _problems(desk["dan"]) == ["customer CUST_1 differs from its audit record"]
