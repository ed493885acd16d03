"""Sorting the customers table: 10,000 rows, by balance, then the order turned round.

Run: python -m tests.benchmarks.bench_sort
Headless (Textual's Pilot), one app over one 10,000-customer book. Both sides end at the
same event: the table reordered and repainted (Pilot's pause after the work). Baseline: what
the screen did before (clear the table and add every row again in the new order, as
``fill`` does); ours: the sort key pressed (rows reordered in place). Target: a sort no
longer holds keys for the 1.5 s measured before.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.app import create_app
from balance_tui.tui.screens.customers import CustomersScreen, row_cells, sort_value

CUSTOMERS = 10_000
ROUNDS = 5


async def measure(path: str) -> tuple[list[float], list[float]]:
    db = connect(path)
    services = build_services(db, Settings(), operator="bench")
    app = create_app(services, poll_seconds=60)
    rebuild: list[float] = []
    in_place: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.screen
        assert isinstance(screen, CustomersScreen)
        while screen.table.row_count < CUSTOMERS:
            await pilot.pause(0.1)
        table = screen.table
        for round_ in range(ROUNDS):
            descending = round_ % 2 == 0
            start = time.perf_counter()
            ordered = sorted(
                screen.summaries.values(),
                key=lambda s: sort_value(s, "balance"),  # type: ignore[arg-type, return-value]
                reverse=descending,
            )
            with app.batch_update():
                table.clear()
                for summary in ordered:
                    table.add_row(
                        *row_cells(summary, screen.name_room, screen.keys), key=summary.customer.id
                    )
            await pilot.pause()
            rebuild.append((time.perf_counter() - start) * 1000)

            start = time.perf_counter()
            await pilot.press("B")
            await pilot.pause()
            in_place.append((time.perf_counter() - start) * 1000)
    return rebuild, in_place


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/sort.db"
        db = connect(path)
        initialize_balance_tables(db)
        generate_demo(
            build_services(db, Settings(), operator="bench"),
            customers=CUSTOMERS,
            days=30,
            events=20_000,
            seed=1,
        )
        db.close()
        rebuild, in_place = asyncio.run(measure(path))
    print(f"{'sort 10,000 customers by balance (ms, p50)':<52}{'baseline':>10}{'ours':>10}")
    print(
        f"{'  rebuild rows vs reorder in place':<52}"
        f"{statistics.median(rebuild):>10.1f}{statistics.median(in_place):>10.1f}"
    )
    print(f"  max: baseline {max(rebuild):.1f} ms, ours {max(in_place):.1f} ms ({ROUNDS} rounds)")


if __name__ == "__main__":
    main()
