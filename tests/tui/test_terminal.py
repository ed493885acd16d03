"""What Pilot cannot show: the app in a real terminal (tmux), keys typed faster than the
app can mount a form while it quits. Skipped where tmux is not installed."""

from __future__ import annotations

import shutil
import sys

import pytest

from tests.tui.conftest import seeded_services
from tests.tui.tmux import Terminal

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.timeout(90),
]


@pytest.mark.parametrize("form_key", ["a", "n"])
def test_quitting_while_a_form_opens_exits_cleanly(db_file: str, form_key: str) -> None:
    """'qa' / 'qn' typed fast quit cleanly, whatever the form was doing."""
    seeded_services(db_file).db.close()
    command = (
        f"{sys.executable} -m balance_tui --db {db_file} --operator ann; echo EXIT=$?; sleep 30"
    )
    terminal = Terminal(command, 80, 24)
    try:
        terminal.wait_for("Screens")  # the footer: the app is up
        terminal.keys("q", form_key)
        pane = terminal.wait_for("EXIT=")
        assert "EXIT=0" in pane and "NoMatches" not in pane and "Traceback" not in pane
    finally:
        terminal.close()


@pytest.mark.parametrize(
    ("screen", "crumb"),
    [("1", " Customers · row"), ("2", " History · row"), ("3", " Alerts · "), ("4", "Analytics")],
)
def test_a_filter_typed_right_behind_the_slash_is_not_lost(
    db_file, screen, crumb, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Found while timing 100,000 customers: '/maya<enter>' sent at once lost the letters
    (focus moves to the filter box a moment after '/'), and they hit the table's keys
    (U sorted by usage, enter opened a card). A failure shows where each key went."""
    seeded_services(db_file).db.close()
    key_log = tmp_path / "keys.log"
    terminal = Terminal(
        f"BALANCE_TUI_KEY_LOG={key_log} {sys.executable} -m balance_tui --db {db_file} "
        "--operator ann",
        120,
        36,
    )
    try:
        terminal.wait_for("Screens")
        terminal.keys(screen)
        terminal.wait_for(crumb)  # the screen is up: what is raced is "/" and the text
        word = "CUSTOMER_00017"
        terminal.keys("/", *word, "Enter")
        try:
            pane = terminal.wait_for(word if screen == "4" else f"filter {word}")
        except AssertionError as lost:
            trace = key_log.read_text() if key_log.exists() else "(no key log)"
            raise AssertionError(f"{lost}\nwhere the keys went:\n{trace}") from None
        assert "›" not in pane.splitlines()[-2]  # no card opened (the breadcrumb says so)
    finally:
        terminal.close()


def test_the_first_frame_reaches_the_terminal_whole(db_file: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Found timing the start-up: Textual drew the whole first screen inside its start-up
    batch and threw the frame away, so the terminal first got the header, the status line
    and the keys around an empty table, and the rows only with a later full update. What
    the terminal receives first must be the screen with its rows."""
    seeded_services(db_file).db.close()
    written = tmp_path / "terminal.out"
    terminal = Terminal(
        f"read go; exec {sys.executable} -m balance_tui --db {db_file} --operator ann", 120, 36
    )
    try:
        terminal.record(str(written))
        terminal.keys("Enter")  # the app starts only now, with every byte recorded
        terminal.wait_for("Screens")
        terminal.wait_for("CUSTOMER_00001")
        output = written.read_text(encoding="utf-8", errors="replace")
        first_row = output.index("CUSTOMER_00001")
        for around in ("Screens", "row 1 of"):  # the keys line, the status line
            assert first_row < output.index(around), f"{around!r} was drawn before any row"
    finally:
        terminal.close()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_the_app_starts_visits_every_screen_and_quits_cleanly(db_file: str, size) -> None:  # type: ignore[no-untyped-def]
    """On this Python (CI runs it on 3.11, 3.12 and 3.13) the app comes up in a real
    terminal, shows each screen and quits with status 0 and no traceback."""
    seeded_services(db_file).db.close()
    command = (
        f"{sys.executable} -m balance_tui --db {db_file} --operator ann 2>&1; "
        "echo EXIT=$?; sleep 30"
    )
    terminal = Terminal(command, *size)
    try:
        terminal.wait_for("Screens")
        for key, crumb in (("2", "History ·"), ("3", "Alerts ·"), ("1", "Customers ·")):
            terminal.keys(key)
            terminal.wait_for(crumb)
        terminal.keys("q")
        pane = terminal.wait_for("EXIT=")
        assert "EXIT=0" in pane and "Traceback" not in pane, pane
    finally:
        terminal.close()


def test_a_crash_in_the_app_exits_non_zero(db_file: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A TUI that fails (here a screen that raises as it mounts) ends with status 1, so a
    script or a service manager sees it, not 0."""
    seeded_services(db_file).db.close()
    script = tmp_path / "failing.py"
    script.write_text(
        "import sys\n"
        "from balance_tui import cli\n"
        "from balance_tui.tui.screens.customers import CustomersScreen\n"
        "def fail(self):\n"
        "    raise RuntimeError('a screen that fails')\n"
        "CustomersScreen.on_mount = fail\n"
        f"sys.exit(cli.main(['--db', {db_file!r}]))\n"
    )
    terminal = Terminal(f"{sys.executable} {script} 2>&1; echo EXIT=$?; sleep 30", 80, 24)
    try:
        pane = terminal.wait_for("EXIT=")
        assert "EXIT=1" in pane, pane
    finally:
        terminal.close()
