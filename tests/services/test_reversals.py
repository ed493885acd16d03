"""Reversals: a new event that undoes another, at most once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from balance_tui.domain.errors import AlreadyReversedError, InvalidInputError, UnknownEventError


def test_reversal_undoes_an_event_once(services) -> None:
    services.manager.create_customer("C1", "A1")
    deposit = services.manager.update_balance("C1", None, "700", "deposit", "dup", "op").event
    result = services.manager.reverse_event(deposit.id, "sup", "Duplicate entry")
    assert result.success and result.new_balance == Decimal("0.00")
    reversal = result.event
    assert reversal.change_type == "reversal" and reversal.amount == Decimal("-700.00")
    assert reversal.reverses_event_id == deposit.id and reversal.performed_by == "sup"
    assert services.audit.get_event(deposit.id).reversed_by_event_id == reversal.id
    with pytest.raises(AlreadyReversedError, match=f"#{reversal.id}"):
        services.manager.reverse_event(deposit.id, "sup", "again")
    with pytest.raises(InvalidInputError, match="itself a reversal"):
        services.manager.reverse_event(reversal.id, "sup", "undo the undo")
    with pytest.raises(UnknownEventError):
        services.manager.reverse_event(424242, "sup", "nothing")
    assert services.manager.get_customer("C1").balance == Decimal("0.00")
    assert services.verifier.verify().ok


def test_reversal_is_validated_like_any_change(services) -> None:
    services.manager.create_customer("C1", "A1")
    deposit = services.manager.update_balance("C1", None, "5000", "deposit", "in", "op").event
    services.manager.update_balance("C1", None, "-14000", "withdrawal", "out", "op")
    result = services.manager.reverse_event(deposit.id, "sup", "bounced")
    assert not result.success and "below the bronze minimum" in result.validation.errors[0]
    assert services.audit.get_event(deposit.id).reversed_by_event_id is None


def test_reversal_needs_a_reason(services) -> None:
    services.manager.create_customer("C1", "A1")
    deposit = services.manager.update_balance("C1", None, "5", "deposit", "in", "op").event
    result = services.manager.reverse_event(deposit.id, "sup", " ")
    assert not result.success and "reason" in result.validation.errors[0]


def test_the_preview_of_a_second_reversal_says_it_was_already_reversed(services) -> None:
    services.manager.create_customer("C1", "A1")
    deposit = services.manager.update_balance("C1", None, "700", "deposit", "dup", "op").event
    reversal = services.manager.reverse_event(deposit.id, "sup", "Duplicate entry").event
    with pytest.raises(AlreadyReversedError, match=f"already reversed by event #{reversal.id}"):
        services.manager.preview_reversal(deposit.id)


def test_a_reversal_releases_the_usage_of_what_it_undoes(services) -> None:
    """A mistaken deposit is undone the same day: neither it nor its reversal counts
    towards the daily limit afterwards (the tier's bounds still apply)."""
    services.manager.create_customer("C1", "A1", vip_level="bronze")  # daily limit 50,000
    mistake = services.manager.update_balance("C1", None, "30000", "deposit", "typo", "op")
    preview = services.manager.preview_reversal(mistake.event.id)
    assert preview.validation.is_valid and preview.usage_24h == Decimal("0.00")
    result = services.manager.reverse_event(mistake.event.id, "sup", "typed 30000 for 300")
    assert result.success
    assert "limit_exceeded" not in {a.alert_type for a in result.alerts}
    report = services.manager.get_customer_balance_report("C1")
    assert report.usage_24h == Decimal("0.00") and report.usage_7d == Decimal("0.00")
    # the whole daily limit is there again
    assert services.manager.update_balance("C1", None, "50000", "deposit", "in", "op").success
    assert services.verifier.verify().ok


def test_a_reversal_still_keeps_the_balance_within_the_tiers_bounds(services) -> None:
    services.manager.create_customer("C1", "A1", vip_level="bronze")  # minimum -10,000
    deposit = services.manager.update_balance("C1", None, "5000", "deposit", "in", "op").event
    services.manager.update_balance("C1", None, "-14000", "withdrawal", "out", "op")
    result = services.manager.reverse_event(deposit.id, "sup", "bounced")
    assert not result.success and "below the bronze minimum" in result.validation.errors[0]
