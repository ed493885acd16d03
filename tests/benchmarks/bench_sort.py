"""Sorting the customers table of a 10^5-customer book (10^5 events): the database orders.

Run: python -m tests.benchmarks.bench_sort
Headless (Textual's Pilot), one app over the book ``bench_scale`` builds. Ours: the sort key
handed to the app to the new order's first rows in the table (its read finished and handed
over), then to the frame that shows them (Textual measuring the new rows' columns and
painting: about 0.1-0.2 s of the total here, the same for any 200 new rows). Baseline,
same run, same book, same page: the read alone (``customer_page``, no screen): what the
screen adds is the difference. Before this the
screen held every row and sorted them in memory (10,000 rows: 0.1-0.3 s; 100,000 rows laid
out again in chunks); now it holds one page.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.store import connect
from balance_tui.tui.app import create_app
from balance_tui.tui.screens.customers import FIRST_ROWS, SORT_KEYS, CustomersScreen
from tests.benchmarks.bench_app import _as_installed
from tests.benchmarks.bench_scale import customer_book

CUSTOMERS = 100_000
ROUNDS = 5
COLUMNS = ("balance", "name", "usage", "alerts")
KEY_FOR = {column: key for key, column in SORT_KEYS.items()}


async def measure(path: Path) -> dict[str, tuple[list[float], list[float], list[float]]]:
    services = build_services(connect(str(path)), Settings(), operator="bench")
    app = create_app(services, poll_seconds=60)
    out: dict[str, tuple[list[float], list[float], list[float]]] = {}
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.screen
        assert isinstance(screen, CustomersScreen)
        for column in COLUMNS:
            read, in_table, shown = [], [], []
            for _ in range(ROUNDS):
                # the read alone: the page the key will ask for (the order it turns to)
                descending = (
                    not screen.descending if screen.sort_column == column else column != "name"
                )
                start = time.perf_counter()
                page = services.manager.customer_page(
                    "", order_by=column, descending=descending, limit=FIRST_ROWS, count=True
                )
                read.append((time.perf_counter() - start) * 1000)

                start = time.perf_counter()
                # the key as the terminal hands it over (Pilot's press also waits for
                # every widget to be idle, which a real terminal does not: +0.25 s here)
                app.simulate_key(KEY_FOR[column])
                while screen.shown[1:] != (column, descending):  # the app's loop runs meanwhile
                    await asyncio.sleep(0.001)
                    if time.perf_counter() - start > 60:
                        raise RuntimeError("the sorted rows never came")
                in_table.append((time.perf_counter() - start) * 1000)
                await pilot.pause()  # and laid out and painted
                shown.append((time.perf_counter() - start) * 1000)
                first = screen.table.highlighted_key()
                assert first == page.summaries[0].customer.id, (column, first)
            out[column] = (read, in_table, shown)
    return out


def main() -> None:
    _as_installed()
    path = customer_book(CUSTOMERS)
    results = asyncio.run(measure(path))
    print(f"sort {CUSTOMERS:,} customers: key to the first {FIRST_ROWS} rows shown (ms, p50)")
    print(f"{'  column':<24}{'read alone':>12}{'in the table':>14}{'painted':>10}")
    for column, (read, in_table, shown) in results.items():
        print(
            f"{'  ' + column:<24}{statistics.median(read):>12.1f}"
            f"{statistics.median(in_table):>14.1f}{statistics.median(shown):>10.1f}"
            f"   (painted max {max(shown):.1f}, {ROUNDS} rounds)"
        )


if __name__ == "__main__":
    main()
