"""Reads are one snapshot and writes stay right while other operators work at the same time.

Every test here has a second connection or OS process writing *while* the code under test
reads or writes; none of these failures shows on a quiet database.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.domain.errors import DuplicateCustomerError, IdempotencyConflictError
from balance_tui.domain.records import BalanceChange
from balance_tui.services import build_services
from balance_tui.services.watch import ChangeWatcher
from balance_tui.store import connect, initialize_balance_tables

pytestmark = pytest.mark.timeout(180)

THREADS = 8


def _fill(services, customers: int = 4, per_customer: int = 60) -> None:  # type: ignore[no-untyped-def]
    """A small book: a few customers with some events each (one batch per customer)."""
    for n in range(customers):
        code = f"C{n}"
        services.manager.create_customer(code, "A1", vip_level="diamond")
        changes = [
            BalanceChange(code, "10.00", "deposit", f"fill {i}", "setup")
            for i in range(per_customer)
        ]
        assert services.manager.update_balances(changes).success


WRITER = textwrap.dedent("""
    import sys
    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect
    url, count, customers = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    services = build_services(connect(url), Settings(), operator="writer")
    print("ready", flush=True)
    for i in range(count):
        code = customers[i % len(customers)]
        result = services.manager.update_balance(code, None, "1.00", "deposit", f"w{i}", "w")
        assert result.success, result.validation.errors
    print("done", flush=True)
""")


def _start_writer(url: str, count: int, customers: list[str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(count), ",".join(customers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def _finish(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "done" in out


# ------------------------------------------------------------------ defect 1 and 2: verify


def test_writers_never_wait_for_verify(db_url, clock) -> None:  # type: ignore[no-untyped-def]
    """verify takes no write lock: a writer with a short lock timeout posts while it runs."""
    db = connect(db_url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="auditor")
    _fill(services, customers=2, per_customer=20)
    writer_db = connect(db_url, lock_timeout=0.3)
    writer = build_services(writer_db, Settings(), clock, operator="writer")
    posted: list[bool] = []

    def progress(done: int, total: int) -> None:
        if not posted:  # while verify's snapshot is open, from another connection
            worker = threading.Thread(
                target=lambda: posted.append(
                    writer.manager.update_balance("C0", None, "5", "deposit", "during", "w").success
                )
            )
            worker.start()
            worker.join(30)

    report = services.verifier.verify(progress=progress)
    assert posted == [True]
    assert report.ok, report.problems
    assert report.events_checked == 40  # the snapshot: the write made during the scan is not in it
    assert services.verifier.verify().events_checked == 41
    writer_db.close()
    db.close()


@pytest.mark.slow
def test_verify_is_clean_while_another_process_writes(db_url, clock) -> None:  # type: ignore[no-untyped-def]
    """verify reads the customer rows and the events in one snapshot: a commit meanwhile
    never makes a clean book look tampered."""
    db = connect(db_url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="auditor")
    _fill(services, customers=4, per_customer=250)
    writer = _start_writer(db_url, 400, ["C0", "C1", "C2", "C3"])
    runs = overlapped = 0
    while writer.poll() is None:
        report = services.verifier.verify()
        runs += 1
        assert report.ok, report.problems
        overlapped += writer.poll() is None
    _finish(writer)
    assert overlapped >= 2, f"only {overlapped} of {runs} verify runs overlapped the writer"
    assert services.verifier.verify().events_checked == 1000 + 400
    db.close()


def test_verify_scans_postgres_with_a_server_side_cursor(postgres_url, clock) -> None:  # type: ignore[no-untyped-def]
    """verify reads the events in batches: its memory does not grow with the book."""
    db = connect(postgres_url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="auditor")
    _fill(services, customers=1, per_customer=5)
    cursors: list[int] = []

    def progress(done: int, total: int) -> None:
        cursors.append(db.execute_sql("SELECT count(*) FROM pg_cursors").fetchone()[0])

    assert services.verifier.verify(progress=progress).ok
    assert cursors and max(cursors) >= 1
    db.close()


# ------------------------------------------------------------------ defect 3: analytics


@pytest.mark.slow
def test_analytics_and_reports_are_one_snapshot(db_url, clock) -> None:  # type: ignore[no-untyped-def]
    """The current balance, the later changes and the grouped figures come from one
    snapshot: a commit between them never shows a balance that never existed."""
    db = connect(db_url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="analyst")
    services.manager.create_customer("C1", "A1", vip_level="diamond")
    start, end = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    writer = _start_writer(db_url, 300, ["C1"])
    runs = 0
    while writer.poll() is None:
        figures = services.analytics.generate_customer_analytics(
            "C1", "custom", start=start, end=end
        )
        system = services.analytics.generate_system_analytics(None, "custom", start=start, end=end)
        runs += 1
        # Every event is inside the period and the customer started at zero.
        assert figures.opening_balance == Decimal("0.00"), figures
        assert system.opening_balance == Decimal("0.00"), system
        assert figures.closing_balance == Decimal(figures.event_count)
        report = services.manager.get_customer_balance_report("C1", include_history=True)
        assert report.history is not None
        if report.history:
            assert report.history[0].new_balance == report.current_balance
    _finish(writer)
    assert runs >= 2
    db.close()


# ------------------------------------------------------------------ defect 4: live feed


@pytest.mark.postgres
def test_the_live_feed_delivers_a_commit_that_took_a_lower_id_later(postgres_url, clock) -> None:  # type: ignore[no-untyped-def]
    """Ids are taken at insert and seen at commit: a transaction with a lower id that
    commits after a higher one is still delivered."""
    db = connect(postgres_url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="op")
    for code in ("SLOW", "FAST"):
        services.manager.create_customer(code, "A1", vip_level="diamond")
    watcher = ChangeWatcher(services)
    inserted, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with db.atomic():  # the update's transaction, held open after its insert
            services.manager.update_balance("SLOW", None, "7", "deposit", "slow", "op")
            inserted.set()
            release.wait(30)
        db.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(30)
    fast = services.manager.update_balance("FAST", None, "3", "deposit", "fast", "op")
    first = watcher.poll(signalled=True)
    assert first is not None and [e.id for e in first.events] == [fast.event.id]
    release.set()
    thread.join(30)
    second = watcher.poll(signalled=True)
    assert second is not None
    assert [e.customer_id for e in second.events] == ["SLOW"]
    assert second.events[0].id < fast.event.id
    assert watcher.poll(signalled=True) is None  # nothing delivered twice
    watcher.close()
    db.close()


# ------------------------------------------------------------------ defect 5: idempotency


def _race(count: int, action) -> list[object]:  # type: ignore[no-untyped-def]
    """Run ``action(i)`` on ``count`` threads released together; results or exceptions."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait(10)
        try:
            outcomes[i] = action(i)
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_same_key_submitted_at_once_posts_once_and_replays(services, db) -> None:  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1", vip_level="gold")

    def submit(i: int):  # type: ignore[no-untyped-def]
        try:
            return services.manager.update_balance(
                "C1", None, "25", "deposit", "double enter", "op", idempotency_key="form-1"
            )
        finally:
            db.close()  # this thread's connection

    outcomes = _race(THREADS, submit)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert all(o.success for o in outcomes)  # type: ignore[attr-defined]
    assert sorted(o.replayed for o in outcomes) == [False] + [True] * (THREADS - 1)  # type: ignore[attr-defined]
    assert len({o.event.id for o in outcomes}) == 1  # type: ignore[attr-defined]
    assert services.manager.get_customer("C1").balance == Decimal("25.00")


