"""Update throughput on PostgreSQL: ``update_balance`` against hand-written psycopg2 doing
the same transaction, alternating which runs first; then 1, 2 and 4 writers at once (each
its own connection and its own customers). Needs the local server; makes a schema and drops
it. Run: python -m tests.benchmarks.bench_update_pg
"""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import psycopg2

from balance_tui.config import Settings
from balance_tui.domain.hashing import CHAIN_VERSION
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables
from tests.benchmarks.common import deposit_work, rollup_sql, rollup_values

SERVER = "postgresql://postgres@127.0.0.1:5432/test"
DAY_US, HOUR_US, WEEK_US = 86_400_000_000, 3_600_000_000, 7 * 86_400_000_000
PER_ROUND, ROUNDS, CUSTOMERS = 300, 3, 40

ROLLUP_SQL = rollup_sql("%s", "pg_backend_pid()", "LEAST", "GREATEST")


def _url(schema: str) -> str:
    return f"{SERVER}?options=-csearch_path%3D{schema}"


def baseline_round(conn, codes: list[str], updates: int) -> float:  # type: ignore[no-untyped-def]
    cur = conn.cursor()
    start = time.perf_counter()
    for i in range(updates):
        code = codes[i % len(codes)]
        now = time.time_ns() // 1000
        cur.execute(
            "SELECT c.id, c.balance_cents, c.event_count, c.head_hash, c.vip_level, c.currency,"
            " a.code FROM customer c JOIN agent a ON a.id = c.agent_id WHERE c.code = %s"
            " FOR UPDATE OF c",
            (code,),
        )
        cid, balance, seq, head, tier, currency, agent = cur.fetchone()
        cur.execute(  # the tier's rules, from the book, as the engine reads them
            "SELECT min_cents, max_cents, warning_cents, critical_cents, daily_cents,"
            " weekly_cents FROM tier_rule WHERE tier = %s",
            (tier,),
        )
        cur.execute("SELECT balance_authority(session_user::text)")
        cur.execute(
            "SELECT COALESCE(SUM(CASE WHEN created_us > %s THEN ABS(amount_cents) ELSE 0 END),"
            " 0), COALESCE(SUM(ABS(amount_cents)), 0),"
            " COALESCE(SUM(CASE WHEN created_us > %s THEN 1 ELSE 0 END), 0) FROM balance_event"
            " WHERE customer_id = %s AND created_us > %s",
            (now - DAY_US, now - HOUR_US, cid, now - WEEK_US),
        )
        day, week, last_hour = (int(v) for v in cur.fetchone())
        cur.execute("SELECT session_user")
        user = cur.fetchone()[0]
        new, score, digest = deposit_work(
            code, (balance, seq, head, tier, currency, agent), (day, week, last_hour), now, user
        )
        cur.execute(
            "INSERT INTO balance_event (customer_id, sequence, agent_code, currency, change_type,"
            " amount_cents, previous_cents, new_cents, reason, performed_by, db_user, vip_level,"
            " metadata_json, risk_score, warnings_json, created_us, prev_hash, hash,"
            " chain_version) VALUES (%s, %s, %s, %s, 'deposit', 100, %s, %s, 'bench', 'bench',"
            " %s, %s, '{}', %s, '[]', %s, %s, %s, %s) RETURNING id",
            (
                cid,
                seq + 1,
                agent,
                currency,
                balance,
                new,
                user,
                tier,
                score,
                now,
                head,
                digest,
                CHAIN_VERSION,
            ),
        )
        cur.execute(
            "UPDATE customer SET balance_cents = %s, event_count = %s, head_hash = %s"
            " WHERE id = %s",
            (new, seq + 1, digest, cid),
        )
        cur.execute(ROLLUP_SQL, rollup_values(now, currency, agent))
        cur.execute("SELECT pg_notify('balance_tui', '')")
        conn.commit()
    return updates / (time.perf_counter() - start)


def engine_round(services, codes: list[str], updates: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for i in range(updates):
        result = services.manager.update_balance(
            codes[i % len(codes)], None, Decimal("1.00"), "deposit", "bench", "bench"
        )
        assert result.success, result.validation.errors
    return updates / (time.perf_counter() - start)


def writers(url: str, codes: list[str], count: int, each: int) -> float:
    """Total updates/s of ``count`` writers at once, each on its own customers."""
    barrier = threading.Barrier(count)
    elapsed: list[float] = []

    def write(index: int) -> None:
        db = connect(url)
        services = build_services(db, Settings(), operator=f"w{index}")
        mine = codes[index::count]
        barrier.wait()
        start = time.perf_counter()
        engine_round(services, mine, each)
        elapsed.append(time.perf_counter() - start)
        db.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count * each / max(elapsed)


def main() -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(SERVER)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    try:
        db = connect(_url(schema))
        initialize_balance_tables(db)
        services = build_services(db, Settings(), operator="bench")
        codes = [f"C{i:03d}" for i in range(CUSTOMERS)]
        for code in codes:
            services.manager.create_customer(code, f"A{int(code[1:]) % 4}", vip_level="diamond")
        conn = psycopg2.connect(SERVER, options=f"-csearch_path={schema}")
        baseline_round(conn, codes, 50)
        engine_round(services, codes, 50)
        base, ours = [], []
        for turn in range(ROUNDS * 2):
            if turn % 2 == 0:
                base.append(baseline_round(conn, codes, PER_ROUND))
                ours.append(engine_round(services, codes, PER_ROUND))
            else:
                ours.append(engine_round(services, codes, PER_ROUND))
                base.append(baseline_round(conn, codes, PER_ROUND))
        conn.close()
        db.close()
        b, o = sorted(base)[ROUNDS], sorted(ours)[ROUNDS]
        print(f"{'figure (PostgreSQL)':<56}{'baseline':>10}{'ours':>10}{'ratio':>8}")
        print(f"{'updates/s, one writer, same transaction':<56}{b:>10.0f}{o:>10.0f}{o / b:>8.2f}")
        one = writers(_url(schema), codes, 1, 400)
        for count in (1, 2, 4):
            total = one if count == 1 else writers(_url(schema), codes, count, 400)
            print(
                f"{f'{count} writers at once: updates/s in all':<56}{'':>10}{total:>10.0f}"
                f"{total / one:>8.2f}"
            )
    finally:
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


if __name__ == "__main__":
    main()
