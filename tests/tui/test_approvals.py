"""Four eyes in the TUI: the adjust form says before submit that a change goes to a
supervisor; the supervisor hears of a request made on another connection, sees it on the
Approvals screen (5) with its effect now, approves or rejects it with a note; the maker
hears the outcome; an auditor sees no adjust form. (SQLite: a person is an operator name
with a configured role; the PostgreSQL logins are covered by the service tests.)"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from textual.widgets import DataTable, Input

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect
from balance_tui.tui.app import create_app
from balance_tui.tui.screens.adjust import AdjustForm
from balance_tui.tui.screens.approvals import ApprovalsScreen
from balance_tui.tui.screens.dialogs import NoteDialog
from tests.tui.conftest import FROZEN, SIZE, settle, shown, until


def person(db_file: str, name: str, role: str) -> Services:
    """Another connection to the same book, as ``name`` in ``role``."""
    services = build_services(
        connect(db_file), Settings(operator=name, role=role), lambda: FROZEN, operator=name
    )
    return dataclasses.replace(services, database_label="demo.db")


def _toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{m.title}: {m.message}" for m in app.message_log]


def _first_customer(services: Services) -> str:
    return services.manager.list_customers()[0].customer.id


async def test_the_form_says_it_goes_to_a_supervisor_and_nothing_is_applied(
    services, db_file
) -> None:  # type: ignore[no-untyped-def]
    ann = person(db_file, "ann", "operator")
    customer = _first_customer(services)
    before = ann.manager.get_customer_balance_report(customer).current_balance
    app = create_app(ann, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        await pilot.press(*"15000")
        await until(pilot, lambda: "Above your authority of 10,000.00" in shown(app, "#preview"))
        await pilot.press("tab", "tab", *"big win payout", "enter")
        await until(pilot, lambda: not isinstance(app.screen, AdjustForm))
        assert any(t.startswith("Sent for approval #") for t in _toasts(app))
    assert ann.manager.get_customer_balance_report(customer).current_balance == before
    waiting = ann.approvals.requests()
    assert [(r.maker, r.amount, r.reason) for r in waiting] == [
        ("ann", Decimal("15000.00"), "big win payout")
    ]


async def test_a_supervisor_hears_of_a_request_and_approves_it_on_screen_5(
    services, db_file
) -> None:  # type: ignore[no-untyped-def]
    ann, bob = person(db_file, "ann", "operator"), person(db_file, "bob", "supervisor")
    customer = _first_customer(services)
    before = bob.manager.get_customer_balance_report(customer).current_balance
    app = create_app(bob, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        # made on another connection while the supervisor's app runs
        request = ann.manager.update_balance(
            customer, None, Decimal("15000"), "deposit", "big win payout", "ann"
        ).request
        assert request is not None
        await until(pilot, lambda: any(t.startswith("Approval requested: #") for t in _toasts(app)))
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        table = app.screen.query_one("#approvals", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await until(pilot, lambda: "If approved now" in shown(app, "#approval-detail", 300))
        detail = shown(app, "#approval-detail", 300)
        assert "big win payout" in detail and "ann" in detail
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"called the customer", "enter")
        await until(pilot, lambda: any(t.startswith("Approved: #") for t in _toasts(app)))
        await until(pilot, lambda: table.row_count == 0)
    after = bob.manager.get_customer_balance_report(customer).current_balance
    assert after == before + Decimal("15000.00")
    decided = ann.approvals.get(request.id)
    assert (decided.status, decided.checker, decided.note) == (
        "approved",
        "bob",
        "called the customer",
    )


async def test_a_request_above_the_supervisors_authority_says_who_decides_it(
    services, db_file
) -> None:  # type: ignore[no-untyped-def]
    """Before any note is typed: the detail says the supervisor cannot decide it and who
    can, and approve and reject are greyed (pressing them opens nothing)."""
    ann, bob = person(db_file, "ann", "operator"), person(db_file, "bob", "supervisor")
    ann.manager.create_customer("BIG_1", "AGENT_001", vip_level="diamond")
    request = ann.manager.update_balance(
        "BIG_1", None, Decimal("150000"), "deposit", "jackpot", "ann"
    ).request
    assert request is not None
    app = create_app(bob, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        said = "You cannot decide it"
        await until(pilot, lambda: said in shown(app, "#approval-detail", 300))
        detail = " ".join(shown(app, "#approval-detail", 300).split())
        assert "above the authority of bob (100,000.00)" in detail
        assert "whose authority covers 150,000.00 decides it" in detail
        approve = app.screen.active_bindings["a"]
        assert not approve.enabled
        await pilot.press("a", "r")
        await settle(pilot, app)
        assert isinstance(app.screen, ApprovalsScreen)
    assert ann.approvals.get(request.id).status == "pending"


async def test_a_rejection_needs_a_reason_and_the_maker_hears_the_outcome(
    services, db_file
) -> None:  # type: ignore[no-untyped-def]
    ann, bob = person(db_file, "ann", "operator"), person(db_file, "bob", "supervisor")
    customer = _first_customer(services)
    request = ann.manager.update_balance(
        customer, None, Decimal("15000"), "deposit", "payout", "ann"
    ).request
    assert request is not None
    maker_app = create_app(ann, poll_seconds=0.05)
    async with maker_app.run_test(size=SIZE) as maker:
        await settle(maker, maker_app)
        await maker.press("5")
        await until(maker, lambda: isinstance(maker_app.screen, ApprovalsScreen))
        await settle(maker, maker_app)
        # the maker may not decide: the keys are hidden
        bindings = maker_app.screen.active_bindings
        assert "a" not in bindings or not bindings["a"].enabled
        bob.approvals.reject(request.id, "bob", "no documents")  # another connection
        await until(
            maker, lambda: any("Your request was rejected" in t for t in _toasts(maker_app))
        )
        assert any("no documents" in t for t in _toasts(maker_app))

    request = ann.manager.update_balance(
        customer, None, Decimal("15001"), "deposit", "payout", "ann"
    ).request
    app = create_app(bob, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        await settle(pilot, app)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press("enter")
        assert "a rejection needs a reason" in shown(app, "#note-error")
        assert isinstance(app.screen, NoteDialog)
        app.screen.query_one(Input).value = "duplicate of an earlier one"
        await pilot.press("enter")
        await until(pilot, lambda: any(t.startswith("Rejected: #") for t in _toasts(app)))
    assert ann.approvals.get(request.id).status == "rejected"


async def test_an_auditor_sees_no_adjust_form(services, db_file) -> None:  # type: ignore[no-untyped-def]
    dan = person(db_file, "dan", "auditor")
    app = create_app(dan, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "(auditor)" in app.sub_title
        bindings = app.screen.active_bindings
        for key in ("a", "n"):
            assert key not in bindings or not bindings[key].enabled
        await pilot.press("a")
        await settle(pilot, app)
        assert not isinstance(app.screen, AdjustForm)
        said = [m.message for m in app.message_log if "reads only" in m.message]
        assert said == [f"{dan.operator} is auditor: reads only, so adjust is not offered."]
        await pilot.press("2")  # history: no reverse either
        await settle(pilot, app)
        bindings = app.screen.active_bindings
        assert "r" not in bindings or not bindings["r"].enabled


async def test_a_reversal_above_authority_says_so_and_is_sent_for_approval(
    services, db_file
) -> None:  # type: ignore[no-untyped-def]
    """The reverse dialog warns before submit, and the outcome names the request: an
    operator told "rejected" would post the correction again."""
    customer = _first_customer(services)
    deposit = services.manager.update_balance(customer, None, "15000", "deposit", "dup", "ada")
    ann = person(db_file, "ann", "operator")
    before = ann.manager.get_customer_balance_report(customer).current_balance
    app = create_app(ann, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        table = app.screen.query_one("#events", DataTable)
        table.move_cursor(row=table.get_row_index(str(deposit.event.id)))
        await pilot.press("r")
        await until(pilot, lambda: "Above your authority of 10,000.00" in shown(app, "#preview"))
        await pilot.press(*"deposit was a duplicate", "enter")
        await until(pilot, lambda: any("Sent for approval #" in t for t in _toasts(app)))
        assert not any("reject" in t.lower() or "refused" in t.lower() for t in _toasts(app))
    assert ann.manager.get_customer_balance_report(customer).current_balance == before
    waiting = ann.approvals.requests()
    assert [(r.change_type, r.reverses_event_id) for r in waiting] == [
        ("reversal", deposit.event.id)
    ]
    toast = next(t for t in _toasts(app) if "Sent for approval" in t)
    assert f"#{waiting[0].id}" in toast


async def test_a_refused_reversal_stays_in_its_dialog_with_the_reason(services, db_file) -> None:  # type: ignore[no-untyped-def]
    services.manager.create_customer("ZZ1", "AG1", vip_level="bronze")
    deposit = services.manager.update_balance("ZZ1", None, "5000", "deposit", "in", "ada").event
    services.manager.update_balance("ZZ1", None, "-14000", "withdrawal", "out", "ada")
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        table = app.screen.query_one("#events", DataTable)
        table.move_cursor(row=table.get_row_index(str(deposit.id)))
        await pilot.press("r")
        await until(pilot, lambda: "below the bronze minimum" in shown(app, "#errors"))
        await pilot.press(*"bounced", "enter")
        await until(pilot, lambda: "Nothing was changed." in shown(app, "#errors"))
        assert "below the bronze minimum" in shown(app, "#errors")
    assert services.audit.get_event(deposit.id).reversed_by_event_id is None
    assert services.manager.get_customer("ZZ1").balance == Decimal("-9000.00")


async def test_overlapping_corrections_are_shown_together_and_a_duplicate_needs_a_note(
    services, db_file
) -> None:  # type: ignore[no-untyped-def]
    """A reversal and an adjustment of the same mistake both wait: the detail lists the
    customer's other pending request, the balance if both were approved, and approving
    the second one asks for a note before it applies the correction twice."""
    customer = _first_customer(services)
    mistake = services.manager.update_balance(customer, None, "15000", "deposit", "dup", "ada")
    ann, bob = person(db_file, "ann", "operator"), person(db_file, "bob", "supervisor")
    undo = ann.manager.reverse_event(mistake.event.id, "ann", "deposit was a duplicate").request
    fix = ann.manager.update_balance(customer, None, "-15000", "adjustment", "dup", "ann").request
    assert undo is not None and fix is not None
    now = bob.manager.get_customer_balance_report(customer).current_balance
    app = create_app(bob, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        await until(pilot, lambda: "Also pending" in shown(app, "#approval-detail", 300))
        detail = shown(app, "#approval-detail", 300)
        assert f"#{undo.id} reversal -15,000.00" in detail  # the newest (#fix) is highlighted
        assert f"If all 2 are approved: {now:,.2f} → {now - 30000:,.2f}" in detail
        assert f"#{undo.id} looks like the same correction" in detail
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press("enter")  # no note: asked again, nothing applied
        await until(pilot, lambda: "only with a note" in shown(app, "#note-error"))
        assert bob.manager.get_customer_balance_report(customer).current_balance == now
        await pilot.press("escape")
    assert {r.id for r in bob.approvals.requests()} == {undo.id, fix.id}


async def test_approving_says_which_alerts_it_will_raise(services, db_file) -> None:  # type: ignore[no-untyped-def]
    """A request that would drop the balance by most of it: the detail and the approve
    question name the alert approving it raises, and approving raises exactly that."""
    ann, bob = person(db_file, "ann", "operator"), person(db_file, "bob", "supervisor")
    customer = _first_customer(services)
    assert services.manager.update_balance(
        customer, None, Decimal("20000"), "deposit", "funding", "tester"
    ).success
    request = ann.manager.update_balance(
        customer, None, Decimal("-15000"), "withdrawal", "cash out", "ann"
    ).request
    assert request is not None
    assert bob.manager.preview_approval(request).alerts == ("significant_drop",)
    app = create_app(bob, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await until(pilot, lambda: "Will raise" in shown(app, "#approval-detail", 300))
        assert "significant drop" in shown(app, "#approval-detail", 300)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        assert "Will raise: significant drop" in app.screen.question
        await pilot.press(*"checked", "enter")
        await until(pilot, lambda: any(t.startswith("Approved: #") for t in _toasts(app)))
    raised = [a for a in bob.notifications.get_active_alerts() if a.customer_id == customer]
    assert "significant_drop" in {a.alert_type for a in raised}
