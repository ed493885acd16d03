"""A retry at the worst moment: the same keyed submit, again, before and after its approval,
posts the change exactly once, on both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest

from balance_tui.domain.errors import IdempotencyConflictError
from tests.services.conftest import Person

Desk = dict[str, Person]


def _submit(person, key: str = "form-7", amount: str = "15000", agent=None, tier=None):  # type: ignore[no-untyped-def]
    return person.services.manager.update_balance(
        "CUST_1",
        agent,
        Decimal(amount),
        "deposit",
        "payout",
        person.name,
        vip_level=tier,
        idempotency_key=key,
    )


def test_a_retry_of_an_approved_keyed_change_is_its_applied_event(desk: Desk) -> None:
    ann, bob = desk["ann"], desk["bob"]
    first = _submit(ann)
    assert first.status == "pending_approval"
    again = _submit(ann)
    assert (again.status, again.replayed, again.request.id) == (
        "pending_approval",
        True,
        first.request.id,
    )
    applied = bob.services.approvals.approve(first.request.id, "bob")
    assert applied.status == "applied"
    retry = _submit(ann)
    assert (retry.status, retry.replayed, retry.event.id) == ("applied", True, applied.event.id)
    assert ann.services.manager.get_customer("CUST_1").balance == Decimal("35000.00")


def test_a_retry_of_a_rejected_keyed_change_asks_nothing_again(desk: Desk) -> None:
    ann, bob = desk["ann"], desk["bob"]
    first = _submit(ann)
    bob.services.approvals.reject(first.request.id, "bob", "not today")
    retry = _submit(ann)
    assert retry.status == "rejected" and retry.replayed
    assert "rejected" in retry.validation.errors[0]
    assert len(bob.services.approvals.requests(status=None)) == 1


def test_a_key_reused_for_another_change_is_a_conflict(desk: Desk) -> None:
    ann = desk["ann"]
    _submit(ann)
    with pytest.raises(IdempotencyConflictError, match="approval request #"):
        _submit(ann, amount="16000")


def test_the_same_change_named_with_its_agent_and_tier_is_the_same_change(desk: Desk) -> None:
    ann = desk["ann"]
    first = _submit(ann, amount="50")
    assert first.status == "applied"
    again = _submit(ann, amount="50", agent="AG_1", tier="platinum")
    assert (again.replayed, again.event.id) == (True, first.event.id)
