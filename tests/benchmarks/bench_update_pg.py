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
from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.changes import ChangeType
from balance_tui.domain.hashing import CHAIN_VERSION, ChainedFields, chain_hash
from balance_tui.domain.risk import risk_score
from balance_tui.domain.rollups import EVERY_AGENT, buckets
from balance_tui.domain.tiers import DEFAULT_RULEBOOK
from balance_tui.domain.validation import check_change
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.store.rollups import COLUMNS as ROLLUP_COLUMNS

SERVER = "postgresql://postgres@127.0.0.1:5432/test"
DAY_US, HOUR_US, WEEK_US = 86_400_000_000, 3_600_000_000, 7 * 86_400_000_000
PER_ROUND, ROUNDS, CUSTOMERS = 300, 3, 40

ROLLUP_SQL = (
    f"INSERT INTO rollup ({', '.join(ROLLUP_COLUMNS)}, slot) VALUES "
    + ", ".join([f"({', '.join(['%s'] * len(ROLLUP_COLUMNS))}, pg_backend_pid())"] * 4)
    + " ON CONFLICT (grain, currency, agent_code, bucket_us, change_type, slot) DO UPDATE SET "
    "events = rollup.events + excluded.events, net_cents = rollup.net_cents + excluded.net_cents,"
    " gross_cents = rollup.gross_cents + excluded.gross_cents, "
    "squares = rollup.squares + excluded.squares, "
    "min_cents = LEAST(rollup.min_cents, excluded.min_cents), "
    "max_cents = GREATEST(rollup.max_cents, excluded.max_cents)"
)


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
        cur.execute("SELECT balance_authority(session_user::text)")
        cur.execute(
            "SELECT COALESCE(SUM(CASE WHEN created_us > %s THEN ABS(amount_cents) ELSE 0 END),"
            " 0), COALESCE(SUM(ABS(amount_cents)), 0),"
            " COALESCE(SUM(CASE WHEN created_us > %s THEN 1 ELSE 0 END), 0) FROM balance_event"
            " WHERE customer_id = %s AND created_us > %s",
            (now - DAY_US, now - HOUR_US, cid, now - WEEK_US),
        )
        day, week, last_hour = (int(v) for v in cur.fetchone())
        rules = DEFAULT_RULEBOOK.rules_for(tier)
        check = check_change(
            balance, 100, rules, change_type=ChangeType.DEPOSIT, usage_24h_cents=day,
            usage_7d_cents=week, tier=tier,
        )  # fmt: skip
        new = check.new_balance_cents
        score = risk_score(ChangeType.DEPOSIT, 100, new, last_hour, rules)
        alert_rules.alerts_for_change(code, balance, new, rules, set())
        cur.execute("SELECT session_user")
        user = cur.fetchone()[0]
        fields = ChainedFields(
            customer_id=code, sequence=seq + 1, agent_id=agent, change_type="deposit",
            amount_cents=100, previous_cents=balance, new_cents=new, reason="bench",
            performed_by="bench", vip_level=tier, metadata_json="{}", risk_score=score,
            warnings_json="[]", idempotency_key=None, created_us=now, reverses_event_id=None,
            currency=currency, db_user=user, approval_id=None, chain_version=CHAIN_VERSION,
        )  # fmt: skip
        digest = chain_hash(head, fields)
        cur.execute(
            "INSERT INTO balance_event (customer_id, sequence, agent_code, currency, change_type,"
            " amount_cents, previous_cents, new_cents, reason, performed_by, db_user, vip_level,"
            " metadata_json, risk_score, warnings_json, created_us, prev_hash, hash,"
            " chain_version) VALUES (%s, %s, %s, %s, 'deposit', 100, %s, %s, 'bench', 'bench',"
            " %s, %s, '{}', %s, '[]', %s, %s, %s, 2) RETURNING id",
            (cid, seq + 1, agent, currency, balance, new, user, tier, score, now, head, digest),
        )
        cur.execute(
            "UPDATE customer SET balance_cents = %s, event_count = %s, head_hash = %s"
            " WHERE id = %s",
            (new, seq + 1, digest, cid),
        )
        cur.execute(
            ROLLUP_SQL,
            [
                v
                for grain, bucket in buckets(now)
                for who in (agent, EVERY_AGENT)
                for v in (grain, bucket, currency, who, "deposit", 1, 100, 100, 1e4, 100, 100)
            ],
        )
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
