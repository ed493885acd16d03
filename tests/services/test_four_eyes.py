"""Four eyes on both backends: a change above the maker's authority waits as a request; a
different login with enough authority approves (re-validated, applied, linked) or rejects
it; duplicates are refused, requests expire, and of two checkers at once exactly one wins.

On PostgreSQL every person is a real login holding a balance_* role (made in the test); on
SQLite a person is an operator name with a configured role, as the README describes.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from balance_tui.domain.errors import ApprovalStateError, InvalidInputError, NotAuthorisedError
from tests.services.conftest import Person


def test_within_authority_applies_and_above_it_waits(desk: dict[str, Person]) -> None:
    ann = desk["ann"]
    small = ann.post("10000")
    assert small.status == "applied"
    big = ann.post("15000", reason="big win payout")
    assert big.status == "pending_approval" and not big.success and big.event is None
    request = big.request
    assert request is not None
    assert (request.maker, request.maker_label, request.status) == (ann.login, "ann", "pending")
    assert request.amount == Decimal("15000.00") and request.reason == "big win payout"
    assert request.maker_authority == Decimal("10000.00")
    report = ann.services.manager.get_customer_balance_report("CUST_1")
    assert report.current_balance == Decimal("30000.00")  # nothing applied yet


def test_a_different_login_with_authority_approves_and_the_event_links_to_it(
    desk: dict[str, Person],
) -> None:
    ann, bob, ted = desk["ann"], desk["bob"], desk["cat"]
    request = ann.post("15000").request
    assert request is not None
    with pytest.raises(NotAuthorisedError, match="another login must decide"):
        ann.services.approvals.approve(request.id, "ann")
    other_operator = desk["ann"]  # an operator lacks the role even for others' requests
    assert not other_operator.services.authority.identity("ann").may_decide
    result = bob.services.approvals.approve(request.id, "bob", "called the customer")
    assert result.status == "applied" and result.event is not None
    assert result.new_balance == Decimal("35000.00")
    assert result.event.performed_by == "ann"  # the maker's change, applied by the checker
    assert result.event.approval_id == request.id
    decided = ted.services.approvals.get(request.id)
    assert (decided.status, decided.checker, decided.note) == (
        "approved",
        bob.login,
        "called the customer",
    )
    assert decided.event_id == result.event.id
    assert bob.services.verifier.verify().ok


def test_the_checker_needs_enough_authority(desk: dict[str, Person]) -> None:
    bob, ada = desk["bob"], desk["ada"]
    request = bob.post("150000").request  # above a supervisor's 100,000
    assert request is not None
    with pytest.raises(NotAuthorisedError, match="above the authority"):
        desk["cat"].services.approvals.approve(request.id, "cat")
    assert ada.services.approvals.approve(request.id, "ada").status == "applied"


def test_auditor_posts_nothing_and_decides_nothing(desk: dict[str, Person]) -> None:
    dan = desk["dan"]
    refused = dan.post("5")
    assert refused.status == "rejected" and "auditor" in refused.validation.errors[0]
    request = desk["ann"].post("15000").request
    assert request is not None
    with pytest.raises(NotAuthorisedError):
        dan.services.approvals.approve(request.id, "dan")
    assert dan.services.verifier.verify().ok  # but reads and verifies


def test_a_duplicate_pending_request_is_refused_with_its_number(desk: dict[str, Person]) -> None:
    ann = desk["ann"]
    first = ann.post("15000").request
    assert first is not None
    again = ann.post("15000")
    assert again.status == "rejected"
    assert again.validation.errors == [f"This change is already waiting for approval #{first.id}."]
    assert ann.post("15001").status == "pending_approval"  # another amount is another request
    assert len(ann.services.approvals.requests(mine="ann")) == 2


def test_reversals_of_two_events_are_two_requests_not_duplicates(desk: dict[str, Person]) -> None:
    ann, ada = desk["ann"], desk["ada"]
    first = ada.post("15000", reason="paid twice").event
    second = ada.post("15000", reason="paid twice").event
    undo_first = ann.services.manager.reverse_event(first.id, "ann", "duplicate")
    undo_second = ann.services.manager.reverse_event(second.id, "ann", "duplicate")
    assert (undo_first.status, undo_second.status) == ("pending_approval", "pending_approval")
    again = ann.services.manager.reverse_event(first.id, "ann", "duplicate")
    assert again.validation.errors == [
        f"This change is already waiting for approval #{undo_first.request.id}."
    ]


def test_requests_expire_after_24_hours(desk: dict[str, Person], clock) -> None:  # type: ignore[no-untyped-def]
    ann, bob = desk["ann"], desk["bob"]
    request = ann.post("15000").request
    assert request is not None
    clock.advance(hours=24, seconds=1)
    assert bob.services.approvals.get(request.id).status == "expired"
    with pytest.raises(ApprovalStateError, match="expired"):
        bob.services.approvals.approve(request.id, "bob")
    assert ann.post("15000").status == "pending_approval"  # asking again is allowed


def test_approval_revalidates_against_the_balance_of_that_moment(
    desk: dict[str, Person],
) -> None:
    ann, bob, ada = desk["ann"], desk["bob"], desk["ada"]
    request = ann.post("-40000", kind="withdrawal").request  # 20,000 -> -20,000: allowed now
    assert request is not None
    assert ada.post("-10000", kind="withdrawal").success  # meanwhile: 10,000 left
    result = bob.services.approvals.approve(request.id, "bob")
    assert result.status == "rejected" and result.event is None
    assert "below the platinum minimum" in " ".join(result.validation.errors)
    assert bob.services.approvals.get(request.id).status == "pending"  # still decidable
    report = bob.services.manager.get_customer_balance_report("CUST_1")
    assert report.current_balance == Decimal("10000.00")


def test_reject_needs_a_reason_and_is_final(desk: dict[str, Person]) -> None:
    ann, bob, cat = desk["ann"], desk["bob"], desk["cat"]
    request = ann.post("15000").request
    assert request is not None
    with pytest.raises(InvalidInputError):
        bob.services.approvals.reject(request.id, "bob", "  ")
    decided = bob.services.approvals.reject(request.id, "bob", "no documents")
    assert (decided.status, decided.note) == ("rejected", "no documents")
    with pytest.raises(ApprovalStateError, match="already rejected"):
        cat.services.approvals.approve(request.id, "cat")


def test_two_checkers_approving_at_once_exactly_one_wins(desk: dict[str, Person]) -> None:
    ann, bob, cat = desk["ann"], desk["bob"], desk["cat"]
    request = ann.post("15000").request
    assert request is not None
    start = threading.Barrier(2, timeout=10)
    outcomes: dict[str, object] = {}

    def approve(person: Person) -> None:
        start.wait()
        try:
            outcomes[person.name] = person.services.approvals.approve(request.id, person.name)
        except ApprovalStateError as exc:
            outcomes[person.name] = exc

    threads = [threading.Thread(target=approve, args=(p,)) for p in (bob, cat)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    applied = [o for o in outcomes.values() if not isinstance(o, Exception)]
    refused = [o for o in outcomes.values() if isinstance(o, ApprovalStateError)]
    assert len(applied) == 1 and len(refused) == 1, outcomes
    report = ann.services.manager.get_customer_balance_report("CUST_1", include_history=True)
    assert report.current_balance == Decimal("35000.00")  # applied once
    assert ann.services.verifier.verify().ok


def test_approvals_at_once_never_break_a_daily_limit(desk: dict[str, Person]) -> None:
    """Two supervisors approve two requests for one bronze customer at the same moment; the
    daily limit (50,000.00, 20,000.00 already used) lets exactly one of them through."""
    ann = desk["ann"]
    desk["ada"].services.customer_changes.change("CUST_1", "ada", "limits", tier="bronze")
    requests = [ann.post("30000").request, ann.post("29000").request]
    start = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def approve(person: Person, request_id: int) -> None:
        start.wait()
        outcomes[person.name] = person.services.approvals.approve(request_id, person.name).status

    threads = [
        threading.Thread(target=approve, args=(desk[name], request.id))
        for name, request in zip(("bob", "cat"), requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["applied", "rejected"], outcomes
    report = ann.services.manager.get_customer_balance_report("CUST_1")
    assert report.usage_24h <= Decimal("50000.00")
    assert ann.services.verifier.verify().ok


def test_a_batch_with_a_change_above_authority_is_refused_whole(desk: dict[str, Person]) -> None:
    from balance_tui.domain.records import BalanceChange

    ann = desk["ann"]
    result = ann.services.manager.update_balances(
        [
            BalanceChange("CUST_1", Decimal("100"), "deposit", "small", "ann"),
            BalanceChange("CUST_1", Decimal("15000"), "deposit", "big", "ann"),
        ]
    )
    assert not result.success and result.failed_index == 1
    assert "above your authority" in result.errors[0] and "on its own" in result.errors[0]
    report = ann.services.manager.get_customer_balance_report("CUST_1")
    assert report.current_balance == Decimal("20000.00")  # nothing of the batch applied
    assert ann.services.approvals.requests() == []


def test_the_acknowledging_identity_is_recorded(desk: dict[str, Person]) -> None:
    ann = desk["ann"]
    refused = ann.post("-99999", kind="withdrawal")  # below the minimum: a limit alert
    assert refused.alerts
    ann.services.notifications.acknowledge_alerts([refused.alerts[0].id], "ann", note="seen")
    row = ann.services.db.execute_sql(
        "SELECT acknowledged_by, acknowledged_db_user FROM alert WHERE id = "
        + str(refused.alerts[0].id)
    ).fetchone()
    postgres = ann.login != ann.name
    assert row[0] == "ann" and row[1] == (ann.login if postgres else None)


def test_a_change_refused_at_approval_keeps_its_refusal_and_its_alert(
    desk: dict[str, Person],
) -> None:
    """The alert an approval refused by a limit returns is in the book (it was written in
    a transaction that rolled back), and the refused attempt is recorded once."""
    ann, bob, ada = desk["ann"], desk["bob"], desk["ada"]
    ada.services.rules.set_rule("platinum", "daily_change_limit", "50000", "ada")
    request = ann.post("15000", reason="payout").request  # 20,000 used of 50,000 today
    assert request is not None
    assert ada.post("20000").success  # meanwhile: 40,000 used
    result = bob.services.approvals.approve(request.id, "bob")
    assert result.status == "rejected" and "daily limit" in " ".join(result.validation.errors)
    [alert] = result.alerts
    stored = bob.services.notifications.get_alert(alert.id)
    assert stored.alert_type == "limit_exceeded" and stored.message == alert.message
    assert stored.attempted_amount == Decimal("15000.00")
    db = bob.services.db
    refusals = db.execute_sql(
        f"SELECT errors_json FROM rejected_attempt WHERE errors_json LIKE {db.param}",
        ("%daily limit%",),
    ).fetchall()
    assert len(refusals) == 1 and f"request #{request.id}" in refusals[0][0]
    assert bob.services.verifier.verify().ok