def test_same_key_for_two_customers_at_once_is_a_conflict_not_a_crash(services, db) -> None:  # type: ignore[no-untyped-def]
    for code in ("C1", "C2"):
        services.manager.create_customer(code, "A1")

    def submit(i: int):  # type: ignore[no-untyped-def]
        try:
            return services.manager.update_balance(
                f"C{1 + i % 2}", None, "5", "deposit", "retry", "op", idempotency_key="k"
            )
        finally:
            db.close()

    outcomes = _race(THREADS, submit)
    applied = [o for o in outcomes if not isinstance(o, Exception) and not o.replayed]  # type: ignore[attr-defined]
    conflicts = [o for o in outcomes if isinstance(o, IdempotencyConflictError)]
    others = [o for o in outcomes if isinstance(o, Exception) and o not in conflicts]
    assert others == []
    assert len(applied) == 1
    assert conflicts, "the other customer's submits must be refused as a conflict"


def test_same_customer_created_at_once_is_one_customer(services, db) -> None:  # type: ignore[no-untyped-def]
    def create(i: int):  # type: ignore[no-untyped-def]
        try:
            return services.manager.create_customer("NEW1", "NEWAGENT", name=f"try {i}")
        finally:
            db.close()

    outcomes = _race(THREADS, create)
    created = [o for o in outcomes if not isinstance(o, Exception)]
    duplicates = [o for o in outcomes if isinstance(o, DuplicateCustomerError)]
    assert len(created) == 1
    assert len(duplicates) == THREADS - 1, outcomes


# ------------------------------------------------------------------ defect 6: alert de-dup


def test_concurrent_alert_checks_open_one_alert_of_each_type(services, db) -> None:  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1")

    def check(i: int):  # type: ignore[no-untyped-def]
        try:
            return services.notifications.check_and_create_alerts("C1", "50", "5000")
        finally:
            db.close()

    outcomes = _race(THREADS, check)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    open_types = [a.alert_type for a in services.notifications.get_active_alerts("C1")]
    assert open_types.count("warning") == 1
    assert open_types.count("critical") == 1


# ------------------------------------------------------------------ defect 7: two books


def test_two_books_in_one_process_never_mix(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    db_a, db_b = connect(str(tmp_path / "a.db")), connect(str(tmp_path / "b.db"))
    initialize_balance_tables(db_a)
    initialize_balance_tables(db_b)
    book_a = build_services(db_a, Settings(), clock, operator="a")
    book_b = build_services(db_b, Settings(), clock, operator="b")
    book_a.manager.create_customer("C1", "A1", name="only in A")
    result = book_a.manager.update_balance("C1", None, "10", "deposit", "into A", "a")
    assert result.success
    assert [c.customer.id for c in book_a.manager.list_customers()] == ["C1"]
    assert book_b.manager.list_customers() == []
    assert book_b.audit.history_page() == []
    book_b.manager.create_customer("C1", "A9", name="only in B")
    assert book_a.manager.get_customer("C1").name == "only in A"
    assert book_b.manager.get_customer("C1").agent_id == "A9"
    assert book_a.verifier.verify().ok and book_b.verifier.verify().ok
    db_a.close()
    db_b.close()
