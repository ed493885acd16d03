"""Verify beside the operators: writers' latency while ``verify`` runs on the 10^6-event book,
against the same writer on the same book without it; and verify's peak memory on
PostgreSQL at 10^6 events against 10^5 (a server-side cursor keeps it flat).

Run: python -m tests.benchmarks.bench_verify [--postgres-only | --sqlite-only]
Both sides run in this one invocation, on the same data, each writer in its own OS process
(so verify's CPU work in another process does not share an interpreter lock with it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time

from balance_tui.store import connect, initialize_balance_tables
from tests.benchmarks.common import BIG_DB, PEAK_MB, big_services

PG_URL = os.environ.get("BALANCE_TUI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

#: Posts updates for ``seconds`` and prints each one's latency in ms (one per line).
WRITER = textwrap.dedent("""
    import sys, time
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    url, seconds = sys.argv[1], float(sys.argv[2])
    services = build_services(connect(url), Settings(), operator="bench-writer")
    codes = [c.customer.id for c in services.manager.list_customers(limit=50)]
    print("ready", flush=True)
    sys.stdin.readline()
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        code = codes[i % len(codes)]
        kind = "deposit" if i % 2 == 0 else "withdrawal"
        start = time.perf_counter()
        services.manager.update_balance(code, None, "1.00", kind, "bench", "bench")
        print(f"{(time.perf_counter() - start) * 1000:.3f}", flush=True)
        i += 1
""")

VERIFY = PEAK_MB + textwrap.dedent("""
    import resource, sys, time
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="bench-verify")
    start = time.perf_counter()
    report = services.verifier.verify()
    took = time.perf_counter() - start
    print(f"{report.events_checked} {int(report.ok)} {took:.2f} {peak_mb():.1f}")
""")


def _writer_latencies(url: str, seconds: float, with_verify: bool) -> tuple[list[float], str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdin is not None
    assert writer.stdout.readline().strip() == "ready"
    verifier = None
    if with_verify:
        verifier = subprocess.Popen(
            [sys.executable, "-c", VERIFY, url], stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.0)  # let verify open its snapshot and start scanning first
    writer.stdin.write("go\n")
    writer.stdin.flush()
    out, _ = writer.communicate(timeout=seconds + 120)
    verify_line = verifier.communicate(timeout=900)[0].strip() if verifier else ""
    return [float(x) for x in out.split()], verify_line


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def sqlite_writers_during_verify() -> None:
    big_services().db.close()
    url = str(BIG_DB)
    quiet, _ = _writer_latencies(url, 10, with_verify=False)
    busy, verify_line = _writer_latencies(url, 10, with_verify=True)
    events, ok, took, peak = verify_line.split()
    print(f"SQLite, {int(events):,} events; verify took {took} s (ok={ok}), peak {peak} MB")
    print(f"{'writer latency (ms)':<40}{'no verify':>12}{'during verify':>15}")
    for name, fn in (
        ("p50", lambda v: statistics.median(v)),
        ("p99", lambda v: _p(v, 99)),
        ("max", max),
    ):
        print(f"{name:<40}{fn(quiet):>12.2f}{fn(busy):>15.2f}")
    print(f"{'updates in 10 s':<40}{len(quiet):>12}{len(busy):>15}")
    print("target: worst latency during verify under 100 ms, as without it")


def _pg_book(events: int, customers: int) -> str:
    import psycopg2

    schema = f"bench_verify_{events}"
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    admin.cursor().execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    admin.close()
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    start = time.perf_counter()
    try:
        # Commands refuse an unmigrated PostgreSQL book: migrated here, as bench_update_pg
        # does (`balance-tui migrate` would also create the cluster-wide group roles).
        db = connect(url)
        initialize_balance_tables(db)
        db.close()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "balance_tui",
                "--db",
                url,
                "demo",
                "--customers",
                str(customers),
                "--days",
                "365",
                "--events",
                str(events),
            ],
            check=True,
            capture_output=True,
        )
    except BaseException:
        _drop(url)
        raise
    print(f"built {events:,} events on PostgreSQL in {time.perf_counter() - start:.0f} s")
    return url


def _drop(url: str) -> None:
    import psycopg2

    schema = url.rsplit("%3D", 1)[1]
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    admin.cursor().execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.close()


def postgres_verify_memory() -> None:
    rows = []
    for events, customers in ((100_000, 1_000), (1_000_000, 10_000)):
        url = _pg_book(events, customers)
        try:
            done = subprocess.run(
                [sys.executable, "-c", VERIFY, url], capture_output=True, text=True, check=True
            )
            rows.append((events, *done.stdout.split()))
            if events == 1_000_000:
                quiet, _ = _writer_latencies(url, 10, with_verify=False)
                busy, _ = _writer_latencies(url, 10, with_verify=True)
                print(
                    f"PostgreSQL writer max latency: {max(quiet):.1f} ms without verify, "
                    f"{max(busy):.1f} ms during verify (p50 {statistics.median(quiet):.1f} / "
                    f"{statistics.median(busy):.1f})"
                )
        finally:
            _drop(url)
    print(f"{'PostgreSQL verify':<28}{'events':>12}{'ok':>4}{'seconds':>10}{'peak MB':>10}")
    for _, checked, ok, took, peak in rows:
        print(f"{'':<28}{int(checked):>12,}{ok:>4}{float(took):>10.1f}{float(peak):>10.1f}")
    print("target: flat memory, under 150 MB at 10^6 events")


def main() -> None:
    if "--postgres-only" not in sys.argv:
        sqlite_writers_during_verify()
        print()
    if "--sqlite-only" not in sys.argv:
        postgres_verify_memory()


if __name__ == "__main__":
    main()
