"""On the 10^6-event demo, in a real terminal at 80×24 and 160×45, no screen shows a money
figure or a count cut by an ellipsis ("3,385,341…", "+27,355,483.…").

Builds the demo book once for the module (about a minute; set BALANCE_TUI_MILLION_DB to a
book made with ``demo --customers 1000 --days 365 --events 1000000`` to reuse one)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.tmux import pane as shown_in

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.timeout(900),
]

#: A number cut by an ellipsis: digits (with separators) right before "…" or right after it.
CUT_NUMBER = re.compile(r"[0-9][0-9,.]*…|…[-+]?[0-9]")
#: (what, the key that gets there, text that says the screen is drawn). One key a step:
#: Escape followed at once by another key would reach the app as alt+key.
WALK = (
    ("customers", None, "sort id"),
    ("customer card", "Enter", "Last events"),
    ("customers again", "Escape", "sort id"),
    ("history", "2", "Event #"),
    ("alerts", "3", "Alert #"),
    ("analytics, monthly", "4", "This period"),
    ("analytics, yearly", "p", "yearly ·"),
    ("analytics, further down", "PageDown", "deposit"),
    ("analytics, the chart", "PageDown", "└"),
)


@pytest.fixture(scope="module")
def million_book(tmp_path_factory: pytest.TempPathFactory) -> str:
    given = os.environ.get("BALANCE_TUI_MILLION_DB")
    if given:
        return given
    path = tmp_path_factory.mktemp("scale") / "million.db"
    subprocess.run(
        [
            sys.executable, "-m", "balance_tui", "--db", str(path), "demo",
            "--customers", "1000", "--days", "365", "--events", "1000000",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(path)


def _settled(session: str, marker: str, seconds: float = 60) -> str:
    """The pane once ``marker`` shows and two looks a moment apart agree (drawing done)."""
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        pane = shown_in(session)
        if marker in pane and "Computing" not in pane and pane == last:
            return pane
        last = pane
        time.sleep(0.3)
    raise AssertionError(f"{marker!r} never settled on screen:\n{shown_in(session)}")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_no_figure_is_cut_by_an_ellipsis(million_book: str, size: tuple[int, int]) -> None:
    assert Path(million_book).exists()
    session = f"scale-{uuid.uuid4().hex[:8]}"
    command = f"{sys.executable} -m balance_tui --db {million_book} --operator ann"
    width, height = size
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command],
        check=True,
    )
    cut: list[str] = []
    try:
        for what, key, marker in WALK:
            if key:
                subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
            pane = _settled(session, marker)
            cut += [
                f"{what}: {line.strip()}" for line in pane.splitlines() if CUT_NUMBER.search(line)
            ]
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert cut == []
