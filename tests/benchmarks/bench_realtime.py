"""Cross-process alert → banner latency, SQLite (data_version poll) and PostgreSQL (NOTIFY).

A writer process commits an alert-raising change when told and prints its commit time; the
app (under Pilot) notes when the banner shows it. Run: python -m tests.benchmarks.bench_realtime
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.app import create_app

WRITER = textwrap.dedent("""
    import sys, time
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="writer")
    for line in sys.stdin:
        code = line.strip()
        balance = services.manager.get_customer(code).balance
        services.manager.update_balance(code, None, -(balance - 10), "adjustment", "drop", "w")
        print(time.time(), flush=True)
""")
ROUNDS = 20
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _prepare(url: str) -> None:
    db = connect(url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), operator="bench")
    for i in range(ROUNDS):
        services.manager.create_customer(f"C{i:03d}", "A1", vip_level="diamond")
        services.manager.update_balance(f"C{i:03d}", None, "5000", "deposit", "seed", "bench")
    db.close()


async def _measure(url: str) -> list[float]:
    app = create_app(build_services(connect(url), Settings(), operator="bench"))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    latencies = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        for i in range(ROUNDS):
            await asyncio.sleep(random.uniform(0, 0.3))  # changes arrive at any moment
            app.banner_alert = None
            app.banner_queue.clear()
            assert writer.stdin is not None and writer.stdout is not None
            writer.stdin.write(f"C{i:03d}\n")
            writer.stdin.flush()
            committed = float(writer.stdout.readline())
            while app.banner_alert is None:
                await asyncio.sleep(0.001)
            latencies.append((time.time() - committed) * 1000)
    writer.stdin.close()  # type: ignore[union-attr]
    writer.wait(timeout=30)
    return latencies


def _row(name: str, latencies: list[float]) -> str:
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return f"{name:<40}{statistics.median(latencies):>10.0f}{p95:>10.0f}{max(latencies):>10.0f}"


def main() -> None:
    print(f"{'alert to banner, other process (ms)':<40}{'p50':>10}{'p95':>10}{'max':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"{tmp}/rt.db"
        _prepare(url)
        print(_row("SQLite, PRAGMA data_version poll", asyncio.run(_measure(url))))
    try:
        import psycopg2

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(PG_URL)
        admin.autocommit = True
        admin.cursor().execute(f"CREATE SCHEMA {schema}")
    except Exception as exc:  # no server: say so and stop
        print(f"PostgreSQL skipped: {exc}")
        return
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        _prepare(url)
        print(_row("PostgreSQL, LISTEN/NOTIFY", asyncio.run(_measure(url))))
    finally:
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
