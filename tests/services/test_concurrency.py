"""Several OS processes updating the same customers at once lose no update."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.services.import_export import iter_history
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.store.schema import MIGRATIONS_DIR

WRITER = textwrap.dedent("""
    import random, sys
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    url, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    services = build_services(connect(url), Settings(), operator=f"writer{seed}")
    rng = random.Random(seed)
    applied = 0
    for i in range(count):
        code = rng.choice(["C1", "C2", "C3"])
        kind, cents = rng.choice([("deposit", 1), ("wager", -1), ("adjustment", -1)])
        amount = f"{cents * rng.randint(1, 50_000) / 100:.2f}"
        result = services.manager.update_balance(code, None, amount, kind, f"w{seed}-{i}", "w")
        applied += result.success
    print(applied)
""")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _run_writers(url: str, writers: int, updates: int, script: str = WRITER) -> int:
    """Start ``writers`` processes of ``script`` at once; the sum of what they print."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, url, str(seed), str(updates)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(writers)
    ]
    applied = 0
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        applied += int(out)
    return applied


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_writers_lose_no_update(backend, request) -> None:
    url = request.getfixturevalue(f"{backend}_url")
    db = connect(url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), operator="setup")
    for code in ("C1", "C2", "C3"):
        services.manager.create_customer(code, "A1", vip_level="diamond")
    applied = _run_writers(url, writers=4, updates=200)
    events = list(iter_history(services))
    assert len(events) == applied > 0
    for code in ("C1", "C2", "C3"):
        mine = [e for e in events if e.customer_id == code]
        assert services.manager.get_customer(code).balance == sum(
            (e.amount for e in mine), Decimal("0.00")
        )
        assert sorted(e.sequence for e in mine) == list(range(1, len(mine) + 1))
    assert services.verifier.verify().ok
    db.close()


STARTER = textwrap.dedent("""
    import sys
    from balance_tui.store import connect, initialize_balance_tables
    db = connect(sys.argv[1])
    print(",".join(initialize_balance_tables(db)) or "-")
""")


@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_starting_at_once_migrate_exactly_once(backend, request) -> None:
    url = request.getfixturevalue(f"{backend}_url")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out.strip())
    every = ",".join(path.stem for path in sorted(MIGRATIONS_DIR.glob("0*.py")))
    assert sorted(outputs) == ["-", "-", "-", every]
    db = connect(url)
    assert initialize_balance_tables(db) == []
    db.close()


DEPOSITOR = textwrap.dedent("""
    import sys
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    services = build_services(connect(sys.argv[1]), Settings(), operator="w")
    print(sum(
        services.manager.update_balance("C1", None, "1000", "deposit", "w", "w").success
        for _ in range(int(sys.argv[3]))
    ))
""")


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_writers_never_break_a_daily_limit(backend, request) -> None:
    """160 deposits of 1,000.00 from 4 processes at once into a bronze customer (daily limit
    50,000.00): exactly the 50 the limit allows are applied."""
    url = request.getfixturevalue(f"{backend}_url")
    db = connect(url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), operator="setup")
    services.manager.create_customer("C1", "A1", vip_level="bronze")
    accepted = _run_writers(url, writers=4, updates=40, script=DEPOSITOR)
    assert accepted == 50
    report = services.manager.get_customer_balance_report("C1")
    assert (report.current_balance, report.usage_24h) == (Decimal("50000.00"),) * 2
    assert services.verifier.verify().ok
    db.close()
