"""The app at scale: start to the first customers screen, and peak memory, 10^6 vs 10^3 events.

Each figure comes from a fresh process. Start time is measured against a minimal Textual app
(Header, a DataTable with as many rows as our first screen shows, Footer) timed to the same
event, fifteen fresh processes each, alternating (the speed of the hosts these figures come
from wanders by a quarter, at times by a half, from one second to the next: each ratio is
also given as the median of the rounds' own ratios): headless (Pilot: the table has its
rows; ours started as ``balance-tui`` starts it, the garbage collector off from the start
to the first frame, and, for comparison, with the collector on throughout), and in a
real terminal (tmux 160x45, from launching the command to the first row on screen; ours is
the ``balance-tui`` command as an operator runs it).
With BALANCE_BENCH_10M naming the 10^7-event demo book (``demo --customers 100000 --days
365 --events 10000000``), also its peak memory and first rows against a book of the same
shape with 10^5 events (medians of three fresh processes each, alternating).

Both sides load their code as installed: ``pip install`` byte-compiles Textual, and
``pip install .`` (the README's run command) byte-compiles balance-tui, so the package is
byte-compiled here first. A checkout that cannot write ``__pycache__``
(PYTHONDONTWRITEBYTECODE=1, as on the machines these figures come from) would otherwise
compile every module of ours from source at every start while Textual's come from their
``.pyc``: 0.13 s that no installed copy spends.

Run: python -m tests.benchmarks.bench_app
"""

from __future__ import annotations

import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.screens.customers import FIRST_ROWS
from tests.benchmarks.common import BIG_DB, PEAK_MB, big_services
from tests.tui.tmux import Terminal

SMALL_DB = Path("/tmp/balance-bench-1k.db")
#: 100,000 customers and 10^5 events: what the 10^7-event demo book is compared with.
HUNDRED_K_EVENTS = Path("/tmp/balance-bench-100kc-100k.db")
#: Fresh processes per side for each start-up figure.
SAMPLES = 15

#: Ours started as ``balance-tui`` starts it (``launch.main``, ``cli.main``, then
#: ``cli.run_tui``): the garbage collector off from the start to the first frame, then what
#: start-up made frozen and the collector back on.
#: ``COLLECTOR_ON`` runs the same with the collector on throughout, for comparison.
OURS = PEAK_MB + textwrap.dedent("""
    import asyncio, gc, json, os, resource, sys, time
    started = time.perf_counter()
    QUIET = COLLECTOR_OFF_UNTIL_FIRST_FRAME
    if QUIET:
        gc.disable()  # as balance_tui.launch does, before the program loads
    import balance_tui.cli  # what `balance-tui` imports
    from balance_tui.services import open_services
    async def main():
        services = open_services(sys.argv[1])
        from balance_tui.tui.app import create_app
        app = create_app(services)
        if QUIET:
            app.after_first_frame.append(lambda: (gc.freeze(), gc.enable()))
        async with app.run_test(size=(160, 45)) as pilot:
            while not app.screen.query("#customers") or not app.screen.query_one(
                    "#customers").row_count:
                await pilot.pause(0.005)
            first = time.perf_counter() - started
            if sys.argv[2:] == ["stop"]:  # (instructions to this event: see _instructions)
                os._exit(0)
            for key in "23451":
                await pilot.press(key)
                # every worker but the change poller, which runs for the app's life
                busy = [w for w in app.workers if w.group != "watch-poll"]
                if busy:
                    await app.workers.wait_for_complete(busy)
                await pilot.pause(0.2)
        print(json.dumps({"first_screen_s": first, "peak_mb": peak_mb()}))
    asyncio.run(main())
""")
COLLECTOR_ON = OURS.replace("COLLECTOR_OFF_UNTIL_FIRST_FRAME", "False")
OURS = OURS.replace("COLLECTOR_OFF_UNTIL_FIRST_FRAME", "True")

HELLO = textwrap.dedent("""
    import asyncio, json, os, sys, time
    started = time.perf_counter()
    from textual.app import App
    from textual.widgets import DataTable, Footer, Header
    class Hello(App):
        def compose(self):
            yield Header(); yield DataTable(); yield Footer()
        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_columns("id", "name", "balance")
            for i in range(int(sys.argv[1])):
                table.add_row(f"C{i}", f"name {i}", f"{i}.00", key=str(i))
    async def main():
        app = Hello()
        async with app.run_test(size=(160, 45)) as pilot:
            while not app.query_one(DataTable).row_count:
                await pilot.pause(0.005)
            if sys.argv[2:] == ["stop"]:
                os._exit(0)
            print(json.dumps({"first_screen_s": time.perf_counter() - started}))
    asyncio.run(main())
""")


#: The minimal app as a program, for the terminal: the same app, run for real.
HELLO_PROGRAM = HELLO.split("async def main():")[0] + "Hello().run()\n"


def _on_screen(command: str, row: str) -> float:
    """Seconds from launching ``command`` in tmux (160x45) to ``row`` on the screen."""
    started = time.perf_counter()
    terminal = Terminal(command, 160, 45)
    try:
        while time.perf_counter() - started < 60:
            if row in terminal.pane():
                return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError(f"{row!r} never showed: {command}")
    finally:
        terminal.close()


