"""The keys line at the bottom of every screen: a focus change, with ``KeyBar`` against
Textual's compact ``Footer`` in the same app.

``Footer`` mounts a widget per key and mounts them all again whenever the bindings change;
``KeyBar`` redraws one line. The figure is a round trip an operator makes all day: ``/`` into
the filter box and ``esc`` back to the table, each key until the screen has settled (the
keys line redrawn). Same app, same book (the 10^6-event book, 10,000 customers), fresh
processes alternating the two sides; the Footer side swaps ``Footer`` in for ``KeyBar`` on
every screen.

Run: python -m tests.benchmarks.bench_keys_line
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import textwrap

from tests.benchmarks.common import BIG_DB, big_services

ROUNDS = 30

ROUND_TRIPS = textwrap.dedent("""
    import asyncio, importlib, json, sys, time
    from balance_tui.services import open_services
    from balance_tui.tui.app import LATER_SCREENS, create_app
    if sys.argv[2] == "footer":
        from textual.widgets import Footer
        def footer():
            return Footer(compact=True, show_command_palette=False)
        for module in ["customers", "card", "dialogs", *[m for m, _ in LATER_SCREENS.values()]]:
            module = importlib.import_module(
                module if "." in module else f"balance_tui.tui.screens.{module}")
            if hasattr(module, "KeyBar"):
                module.KeyBar = footer
    async def main():
        app = create_app(open_services(sys.argv[1]))
        async with app.run_test(size=(160, 45)) as pilot:
            while not app.screen.query_one("#customers").row_count:
                await pilot.pause(0.01)
            await pilot.pause(0.5)
            times = []
            for _ in range(int(sys.argv[3])):
                started = time.perf_counter()
                await pilot.press("slash")
                await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
                times.append(time.perf_counter() - started)
        print(json.dumps(times))
    asyncio.run(main())
""")


def _round_trips(side: str) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-c", ROUND_TRIPS, str(BIG_DB), side, str(ROUNDS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def main() -> None:
    big_services().db.close()
    footer: list[float] = []
    ours: list[float] = []
    for _ in range(3):
        footer += _round_trips("footer")
        ours += _round_trips("keybar")
    p50 = statistics.median
    title = f"figure (ms, p50 of {len(ours)})"
    print(f"{title:<58}{'Footer':>10}{'KeyBar':>10}{'ratio':>8}")
    print(
        f"{'/ then esc: into the filter box and back, settled':<58}"
        f"{p50(footer) * 1000:>10.0f}{p50(ours) * 1000:>10.0f}{p50(ours) / p50(footer):>8.2f}"
    )


if __name__ == "__main__":
    main()
