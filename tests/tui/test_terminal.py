"""What Pilot cannot show: the app in a real terminal (tmux), keys typed faster than the
app can mount a form while it quits. Skipped where tmux is not installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tests.tui.conftest import seeded_services
from tests.tui.tmux import pane as shown_in

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.timeout(90),
]


def _wait_for(session: str, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pane = shown_in(session)
        if text in pane:
            return pane
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared:\n{shown_in(session)}")


@pytest.mark.parametrize("form_key", ["a", "n"])
def test_quitting_while_a_form_opens_exits_cleanly(db_file: str, form_key: str) -> None:
    """Defect 11: 'qa' / 'qn' typed fast crashed with NoMatches on the form."""
    seeded_services(db_file).db.close()
    session = f"balance-{uuid.uuid4().hex[:8]}"
    command = (
        f"{sys.executable} -m balance_tui --db {db_file} --operator ann; echo EXIT=$?; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True
    )
    try:
        _wait_for(session, "Screens")  # the footer: the app is up
        subprocess.run(["tmux", "send-keys", "-t", session, "q", form_key], check=True)
        pane = _wait_for(session, "EXIT=")
        assert "EXIT=0" in pane and "NoMatches" not in pane and "Traceback" not in pane
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
