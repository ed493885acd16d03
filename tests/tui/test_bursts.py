"""Keys typed in one burst (a keyboard macro, a text expander, a fast typist), sent to a real
terminal in one write: each lands in the field it was typed for. Skipped without tmux."""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal

import pytest

from tests.tui.conftest import seeded_services
from tests.tui.tmux import Terminal

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.timeout(90),
]

REASON = ["7", "7", "8", "1"]


@pytest.mark.parametrize(
    ("burst", "kind"),
    [
        # a drop-down's habit: enter opens it, two down, enter picks, tab to the reason
        (["5", "0", "Tab", "Enter", "Down", "Down", "Enter", "Tab", *REASON, "Enter"], "wager"),
        # the type's letter
        (["5", "0", "Tab", "w", "Tab", *REASON, "Enter"], "withdrawal"),
        (["5", "0", "Tab", "s", "Tab", *REASON, "Enter"], "settlement"),
    ],
)
def test_a_change_typed_in_one_burst_lands_in_its_fields(
    db_file: str, burst: list[str], kind: str
) -> None:
    services = seeded_services(db_file)
    customer = services.manager.list_customers()[0].customer
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {db_file} --operator ann", 120, 36)
    try:
        terminal.wait_for("Screens")
        terminal.wait_for(customer.id)
        terminal.keys("a", *burst)  # one send-keys: one write to the terminal
        terminal.wait_for("Balance updated")
    finally:
        terminal.close()
    event = services.audit.get_balance_history(customer.id, limit=1)[0]
    assert (event.change_type, abs(event.amount), event.reason) == (kind, Decimal("50.00"), "7781")


def test_a_burst_into_an_open_form_follows_each_tab(db_file: str) -> None:
    """The form already open: ``12 tab w tab 7781 enter`` in one write posts a withdrawal
    of 12 with reason 7781 (the "w" once went into the amount)."""
    services = seeded_services(db_file)
    customer = services.manager.list_customers()[0].customer
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {db_file} --operator ann", 120, 36)
    try:
        terminal.wait_for(customer.id)
        terminal.keys("a")
        terminal.wait_for("Reason (required, audited)")
        terminal.keys("1", "2", "Tab", "w", "Tab", *REASON, "Enter")
        terminal.wait_for("Balance updated")
    finally:
        terminal.close()
    event = services.audit.get_balance_history(customer.id, limit=1)[0]
    assert (event.change_type, event.amount, event.reason) == (
        "withdrawal",
        Decimal("-12.00"),
        "7781",
    )


def test_keys_typed_behind_a_filters_enter_reach_the_table(db_file: str) -> None:
    """``/CUSTOMER_00016 enter a 7 tab tab burst enter`` in one write filters, then opens
    the adjust form for the customer found and posts 7 with reason "burst"; nothing of it
    is typed into the filter."""
    services = seeded_services(db_file)
    customer = "CUSTOMER_00016"
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {db_file} --operator ann", 120, 36)
    try:
        terminal.wait_for("Screens")
        terminal.keys("/", *customer, "Enter", "a", "7", "Tab", "Tab", *"burst", "Enter")
        terminal.wait_for("Balance updated")
    finally:
        terminal.close()
    event = services.audit.get_balance_history(customer, limit=1)[0]
    assert (event.change_type, event.amount, event.reason) == ("deposit", Decimal("7.00"), "burst")


def test_a_reason_pasted_behind_two_tabs_is_posted(db_file: str) -> None:
    """``a 50 tab tab`` and then a reason pasted at once: the paste lands in the reason."""
    services = seeded_services(db_file)
    customer = services.manager.list_customers()[0].customer
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {db_file} --operator ann", 120, 36)
    try:
        terminal.wait_for(customer.id)
        terminal.keys("a", "5", "0", "Tab", "Tab")
        terminal.paste("Pasted: bank transfer TX78806097")
        terminal.keys("Enter")
        terminal.wait_for("Balance updated")
    finally:
        terminal.close()
    event = services.audit.get_balance_history(customer.id, limit=1)[0]
    assert (event.amount, event.reason) == (Decimal("50.00"), "Pasted: bank transfer TX78806097")


def test_250_downs_in_one_burst_cross_the_page_boundary_without_losing_one(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    """The first page holds 200 rows; 250 × ↓ typed at once end on row 251, the next page
    read while the keys arrive."""
    db_file = str(tmp_path / "many.db")
    seeded_services(db_file, customers=400, events=400).db.close()
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {db_file} --operator ann", 120, 36)
    try:
        terminal.wait_for("row 1 of")
        terminal.keys(*["Down"] * 250)
        terminal.wait_for("row 251 of 400", seconds=60)
    finally:
        terminal.close()
