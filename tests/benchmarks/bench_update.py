"""Durable update throughput: ``BalanceManager.update_balance`` against hand-written sqlite3
doing the same work, on the 10^6-event demo book, warm, alternating which side runs first.

The baseline does, per update, in one transaction (WAL, synchronous=FULL): BEGIN IMMEDIATE;
read the customer joined with its agent; read its tier's rules and the authority; sum the
trailing 24 h / 7 d usage and count the last hour; validate with the same rules, score the
risk, check the alert thresholds; hash the same canonical fields; insert the event; move the
balance; add the day and hour rollups (four rows, one statement); COMMIT. The book's
triggers fire on both sides. Run: python -m tests.benchmarks.bench_update
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.domain.hashing import CHAIN_VERSION as VERSION
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables
from tests.benchmarks.common import (
    BIG_DB,
    big_services,
    deposit_work,
    rollup_sql,
    rollup_values,
)

DAY_US, HOUR_US, WEEK_US = 86_400_000_000, 3_600_000_000, 7 * 86_400_000_000
ROUNDS, PER_ROUND = 3, 500


def _setup(path: Path, customers: int):  # type: ignore[no-untyped-def]
    db = connect(str(path))
    initialize_balance_tables(db)
    services = build_services(db, Settings(), operator="bench")
    for i in range(customers):
        services.manager.create_customer(f"C{i:05d}", "AGENT_1", vip_level="diamond")
    return services


def bench_engine(path: Path, updates: int, customers: int = 20) -> float:
    services = _setup(path, customers)
    manager = services.manager
    start = time.perf_counter()
    for i in range(updates):
        result = manager.update_balance(
            f"C{i % customers:05d}", None, Decimal("1.00"), "deposit", "bench", "bench"
        )
        assert result.success, result.validation.errors
    elapsed = time.perf_counter() - start
    services.db.close()
    return updates / elapsed


def bench_batch(path: Path, batches: int, size: int = 1000, customers: int = 20) -> float:
    """Changes per second through update_balances, ``size`` changes per transaction."""
    from balance_tui.domain.records import BalanceChange

    services = _setup(path, customers)
    manager = services.manager
    start = time.perf_counter()
    for b in range(batches):
        changes = [
            BalanceChange(
                f"C{(b * size + i) % customers:05d}", Decimal("1.00"), "deposit", "bench", "bench"
            )
            for i in range(size)
        ]
        result = manager.update_balances(changes)
        assert result.success, result.errors
    elapsed = time.perf_counter() - start
    services.db.close()
    return batches * size / elapsed


def _busy_customers(path: Path, count: int = 20) -> list[str]:
    conn = sqlite3.connect(str(path))
    codes = [
        r[0]
        for r in conn.execute(
            "SELECT code FROM customer WHERE vip_level IN ('diamond', 'platinum') "
            "ORDER BY event_count DESC LIMIT ?",
            (count,),
        )
    ]
    conn.close()
    return codes


_ROLLUP_SQL = rollup_sql("?", "0", "MIN", "MAX")


def baseline_round(conn: sqlite3.Connection, codes: list[str], updates: int) -> float:
    start = time.perf_counter()
    for i in range(updates):
        code = codes[i % len(codes)]
        now = time.time_ns() // 1000
        conn.execute("BEGIN IMMEDIATE")
        cid, balance, seq, head, tier, currency, agent = conn.execute(
            "SELECT c.id, c.balance_cents, c.event_count, c.head_hash, c.vip_level, c.currency,"
            " a.code FROM customer c JOIN agent a ON a.id = c.agent_id WHERE c.code = ?",
            (code,),
        ).fetchone()
        conn.execute(  # the tier's rules, from the book, as the engine reads them
            "SELECT min_cents, max_cents, warning_cents, critical_cents, daily_cents, "
            "weekly_cents FROM tier_rule WHERE tier = ?",
            (tier,),
        ).fetchone()
        conn.execute(
            "SELECT limit_cents FROM authority WHERE (kind = 'login' AND subject = ?) OR "
            "(kind = 'role' AND subject = ?) ORDER BY kind LIMIT 1",
            ("bench", "admin"),
        ).fetchone()
        day, week, last_hour = conn.execute(
            "SELECT COALESCE(SUM(CASE WHEN created_us > ? THEN ABS(amount_cents) ELSE 0 END), 0),"
            " COALESCE(SUM(ABS(amount_cents)), 0),"
            " COALESCE(SUM(CASE WHEN created_us > ? THEN 1 ELSE 0 END), 0) FROM balance_event"
            " WHERE customer_id = ? AND created_us > ?",
            (now - DAY_US, now - HOUR_US, cid, now - WEEK_US),
        ).fetchone()
        new, score, digest = deposit_work(
            code, (balance, seq, head, tier, currency, agent), (day, week, last_hour), now, None
        )
        conn.execute(
            "INSERT INTO balance_event (customer_id, sequence, agent_code, currency, change_type,"
            " amount_cents, previous_cents, new_cents, reason, performed_by, vip_level,"
            " metadata_json, risk_score, warnings_json, created_us, prev_hash, hash,"
            " chain_version) VALUES (?, ?, ?, ?, 'deposit', 100, ?, ?, 'bench', 'bench', ?,"
            " '{}', ?, '[]', ?, ?, ?, ?)",
            (cid, seq + 1, agent, currency, balance, new, tier, score, now, head, digest, VERSION),
        )
        conn.execute(
            "UPDATE customer SET balance_cents = ?, event_count = ?, head_hash = ? WHERE id = ?",
            (new, seq + 1, digest, cid),
        )
        conn.execute(_ROLLUP_SQL, rollup_values(now, currency, agent))
        conn.execute("COMMIT")
    return updates / (time.perf_counter() - start)


def engine_round(services, codes: list[str], updates: int) -> float:  # type: ignore[no-untyped-def]
    manager = services.manager
    start = time.perf_counter()
    for i in range(updates):
        result = manager.update_balance(
            codes[i % len(codes)], None, Decimal("1.00"), "deposit", "bench", "bench"
        )
        assert result.success, result.validation.errors
    return updates / (time.perf_counter() - start)


def main() -> None:
    big_services().db.close()
    codes = _busy_customers(BIG_DB)
    conn = sqlite3.connect(str(BIG_DB), isolation_level=None)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=full")
    db = connect(str(BIG_DB))
    services = build_services(db, Settings(), operator="bench")
    baseline_round(conn, codes, 50)  # warm both
    engine_round(services, codes, 50)
    base, ours = [], []
    for turn in range(ROUNDS * 2):  # alternate which side runs first
        if turn % 2 == 0:
            base.append(baseline_round(conn, codes, PER_ROUND))
            ours.append(engine_round(services, codes, PER_ROUND))
        else:
            ours.append(engine_round(services, codes, PER_ROUND))
            base.append(baseline_round(conn, codes, PER_ROUND))
    conn.close()
    db.close()
    with tempfile.TemporaryDirectory() as tmp:
        single = bench_engine(Path(tmp) / "engine.db", 1000)
        batch = bench_batch(Path(tmp) / "batch.db", batches=3)
    b, o = sorted(base)[len(base) // 2], sorted(ours)[len(ours) // 2]
    rows = [
        ("durable updates/s, 10^6 book (WAL, FULL), same work", b, o),
        ("batch of 1,000: changes/s vs single updates", single, batch),
    ]
    print(f"{'figure':<56}{'baseline':>10}{'ours':>10}{'ratio':>8}")
    for name, baseline, mine in rows:
        print(f"{name:<56}{baseline:>10.0f}{mine:>10.0f}{mine / baseline:>8.2f}")


if __name__ == "__main__":
    main()
