"""The customers screen over 100,000 customers, in a real terminal (tmux, 160x45): time to
the first rows, then a filter typed as soon as they show, timed to its answer on screen,
and a sort by balance typed after that, timed to the sorted top row.

Run: python -m tests.benchmarks.bench_customers [BOOK]   (BOOK: a 10^5-customer demo book,
made on first use at /tmp/balance-bench-100k.db)
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.tui.tmux import Terminal

BOOK = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/balance-bench-100k.db")
LIMIT_S = 120.0


def _until(terminal: Terminal, found, since: float) -> float:  # type: ignore[no-untyped-def]
    while time.perf_counter() - since < LIMIT_S:
        if found(terminal.pane()):
            return time.perf_counter() - since
        time.sleep(0.02)
    return float("inf")


def main() -> None:
    if not BOOK.exists():
        subprocess.run(
            [sys.executable, "-m", "balance_tui", "--db", str(BOOK), "demo",
             "--customers", "100000", "--days", "365", "--events", "500000"],
            check=True,
        )  # fmt: skip
    started = time.perf_counter()
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {BOOK} --operator bench", 160, 45)
    try:
        first = _until(terminal, lambda pane: "CUSTOMER_000001" in pane, started)
        typed = time.perf_counter()
        terminal.keys("/", *"CUSTOMER_09999", "Enter")
        filtered = _until(
            terminal,
            lambda pane: "CUSTOMER_099999" in pane and "CUSTOMER_000001" not in pane,
            typed,
        )
    finally:
        terminal.close()
    richest = str(
        sqlite3.connect(str(BOOK))
        .execute("SELECT code FROM customer ORDER BY balance_cents DESC, code LIMIT 1")
        .fetchone()[0]
    )
    started = time.perf_counter()
    terminal = Terminal(f"{sys.executable} -m balance_tui --db {BOOK} --operator bench", 160, 45)
    try:
        _until(terminal, lambda pane: "CUSTOMER_000001" in pane, started)
        typed = time.perf_counter()
        terminal.keys("B")
        rows = [" " + richest + " "]
        ordered = _until(terminal, lambda pane: pane.splitlines()[3].startswith(rows[0]), typed)
    finally:
        terminal.close()
    print(f"{'figure (s)':<60}{'ours':>10}")
    print(f"{'start to the first rows':<60}{first:>10.2f}")
    print(f"{'filter typed at first rows, to its answer on screen':<60}{filtered:>10.2f}")
    print(f"{'sort by balance typed at first rows, to the richest on top':<60}{ordered:>10.2f}")


if __name__ == "__main__":
    main()