def _run(script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _instructions(script: str, *args: str) -> int | None:
    """Instructions a fresh process runs to the first rows (callgrind; None without
    valgrind). Unlike time, the count does not move with the host's load: run to run it
    varies by about 0.1 % here, where seconds vary by a quarter."""
    if shutil.which("valgrind") is None:
        return None
    callgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = subprocess.run(
        [*callgrind, sys.executable, "-c", script, *args, "stop"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def _small_db() -> None:
    if SMALL_DB.exists():
        return
    db = connect(str(SMALL_DB))
    initialize_balance_tables(db)
    generate_demo(build_services(db, Settings()), customers=10_000, days=365, events=1_000)
    db.close()


def _demo_db(path: Path, events: int) -> None:
    """A book like the issue's demo (100,000 customers, a year) with ``events`` events."""
    if path.exists():
        return
    db = connect(str(path))
    initialize_balance_tables(db)
    generate_demo(build_services(db, Settings()), customers=100_000, days=365, events=events)
    db.close()


def _as_installed() -> None:
    """Byte-compile balance_tui, as ``pip install .`` does (see the module's docstring)."""
    import balance_tui

    compileall.compile_dir(Path(balance_tui.__file__).parent, quiet=1)


def main() -> None:
    _as_installed()
    big_services().db.close()
    _small_db()
    hellos, ours, collecting = [], [], []
    for _ in range(SAMPLES):
        hellos.append(_run(HELLO, str(FIRST_ROWS))["first_screen_s"])
        ours.append(_run(OURS, str(BIG_DB))["first_screen_s"])
        collecting.append(_run(COLLECTOR_ON, str(BIG_DB))["first_screen_s"])
    hello = statistics.median(hellos)
    paired = statistics.median(o / h for o, h in zip(ours, hellos, strict=True))
    big = _run(OURS, str(BIG_DB))
    big["first_screen_s"] = statistics.median(ours)
    small = _run(OURS, str(SMALL_DB))
    with tempfile.TemporaryDirectory() as scratch:
        program = Path(scratch) / "hello.py"
        program.write_text(HELLO_PROGRAM)
        ours_command = f"{sys.executable} -m balance_tui --db {BIG_DB} --operator bench"
        hello_command = f"{sys.executable} {program} {FIRST_ROWS}"
        terminal_hellos, terminal_ours = [], []
        for _ in range(SAMPLES):
            terminal_hellos.append(_on_screen(hello_command, "name 0 "))
            terminal_ours.append(_on_screen(ours_command, "CUSTOMER_00001 "))
    in_terminal = statistics.median(terminal_hellos), statistics.median(terminal_ours)
    terminal_paired = statistics.median(
        o / h for o, h in zip(terminal_ours, terminal_hellos, strict=True)
    )
    print(f"{'figure':<58}{'baseline':>10}{'ours':>10}{'ratio':>8}")
    print(
        f"{f'start to first {FIRST_ROWS} rows, 10^6 events (s) vs minimal app':<58}"
        f"{hello:>10.2f}{big['first_screen_s']:>10.2f}{big['first_screen_s'] / hello:>8.2f}"
    )
    print(f"{'  the same, ratio of each round (median)':<58}{'':>10}{'':>10}{paired:>8.2f}")
    print(
        f"{'  ours with the garbage collector on throughout':<58}"
        f"{hello:>10.2f}{statistics.median(collecting):>10.2f}"
        f"{statistics.median(collecting) / hello:>8.2f}"
    )
    print(
        f"{'the same in tmux 160x45, launch to first row on screen (s)':<58}"
        f"{in_terminal[0]:>10.2f}{in_terminal[1]:>10.2f}{in_terminal[1] / in_terminal[0]:>8.2f}"
    )
    print(
        f"{'  the same, ratio of each round (median)':<58}{'':>10}{'':>10}{terminal_paired:>8.2f}"
    )
    counted = _instructions(HELLO, str(FIRST_ROWS)), _instructions(OURS, str(BIG_DB))
    if counted[0] and counted[1]:
        print(
            f"{'  instructions to the first rows (callgrind, millions)':<58}"
            f"{counted[0] / 1e6:>10.0f}{counted[1] / 1e6:>10.0f}{counted[1] / counted[0]:>8.2f}"
        )
    print(
        f"{'peak memory after all screens, 10^6 vs 10^3 events (MB)':<58}"
        f"{small['peak_mb']:>10.0f}{big['peak_mb']:>10.0f}{big['peak_mb'] / small['peak_mb']:>8.2f}"
    )
    ten = os.environ.get("BALANCE_BENCH_10M")
    if ten:  # the demo book: 100,000 customers, 10^7 events; against 10^5 events
        _demo_db(HUNDRED_K_EVENTS, events=100_000)
        runs: dict[str, list[dict[str, float]]] = {"few": [], "many": []}
        for _ in range(3):  # alternating; the first read of a 4 GB book may find it cold
            runs["few"].append(_run(OURS, str(HUNDRED_K_EVENTS)))
            runs["many"].append(_run(OURS, ten))
        few, many = (
            {key: statistics.median(r[key] for r in runs[side]) for key in runs[side][0]}
            for side in ("few", "many")
        )
        print(
            f"{'peak memory after all screens, 10^7 vs 10^5 events (MB)':<58}"
            f"{few['peak_mb']:>10.0f}{many['peak_mb']:>10.0f}"
            f"{many['peak_mb'] / few['peak_mb']:>8.2f}"
        )
        print(
            f"{'start to first rows, 10^7 vs 10^5 events (s)':<58}"
            f"{few['first_screen_s']:>10.2f}{many['first_screen_s']:>10.2f}"
            f"{many['first_screen_s'] / few['first_screen_s']:>8.2f}"
        )


if __name__ == "__main__":
    main()
