"""Key-to-screen latency on History with 150 pages loaded: quiet, and while another process
posts two changes a second (each one brings a new row to the top of the loaded history).

Run: python -m tests.benchmarks.bench_history_keys
Headless (Textual's Pilot): each figure is the time from a key press until the app has
processed it and every message it caused, including the repaint. Same app, same book, same
keys on both sides, in one run; target: p95 under live writes within 1.5x of quiet.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.app import create_app

PAGES = 150
PRESSES = 120

WRITER = textwrap.dedent("""
    import sys, time
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="writer")
    codes = [c.customer.id for c in services.manager.list_customers(limit=20)]
    end = time.monotonic() + float(sys.argv[2])
    i = 0
    while time.monotonic() < end:
        services.manager.update_balance(codes[i % len(codes)], None, "1", "deposit", "bench", "w")
        i += 1
        time.sleep(0.5)
    print(i)
""")


async def _latencies(path: str, writes: bool) -> tuple[list[float], int]:
    services = build_services(connect(path), Settings(), operator="bench")
    app = create_app(services)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        table = app.screen.query_one("#events")
        deadline = time.monotonic() + 300
        while table.row_count < PAGES * 50 and time.monotonic() < deadline:
            await pilot.press("pagedown")
            others = [w for w in app.workers if w.group != "watch-poll"]
            if others:
                await app.workers.wait_for_complete(others)
            await pilot.pause()
        loaded = table.row_count
        writer = None
        if writes:
            writer = subprocess.Popen(
                [sys.executable, "-c", WRITER, path, "60"], stdout=subprocess.PIPE, text=True
            )
            await pilot.pause(1.0)
        out = []
        for i in range(PRESSES):
            key = "down" if i % 2 == 0 else "up"
            started = time.perf_counter()
            await pilot.press(key)  # returns once the key and what it caused are processed
            out.append((time.perf_counter() - started) * 1000)
            await pilot.pause(0.05)  # an operator's pace, so writes land between presses
        if writer is not None:
            writer.kill()
            writer.wait()
    services.db.close()
    return out, loaded


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/history.db"
        db = connect(path)
        initialize_balance_tables(db)
        services = build_services(db, Settings(), operator="setup")
        generate_demo(services, customers=200, days=30, events=PAGES * 50 + 2_000, seed=5)
        db.close()
        quiet, loaded = asyncio.run(_latencies(path, writes=False))
        busy, _ = asyncio.run(_latencies(path, writes=True))
    print(f"History, {loaded:,} rows loaded ({PAGES} pages), {PRESSES} key presses each")
    print(f"{'key to screen (ms)':<40}{'quiet':>10}{'2 writes/s':>12}")
    print(f"{'p50':<40}{statistics.median(quiet):>10.1f}{statistics.median(busy):>12.1f}")
    print(f"{'p95':<40}{_p95(quiet):>10.1f}{_p95(busy):>12.1f}")
    print(f"{'max':<40}{max(quiet):>10.1f}{max(busy):>12.1f}")
    print(f"p95 ratio {_p95(busy) / _p95(quiet):.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
