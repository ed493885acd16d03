"""``verify`` re-checks what each event was written under, on both backends: an owner who
rewrites events and recomputes every hash is still named when an event goes back in time,
leaves its tier's bounds, or applies an approval as something other than what was approved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from balance_tui.services.clock import to_us
from balance_tui.store import connect
from tests.rewrite import rewrite_events, with_guards_off
from tests.services.conftest import Person

Desk = dict[str, Person]


@pytest.fixture
def owner(db_url: str):  # type: ignore[no-untyped-def]
    database = connect(db_url)
    yield database
    database.close()


def _problems(person: Person) -> list[str]:
    return [p.problem for p in person.services.verifier.verify().problems]


def _only_problem(person: Person) -> str:
    problems = _problems(person)
    assert len(problems) == 1, problems
    return problems[0]


def test_an_event_moved_before_the_one_before_it_is_named(desk: Desk, owner, clock) -> None:  # type: ignore[no-untyped-def]
    clock.advance(hours=1)
    assert desk["ann"].post("100").success
    day_before = to_us(clock.now - timedelta(days=1))

    def backdate(row: dict[str, Any]) -> None:
        if row["sequence"] == 2:
            row["created_us"] = day_before

    rewrite_events(owner, "CUST_1", backdate)
    problem = _only_problem(desk["dan"])
    assert problem.endswith("is dated before the event before it")


def test_an_event_beyond_the_tier_bounds_in_force_then_is_named(desk: Desk, owner) -> None:  # type: ignore[no-untyped-def]
    desk["ada"].services.rules.set_rule("platinum", "min_balance", "-25000", "ada")
    assert desk["ada"].post("-5000", kind="withdrawal").success

    def overdraw(row: dict[str, Any]) -> None:
        if row["sequence"] == 2:
            row["amount_cents"] = -50_000_00

    rewrite_events(owner, "CUST_1", overdraw)
    problem = _only_problem(desk["dan"])
    assert "outside the platinum tier's bounds then (-25,000.00 to 2,500,000.00)" in problem


def test_an_approved_change_applied_as_another_is_named(desk: Desk, owner) -> None:  # type: ignore[no-untyped-def]
    request = desk["ann"].post("15000", reason="big win").request
    assert desk["bob"].services.approvals.approve(request.id, "bob").status == "applied"
    assert _problems(desk["dan"]) == []

    def relabel(row: dict[str, Any]) -> None:
        if row["approval_id"] is not None:
            row["reason"], row["change_type"] = "something else", "adjustment"

    rewrite_events(owner, "CUST_1", relabel)
    problem = _only_problem(desk["dan"])
    assert problem.endswith(
        f"approval request #{request.id}, but is not the change that was approved"
    )


def test_changes_over_the_daily_limit_then_are_named(desk: Desk, owner) -> None:  # type: ignore[no-untyped-def]
    desk["ada"].services.rules.set_rule("platinum", "daily_change_limit", "30000", "ada")
    assert desk["ada"].post("5000").success

    def inflate(row: dict[str, Any]) -> None:
        if row["sequence"] == 2:
            row["amount_cents"] = 20_000_00  # with the 20,000.00 seed: 40,000.00 in a day

    rewrite_events(owner, "CUST_1", inflate)
    problem = _only_problem(desk["dan"])
    assert "40,000.00 in 24 hours" in problem and "(30,000.00 and" in problem


def _inflate_second_event(owner, cents: int) -> None:  # type: ignore[no-untyped-def]
    def inflate(row: dict[str, Any]) -> None:
        if row["sequence"] == 2:
            row["amount_cents"] = cents

    rewrite_events(owner, "CUST_1", inflate)


def test_an_unapproved_change_above_its_writers_own_limit_then_is_named(desk: Desk, owner) -> None:  # type: ignore[no-untyped-def]
    ann = desk["ann"]
    desk["ada"].services.authority.set_authority(ann.login, "2000", "ada")
    assert ann.post("500").success
    _inflate_second_event(owner, 3_000_00)
    problem = _only_problem(desk["dan"])
    assert problem.endswith(
        f"changed the balance by 3,000.00, above the authority of {ann.login} then "
        "(2,000.00), and carries no approval"
    )


def test_an_unapproved_change_above_its_writers_role_then_is_named(  # type: ignore[no-untyped-def]
    desk: Desk, owner
) -> None:
    assert desk["ann"].post("500").success
    _inflate_second_event(owner, 60_000_00)  # the operator role's authority is 10,000.00
    problem = _only_problem(desk["dan"])
    assert problem.endswith(
        f"changed the balance by 60,000.00, above the authority of {desk['ann'].login} "
        "then (10,000.00), and carries no approval"
    )


def test_a_login_limit_in_force_then_counts_not_the_one_set_later(desk: Desk, owner, clock) -> None:  # type: ignore[no-untyped-def]
    ann = desk["ann"]
    desk["ada"].services.authority.set_authority(ann.login, "50000", "ada")
    clock.advance(minutes=1)
    assert ann.post("40000").success
    clock.advance(minutes=1)
    desk["ada"].services.authority.set_authority(ann.login, "1000", "ada")
    assert _problems(desk["dan"]) == []


def test_an_approval_decided_above_its_checkers_authority_then_is_named(desk: Desk, owner) -> None:  # type: ignore[no-untyped-def]
    request = desk["ann"].post("15000", reason="big win").request
    assert desk["bob"].services.approvals.approve(request.id, "bob").status == "applied"
    desk["ada"].services.authority.set_authority(desk["cat"].login, "1000", "ada")
    decided = owner.execute_sql(
        f"SELECT decided_us FROM approval_decision WHERE request_id = {owner.param}",
        (request.id,),
    ).fetchone()[0]
    with_guards_off(
        owner,
        ("approval_decision",),
        [
            (
                f"UPDATE approval_decision SET checker = {owner.param}, "
                f"decided_us = {owner.param} WHERE request_id = {owner.param}",
                (desk["cat"].login, int(decided) + 120_000_000, request.id),
            )
        ],
    )
    problems = _problems(desk["dan"])
    assert any(
        p.endswith(f"approved by {desk['cat'].login} above their authority then (1,000.00)")
        for p in problems
    ), problems
