"""A whole shift in a real terminal (tmux) at 80×24 and 160×45, with another operator's
process writing all along: find a customer, adjust, acknowledge a banner and an alert with
their undo windows, read the history, the calendar month in Analytics, approvals, the keys
help, and quit cleanly; afterwards the book verifies and holds exactly what was done.

Run it alone with ``pytest -m shift``. Skipped without tmux."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tui.conftest import seeded_services
from tests.tui.tmux import Terminal

pytestmark = [
    pytest.mark.shift,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.timeout(240),
]

#: Another operator, in another process: a deposit now and then, and one withdrawal big
#: enough to raise an alert on the customer the walk does not touch; stops when told.
WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="erin")
    go, stop = Path(sys.argv[2]), Path(sys.argv[3])
    for _ in range(600):  # the drain waits for the app to be up (its banner must show)
        if go.exists():
            break
        time.sleep(0.3)
    customer = services.manager.list_customers()[9].customer
    services.manager.update_balance(
        customer.id, None, -(customer.balance - 20), "adjustment", "erin drains", "erin"
    )
    for round_ in range(600):
        if stop.exists():
            break
        services.manager.update_balance(customer.id, None, "1", "deposit", "erin", "erin")
        time.sleep(0.3)
""")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_a_whole_shift_with_another_operator_writing(db_file: str, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    services = seeded_services(db_file)
    walked = services.manager.list_customers()[4].customer
    drained = services.manager.list_customers()[9].customer
    go, stop = tmp_path / "go", tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, db_file, str(go), str(stop)])
    key_log = tmp_path / "keys.log"
    command = (
        f"BALANCE_TUI_KEY_LOG={key_log} "
        f"{sys.executable} -m balance_tui --db {db_file} --operator ann 2>&1; "
        "echo EXIT=$?; sleep 60"
    )
    terminal = Terminal(command, *size)
    try:
        terminal.wait_for("Screens")
        # find the customer, adjust
        terminal.keys("/", *walked.id, "Enter")
        terminal.wait_for(f"filter {walked.id}")
        terminal.keys("a")
        terminal.wait_for("Reason (required, audited)")
        terminal.keys("2", "5", "Tab", "d", "Tab", *"shift walk", "Enter")
        terminal.wait_for("Balance updated")
        # the other operator's alert arrives as a banner: acknowledge it, let it be written
        go.touch()
        terminal.wait_for(drained.id, seconds=60)
        terminal.keys("b")
        terminal.wait_for("acknowledging in")
        terminal.wait_for("Acknowledged alert", seconds=30)
        # the history shows the change; the alerts screen, the calendar month, approvals
        terminal.keys("2")
        terminal.wait_for("History ·")
        terminal.keys("/", *walked.id, "Enter")
        terminal.wait_for(f"filter {walked.id}")
        terminal.wait_for("+25.00")
        terminal.keys("3")
        terminal.wait_for("Alerts ·")
        terminal.keys("4")
        terminal.wait_for("Analytics")
        terminal.keys("m")
        terminal.wait_for(f"month {datetime.now(UTC):%Y-%m}")
        terminal.keys("5")
        terminal.wait_for("Approvals ·")
        terminal.keys("?")
        terminal.wait_for("Keys on Approvals")
        terminal.keys("Escape")  # (alone: escape and a key at once read as alt+key)
        terminal.wait_until_gone("Keys on Approvals")
        terminal.keys("1")
        terminal.wait_for("Customers ·")
        terminal.keys("q")
        try:
            pane = terminal.wait_for("EXIT=")
        except AssertionError:
            raise AssertionError(key_log.read_text()[-2000:]) from None
        assert "EXIT=0" in pane and "Traceback" not in pane, pane
    finally:
        go.touch()
        stop.touch()
        writer.wait(timeout=60)
        terminal.close()
    event = services.audit.get_balance_history(walked.id, limit=1)[0]
    assert (event.reason, event.amount, event.performed_by) == ("shift walk", 25, "ann")
    report = services.verifier.verify()
    assert report.ok, report.problems
