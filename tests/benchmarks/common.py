"""Shared by the benchmarks: the 10^6-event database (built once, reused) and timing."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables

BIG_DB = Path(os.environ.get("BALANCE_BENCH_DB", "/tmp/balance-bench-1m.db"))


def big_services(path: Path = BIG_DB, events: int = 1_000_000) -> Services:
    """Services over a 10,000-customer demo database of ``events`` events (10^6 by
    default), made on first use."""
    fresh = not path.exists()
    db = connect(str(path))
    initialize_balance_tables(db)
    services = build_services(db, Settings(), operator="bench")
    if fresh:
        print(f"building {path} ({events:,} events)...")
        generate_demo(services, customers=10_000, days=365, events=events, seed=1)
    return services


def timings_ms(run: Callable[[], object], repeat: int = 50) -> list[float]:
    run()  # warm caches once, as an operator's second look would
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def row(name: str, baseline: float | None, ours: float, target: str) -> str:
    base = "-" if baseline is None else f"{baseline:.2f}"
    return f"{name:<52}{base:>10}{ours:>10.2f}  {target}"


HEADER = f"{'figure (ms, p50)':<52}{'baseline':>10}{'ours':>10}  target"
