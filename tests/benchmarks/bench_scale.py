"""How each figure grows with the book: 10^5 and 10^6 events (10^7 when a book is given in
BALANCE_BENCH_10M), same machine, same run. Analytics windows end at each book's own last
event and are checked to hold events.

Run: python -m tests.benchmarks.bench_scale
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from balance_tui.services.clock import from_us
from tests.benchmarks.common import BIG_DB, big_services, p50, timings_ms

SMALL = Path("/tmp/balance-bench-100k-events.db")


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
    return out


def main() -> None:
    books = [(SMALL, 100_000), (BIG_DB, 1_000_000)]
    ten = os.environ.get("BALANCE_BENCH_10M")
    if ten:
        books.append((Path(ten), 10_000_000))
    results = [figures(path, events) for path, events in books]
    names = list(results[0])
    heads = "".join(f"{f'10^{len(str(e)) - 1}':>12}" for _, e in books)
    print(f"{'figure':<44}{heads}{'growth':>10}")
    for name in names:
        values = [r[name] for r in results]
        cells = "".join(f"{v:>12,.1f}" if v < 1000 else f"{v:>12,.0f}" for v in values)
        print(f"{name:<44}{cells}{values[-1] / values[0]:>9.2f}x")


if __name__ == "__main__":
    main()
