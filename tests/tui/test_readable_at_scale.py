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
from pathlib import Path

import pytest

from tests.tui.tmux import Terminal

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
    ("customer card", "Enter", "Used 7 d"),
    ("customer card, further down", "PageDown", "Last events"),
    ("customers again", "Escape", "sort id"),
    ("history", "2", "Event #"),
    ("alerts", "3", "Alert #"),
    ("analytics, monthly", "4", "This period"),
    ("analytics, last 365 days", "p", "last 365 days ·"),
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


def _settled(terminal: Terminal, marker: str, seconds: float = 60) -> str:
    """The pane once ``marker`` shows and two looks a moment apart agree (drawing done)."""
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        pane = terminal.pane()
        if marker in pane and "Computing" not in pane and pane == last:
            return pane
        last = pane
        time.sleep(0.3)
    raise AssertionError(f"{marker!r} never settled on screen:\n{terminal.pane()}")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_no_figure_is_cut_by_an_ellipsis(million_book: str, size: tuple[int, int]) -> None:
    assert Path(million_book).exists()
    command = f"{sys.executable} -m balance_tui --db {million_book} --operator ann"
    terminal = Terminal(command, *size)
    cut: list[str] = []
    try:
        assert terminal.size() == size
        for what, key, marker in WALK:
            if key:
                terminal.keys(key)
            pane = _settled(terminal, marker)
            cut += [
                f"{what}: {line.strip()}" for line in pane.splitlines() if CUT_NUMBER.search(line)
            ]
    finally:
        terminal.close()
    assert cut == []
