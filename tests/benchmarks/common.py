"""Shared by the benchmarks: the 10^6-event database (built once, reused) and timing."""

from __future__ import annotations

import os
import statistics
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables

BIG_DB = Path(os.environ.get("BALANCE_BENCH_DB", "/tmp/balance-bench-1m.db"))

#: This process's own peak memory. Not ``ru_maxrss``: Linux keeps it across exec, so a child
#: started by a big parent (a benchmark holding a book's figures) reports the parent's peak.
PEAK_MB = textwrap.dedent("""
    def peak_mb():
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
""")


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


# ---------------------------------------------------------------- the baselines' own work


def deposit_work(
    code: str,
    customer: tuple[int, int, str, str, str, str],
    usage: tuple[int, int, int],
    now: int,
    db_user: str | None,
) -> tuple[int, int, str]:
    """What a hand-written baseline computes for a deposit of 1.00, as the engine does:
    validation with the tier's rules, the risk score, the alert checks and the chain hash
    (version 2). ``customer``: (balance, sequence, head, tier, currency, agent); ``usage``:
    (24 h, 7 d, changes in the last hour). Returns (new balance, risk score, hash)."""
    from balance_tui.domain import alerts as alert_rules
    from balance_tui.domain.changes import ChangeType
    from balance_tui.domain.hashing import CHAIN_VERSION, ChainedFields, chain_hash
    from balance_tui.domain.risk import risk_score
    from balance_tui.domain.tiers import DEFAULT_RULEBOOK
    from balance_tui.domain.validation import check_change

    balance, seq, head, tier, currency, agent = customer
    day, week, last_hour = usage
    rules = DEFAULT_RULEBOOK.rules_for(tier)
    check = check_change(
        balance, 100, rules, change_type=ChangeType.DEPOSIT, usage_24h_cents=day,
        usage_7d_cents=week, tier=tier,
    )  # fmt: skip
    new = check.new_balance_cents
    score = risk_score(ChangeType.DEPOSIT, 100, new, last_hour, rules)
    alert_rules.alerts_for_change(code, balance, new, rules, set())
    fields = ChainedFields(
        customer_id=code, sequence=seq + 1, agent_id=agent, change_type="deposit",
        amount_cents=100, previous_cents=balance, new_cents=new, reason="bench",
        performed_by="bench", vip_level=tier, metadata_json="{}", risk_score=score,
        warnings_json="[]", idempotency_key=None, created_us=now, reverses_event_id=None,
        currency=currency, db_user=db_user, approval_id=None, chain_version=CHAIN_VERSION,
    )  # fmt: skip
    return new, score, chain_hash(head, fields)


def rollup_sql(param: str, slot: str, least: str, greatest: str) -> str:
    """The baselines' upsert of a deposit's four rollup rows (as ``store.rollups`` writes)."""
    from balance_tui.store.rollups import COLUMNS

    one = f"({', '.join([param] * len(COLUMNS))}, {slot})"
    return (
        f"INSERT INTO rollup ({', '.join(COLUMNS)}, slot) VALUES {', '.join([one] * 4)} "
        "ON CONFLICT (grain, currency, agent_code, bucket_us, change_type, slot) DO UPDATE SET "
        "events = rollup.events + excluded.events, "
        "net_cents = rollup.net_cents + excluded.net_cents, "
        "gross_cents = rollup.gross_cents + excluded.gross_cents, "
        "squares = rollup.squares + excluded.squares, "
        f"min_cents = {least}(rollup.min_cents, excluded.min_cents), "
        f"max_cents = {greatest}(rollup.max_cents, excluded.max_cents)"
    )


def rollup_values(now: int, currency: str, agent: str) -> list[object]:
    from balance_tui.domain.rollups import EVERY_AGENT, buckets

    return [
        v
        for grain, bucket in buckets(now)
        for who in (agent, EVERY_AGENT)
        for v in (grain, bucket, currency, who, "deposit", 1, 100, 100, 1e4, 100, 100)
    ]
