"""Durable update throughput: ``BalanceManager.update_balance`` against hand-written sqlite3.

The baseline does the same durable work per update in one transaction: BEGIN IMMEDIATE,
read the customer, sum the trailing 24 h / 7 d usage, insert a hashed audit row, update the
balance and head hash, COMMIT (WAL, synchronous=FULL). Run: python -m tests.benchmarks.bench_update
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables

DAY_US, WEEK_US = 86_400_000_000, 7 * 86_400_000_000


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


def bench_baseline(path: Path, updates: int, customers: int = 20) -> float:
    services = _setup(path, customers)
    services.db.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=full")
    start = time.perf_counter()
    for i in range(updates):
        code = f"C{i % customers:05d}"
        now = time.time_ns() // 1000
        conn.execute("BEGIN IMMEDIATE")
        cid, balance, seq, head = conn.execute(
            "SELECT id, balance_cents, event_count, head_hash FROM customer WHERE code = ?", (code,)
        ).fetchone()
        conn.execute(
            "SELECT COALESCE(SUM(CASE WHEN created_us > ? THEN ABS(amount_cents) END), 0),"
            " COALESCE(SUM(ABS(amount_cents)), 0) FROM balance_event"
            " WHERE customer_id = ? AND created_us > ?",
            (now - DAY_US, cid, now - WEEK_US),
        ).fetchone()
        new = balance + 100
        digest = hashlib.sha256(
            f"{head}|{code}|{seq + 1}|100|{balance}|{new}|{now}".encode()
        ).hexdigest()
        conn.execute(
            "INSERT INTO balance_event (customer_id, sequence, agent_code, currency, change_type,"
            " amount_cents, previous_cents, new_cents, reason, performed_by, vip_level,"
            " metadata_json, risk_score, warnings_json, created_us, prev_hash, hash)"
            " VALUES (?, ?, 'AGENT_1', 'USD', 'deposit', 100, ?, ?, 'bench', 'bench', 'diamond',"
            " '{}', 0, '[]', ?, ?, ?)",
            (cid, seq + 1, balance, new, now, head, digest),
        )
        conn.execute(
            "UPDATE customer SET balance_cents = ?, event_count = ?, head_hash = ? WHERE id = ?",
            (new, seq + 1, digest, cid),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return updates / elapsed


def main(updates: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = bench_baseline(Path(tmp) / "baseline.db", updates)
        engine = bench_engine(Path(tmp) / "engine.db", updates)
        batch = bench_batch(Path(tmp) / "batch.db", batches=3)
    rows = [
        ("durable updates/s (WAL, synchronous=FULL)", base, engine),
        ("batch of 1,000: changes/s vs single updates", engine, batch),
    ]
    print(f"{'figure':<48}{'baseline':>12}{'ours':>12}{'ratio':>8}")
    for name, baseline, ours in rows:
        print(f"{name:<48}{baseline:>12.0f}{ours:>12.0f}{ours / baseline:>8.2f}")


if __name__ == "__main__":
    main()
