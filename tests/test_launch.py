"""The ``balance-tui`` command loads with the garbage collector off, and gives it back.

Loading the program makes objects that live as long as it does; collecting among them
while they are made is start-up time spent for nothing. A sub-command (verify, a demo of
10^7 events) must still collect its garbage as it goes, and so must the TUI once its first
frame is drawn (``test_startup``)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

from balance_tui import launch
from balance_tui.cli import main

#: A fresh process, as the command starts: how many collections ran while it loaded.
LOADING = textwrap.dedent("""
    import gc, json, sys
    from balance_tui.launch import main
    before = sorted(m for m in sys.modules if m.startswith(("balance_tui", "peewee", "textual")))
    collections = []
    gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(1))
    code = main(["--help"])  # loads the whole command line, then prints its help
    print(json.dumps({"code": code, "collections": len(collections), "before": before,
                      "enabled": gc.isenabled(), "loaded": "balance_tui.cli" in sys.modules}))
""")


def test_the_command_is_the_launcher() -> None:
    (script,) = entry_points(group="console_scripts", name="balance-tui")
    assert script.value == "balance_tui.launch:main"


def test_nothing_is_collected_while_the_command_loads() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADING], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == ["balance_tui", "balance_tui.launch"]  # the switch comes first
    assert seen["loaded"] and seen["code"] == 0
    assert seen["collections"] == 0
    assert seen["enabled"]  # and the collector is back on when it returns


def test_a_command_collects_its_garbage_as_it_goes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Launched with the collector off, a sub-command turns it back on before it runs."""
    book = str(tmp_path / "book.db")
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    gc.disable()
    try:
        assert main(["--db", book, "demo", "--customers", "50", "--events", "500"]) == 0
    finally:
        gc.callbacks.remove(count)
        gc.enable()
    assert collections  # the demo's objects were collected while it ran
    assert "50 customers" in capsys.readouterr().out


def test_the_launcher_gives_the_collector_back_whatever_happens(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert launch.main(["--db", str(tmp_path / "x.db"), "report", "NOBODY"]) != 0
    assert gc.isenabled()
    assert capsys.readouterr().err.count("\n") == 1
