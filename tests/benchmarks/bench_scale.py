"""How each figure grows with the book: 10^5 and 10^6 events (10^7 when a book is given in
BALANCE_BENCH_10M), same machine, same run. Analytics windows end at each book's own last
event and are checked to hold events. Start-up and memory come from a fresh process per book
(``bench_app``'s script: start to the first customer rows, then every screen).

Then the customers' side: books of 10^3, 10^4 and 10^5 customers (10^5 events each), for
the reads the customers screen makes (its first page, a filter, the richest first) and
start-up and memory again.

Run: python -m tests.benchmarks.bench_scale
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.services.clock import from_us
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.screens.customers import FIRST_ROWS
from tests.benchmarks.bench_app import OURS, _as_installed, _run
from tests.benchmarks.common import BIG_DB, big_services, p50, timings_ms

SMALL = Path("/tmp/balance-bench-100k-events.db")
#: Books of 10^3, 10^4 and 10^5 customers, 10^5 events each.
CUSTOMER_BOOKS = {n: Path(f"/tmp/balance-bench-{n}-customers.db") for n in (1_000, 10_000, 100_000)}


def _book(path: Path, events: int):  # type: ignore[no-untyped-def]
    return big_services(path, events=events)


def figures(path: Path, events: int) -> dict[str, float]:
    services = _book(path, events)
    db = services.db
    count = int(db.execute_sql("SELECT COUNT(*) FROM balance_event").fetchone()[0])
    last = int(db.execute_sql("SELECT MAX(created_us) FROM balance_event").fetchone()[0])
    busy = str(
        db.execute_sql("SELECT code FROM customer ORDER BY event_count DESC LIMIT 1").fetchone()[0]
    )
    depth = int(db.execute_sql("SELECT MAX(event_count) FROM customer").fetchone()[0])
    end = from_us(last + 1)
    out: dict[str, float] = {"events in the book": count}
    out["history page 1, busiest customer (ms)"] = p50(
        timings_ms(lambda: services.audit.get_balance_history(busy, limit=50))
    )
    out["history, its oldest page (ms)"] = p50(
        timings_ms(lambda: services.audit.get_balance_history(busy, limit=50, offset=depth - 50))
    )
    out["customer analytics, a month (ms)"] = p50(
        timings_ms(lambda: services.analytics.generate_customer_analytics(busy, "monthly"))
    )
    for name, days in (("month", 30), ("year", 365)):
        start = end - timedelta(days=days)

        def run(start=start):  # type: ignore[no-untyped-def]
            return services.analytics.generate_system_analytics(
                None, "custom", start=start, end=end
            )

        assert run().event_count > 0
        out[f"system analytics, a {name} (ms)"] = p50(timings_ms(run, repeat=10))
    started = time.perf_counter()
    for _ in range(200):
        services.manager.update_balance(busy, None, Decimal("1.00"), "deposit", "bench", "b")
    out["durable updates/s (busiest customer)"] = 200 / (time.perf_counter() - started)
    db.close()
    out["bytes on disk per event"] = path.stat().st_size / count
    out.update(_app_figures(path))
    return out


def _app_figures(path: Path, runs: int = 3) -> dict[str, float]:
    """Median of ``runs`` fresh processes (a single start varies by a third here)."""
    apps = [_run(OURS, str(path)) for _ in range(runs)]
    return {
        "start to the first customer rows (ms)": p50([a["first_screen_s"] * 1000 for a in apps]),
        "peak memory after every screen (MB)": p50([a["peak_mb"] for a in apps]),
    }


def customer_book(customers: int) -> Path:
    """The book of ``customers`` customers and 10^5 events, made on first use."""
    path = CUSTOMER_BOOKS[customers]
    if not path.exists():
        print(f"building {path} ({customers:,} customers, 10^5 events)...")
        db = connect(str(path))
        initialize_balance_tables(db)
        generate_demo(build_services(db, Settings()), customers=customers, days=365, events=100_000)
        db.close()
    return path


def customer_figures(customers: int) -> dict[str, float]:
    path = customer_book(customers)
    services = build_services(connect(str(path)), Settings(), operator="bench")
    manager = services.manager
    # part of a name, as an operator types it in the filter
    word = "a"
    assert manager.list_customers(word, limit=FIRST_ROWS)
    out: dict[str, float] = {
        "first page of the customers list (ms)": p50(
            timings_ms(lambda: manager.list_customers("", limit=FIRST_ROWS, order_by="id"))
        ),
        f"a filter ({word!r}), its first page (ms)": p50(
            timings_ms(lambda: manager.list_customers(word, limit=FIRST_ROWS))
        ),
    }
    for label, column, descending in (
        ("the richest first", "balance", True),
        ("by name", "name", False),
        ("nearest their limits first", "usage", True),
    ):
        out[f"{label}, first page (ms)"] = p50(
            timings_ms(
                lambda c=column, d=descending: manager.customer_page(  # type: ignore[misc]
                    "", limit=FIRST_ROWS, order_by=c, descending=d
                ),
                repeat=20,
            )
        )
    services.db.close()
    out.update(_app_figures(path))
    return out


def _table(columns: list[str], results: list[dict[str, float]]) -> None:
    print(f"{'figure':<44}{''.join(f'{c:>12}' for c in columns)}{'growth':>10}")
    for name in results[0]:
        values = [r[name] for r in results]
        cells = "".join(f"{v:>12,.1f}" if v < 1000 else f"{v:>12,.0f}" for v in values)
        print(f"{name:<44}{cells}{values[-1] / values[0]:>9.2f}x")


def main() -> None:
    _as_installed()
    books = [(SMALL, 100_000), (BIG_DB, 1_000_000)]
    ten = os.environ.get("BALANCE_BENCH_10M")
    if ten:
        books.append((Path(ten), 10_000_000))
    results = [figures(path, events) for path, events in books]
    _table([f"10^{len(str(e)) - 1} ev" for _, e in books], results)
    print()
    by_customers = [customer_figures(n) for n in CUSTOMER_BOOKS]
    _table([f"10^{len(str(n)) - 1} cust" for n in CUSTOMER_BOOKS], by_customers)


if __name__ == "__main__":
    main()
