"""The demo's bulk path on both backends: the book it writes verifies (chains, balances,
rollups) whether the chaining and inserting run in this process or in the forked writer
process big demos use; the indexes it builds at the end are the ones the book had; the same
seed and clock give the same book either way; a failure stops the writer process and leaves
the indexes in place."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import random
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balance_tui.domain.changes import ChangeType
from balance_tui.domain.hashing import ChainedFields, canonical_json
from balance_tui.services import Services, build_services, demo, demo_writer
from balance_tui.services.clock import DAY_US, HOUR_US, WEEK_US
from balance_tui.services.demo import DEMO_CHAIN_VERSION, generate_demo
from balance_tui.store import bulk, connect
from balance_tui.store.schema import initialize_balance_tables
from tests.conftest import FROZEN

WRITERS = pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "writer-process"])


def _writer(monkeypatch: pytest.MonkeyPatch, parallel: bool) -> None:
    monkeypatch.setattr(demo_writer, "PARALLEL_FROM", 0 if parallel else 10**12)


def _book(services: Services) -> list[tuple[object, ...]]:
    """Every customer's balance, event count and chain head, in code order."""
    cursor = services.db.execute_sql(
        "SELECT code, balance_cents, event_count, head_hash FROM customer ORDER BY code"
    )
    return [tuple(row) for row in cursor.fetchall()]


@WRITERS
def test_the_demo_book_verifies(
    services: Services, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    _writer(monkeypatch, parallel)
    indexes = bulk.secondary_indexes(services.db, "balance_event")
    assert indexes  # what the bulk load drops and builds again

    summary = generate_demo(services, customers=40, days=20, events=3_000, seed=5)

    report = services.verifier.verify()
    assert report.ok, report.problems[:3]
    assert report.events_checked == summary.events > 2_500
    assert bulk.secondary_indexes(services.db, "balance_event") == indexes
    stored = services.db.execute_sql("SELECT COUNT(*) FROM alert").fetchone()[0]
    assert stored == summary.alerts > 0


def test_the_writer_process_writes_the_same_book(
    tmp_path, monkeypatch: pytest.MonkeyPatch, settings
) -> None:  # type: ignore[no-untyped-def]
    books = []
    for parallel in (False, True):
        _writer(monkeypatch, parallel)
        db = connect(f"sqlite:///{tmp_path / f'{parallel}.db'}")
        initialize_balance_tables(db)
        services = build_services(db, settings, lambda: FROZEN, operator="tester")
        generate_demo(services, customers=30, days=10, events=2_000, seed=11)
        books.append(_book(services))
        db.close()
    assert books[0] == books[1]
    assert len(books[0]) == 30


@WRITERS
def test_a_failed_demo_keeps_the_indexes_and_stops_the_writer(
    services: Services, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    _writer(monkeypatch, parallel)
    indexes = bulk.secondary_indexes(services.db, "balance_event")
    real_pick = demo._pick_change
    picks = iter(range(10**6))

    def pick_then_fail(rng: random.Random, *args: object) -> object:
        if next(picks) == 1_500:
            raise RuntimeError("generator failed")
        return real_pick(rng, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "_pick_change", pick_then_fail)
    monkeypatch.setattr(demo, "CHUNK", 500)  # some chunks are written before the failure
    with pytest.raises(RuntimeError, match="generator failed"):
        generate_demo(services, customers=20, days=10, events=3_000, seed=2)
    assert bulk.secondary_indexes(services.db, "balance_event") == indexes


@WRITERS
def test_a_demo_that_fails_making_its_customers_stops_the_writer(
    services: Services, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """The writer starts before the customers are made (a forked one then holds none)."""
    _writer(monkeypatch, parallel)

    def fail(*args: object) -> None:
        raise RuntimeError("no customers")

    monkeypatch.setattr(bulk, "add_customers", fail)
    with pytest.raises(RuntimeError, match="no customers"):
        generate_demo(services, customers=20, days=10, events=3_000, seed=2)
    assert multiprocessing.active_children() == []
    assert services.db.execute_sql("SELECT COUNT(*) FROM agent").fetchone()[0] == 0


def test_demo_metadata_is_canonical_json() -> None:
    rng = random.Random(4)
    for kind in ChangeType:
        for reverses in (None, 12):
            text = demo._metadata(rng, kind, reverses)
            assert canonical_json(json.loads(text)) == text


def test_the_writer_hashes_every_field_the_chain_covers() -> None:
    assert list(demo_writer.HASHED_FIELDS) == [f.name for f in dataclasses.fields(ChainedFields)]


_TEXT = st.text(max_size=12)  # any unicode: quotes, backslashes, control characters
_INT = st.integers(min_value=-(10**15), max_value=10**15)


@given(
    code=_TEXT,
    texts=st.lists(_TEXT, min_size=9, max_size=9),
    numbers=st.lists(_INT, min_size=6, max_size=6),
    reverses=st.none() | _INT,
    db_user=st.none() | _TEXT,
)
def test_the_writer_encodes_an_event_as_the_chain_does(  # type: ignore[no-untyped-def]
    code, texts, numbers, reverses, db_user
) -> None:
    """The writer writes canonical JSON out field by field; ``verify`` rehashes through
    ``ChainedFields``: the two must give the same bytes, or every demo hash is wrong."""
    agent, change_type, currency, metadata, performed_by, reason, vip, warnings, _ = texts
    amount, created, new, previous, risk, sequence = numbers
    stored = {
        "id": 1,
        "customer_id": 7,
        "sequence": sequence,
        "agent_code": agent,
        "currency": currency,
        "change_type": change_type,
        "amount_cents": amount,
        "previous_cents": previous,
        "new_cents": new,
        "reason": reason,
        "performed_by": performed_by,
        "vip_level": vip,
        "metadata_json": metadata,
        "risk_score": risk,
        "warnings_json": warnings,
        "reverses_event_id": reverses,
        "created_us": created,
        "prev_hash": None,
        "hash": None,
        "db_user": db_user,
        "chain_version": DEMO_CHAIN_VERSION,
    }
    assert set(stored) == set(bulk.DEMO_EVENT_COLUMNS)
    row = tuple(stored[column] for column in bulk.DEMO_EVENT_COLUMNS)
    fields = ChainedFields(
        **{
            name: code if name == "customer_id" else None if column is None else stored[column]
            for name, column in demo_writer.HASHED_FIELDS.items()
        }
    )
    assert demo_writer.canonical_event(row, code) == fields.canonical()


def _peak_traced_bytes(tmp_path, settings, name: str, events: int) -> int:  # type: ignore[no-untyped-def]
    """The most memory (Python's allocations) a demo of ``events`` over 2,000 customers held."""
    db = connect(f"sqlite:///{tmp_path / name}")
    initialize_balance_tables(db)
    services = build_services(db, settings, lambda: FROZEN, operator="tester")
    tracemalloc.start()
    try:
        summary = generate_demo(services, customers=2_000, days=365, events=events, seed=8)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        db.close()
    assert summary.events > events * 0.95
    return peak


@pytest.mark.slow
def test_the_demos_memory_does_not_grow_with_its_events(
    tmp_path, monkeypatch: pytest.MonkeyPatch, settings
) -> None:  # type: ignore[no-untyped-def]
    """Ten times the events over the same customers: the memory grows only by what the
    customers who had no event yet now keep (a balance, counters, their last five events:
    a few hundred bytes each), and by nothing per event. Deques per customer took 1.7 KB
    each here, and 230 MB over 100,000 customers once each had an event."""
    _writer(monkeypatch, parallel=False)
    monkeypatch.setattr(demo, "CHUNK", 500)  # the rows in flight are not what is measured
    few = _peak_traced_bytes(tmp_path, settings, "few.db", 2_000)  # about half have an event
    many = _peak_traced_bytes(tmp_path, settings, "many.db", 20_000)  # every one, and reversals
    assert (many - few) / 2_000 < 500, (few, many)


def test_a_demo_reversal_picks_among_the_last_five_events_not_yet_reversed() -> None:
    recent = demo._RecentEvents(3)
    assert recent.reversible(1) == [] and not recent.any(1)
    for event_id in range(1, 8):
        recent.remember(1, event_id, 3 if event_id == 6 else -event_id * 100)  # 6's amount: 3
        recent.remember(2, 100 + event_id, 1)  # a neighbour's events stay its own
    assert recent.reversible(1) == [(3, -300), (4, -400), (5, -500), (6, 3), (7, -700)]
    recent.mark_reversed(1, 3)  # an id, not event 6's amount
    assert recent.reversible(1) == [(4, -400), (5, -500), (6, 3), (7, -700)]
    recent.remember(1, 8, 800)  # 3 leaves, reversed or not
    assert recent.reversible(1) == [(4, -400), (5, -500), (6, 3), (7, -700), (8, 800)]
    with pytest.raises(ValueError):
        recent.mark_reversed(1, 2)  # no longer among the recent events
    with pytest.raises(ValueError):
        recent.mark_reversed(1, 105)  # another customer's
    assert recent.reversible(2) == [(103, 1), (104, 1), (105, 1), (106, 1), (107, 1)]
    assert recent.reversible(0) == [] and recent.any(2)


@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3 * DAY_US),  # time since the previous change
            st.integers(min_value=0, max_value=2),  # whose change
            st.integers(min_value=0, max_value=10**9),  # its gross amount
        ),
        max_size=300,
    )
)
def test_the_usage_windows_sum_each_customers_last_hour_day_and_week(steps) -> None:  # type: ignore[no-untyped-def]
    people = [demo._Customer(i, i, f"C{i}", "A", "bronze", None, 1.0) for i in range(3)]  # type: ignore[arg-type]
    usage = demo._UsageWindows()
    done: list[tuple[int, int, int]] = []
    now = 0
    for gap, who, gross in steps:
        now += gap // 97  # many changes within an hour of each other, some days apart
        usage.advance(now)
        for i, person in enumerate(people):
            mine = [(t, g) for t, g, w in done if w == i]
            assert person.used_7d == sum(g for t, g in mine if t > now - WEEK_US)
            assert person.used_24h == sum(g for t, g in mine if t > now - DAY_US)
            assert person.changes_1h == sum(1 for t, _ in mine if t > now - HOUR_US)
        usage.record(now, people[who], gross)
        done.append((now, gross, who))


def test_the_usage_windows_keep_their_sums_as_they_drop_what_left_the_week() -> None:
    people = [demo._Customer(i, i, f"C{i}", "A", "bronze", None, 1.0) for i in range(3)]  # type: ignore[arg-type]
    usage = demo._UsageWindows()
    minute = HOUR_US // 60
    done = []
    for n in range(30_000):  # three weeks of a change a minute: the first two are dropped
        now = n * minute
        usage.advance(now)
        usage.record(now, people[n % 3], n)
        done.append((now, n, n % 3))
        if n % 7_001 == 0 or n == 29_999:
            for i, person in enumerate(people):
                mine = [(t, g) for t, g, w in done if w == i]
                assert person.used_7d == sum(g for t, g in mine if t > now - WEEK_US)
                assert person.used_24h == sum(g for t, g in mine if t > now - DAY_US)
                assert person.changes_1h == sum(1 for t, _ in mine if t > now - HOUR_US)
    assert len(usage.moments) < 2 * 7 * 24 * 60  # it kept at most about two weeks


def test_a_demo_customer_forgets_alerts_acknowledged_before_now() -> None:
    person = demo._Customer(0, 1, "C1", "A1", "bronze", None, 1.0)  # type: ignore[arg-type]
    assert person.open_types(10) == set()
    person.open_until = {"warning": 100, "critical": None}  # critical: never acknowledged
    assert person.open_types(50) == {"warning", "critical"}
    assert person.open_types(100) == {"critical"}  # acknowledged at 100
    assert person.open_until == {"critical": None}
    person.open_until = {"warning": 100}
    assert person.open_types(200) == set()
    assert person.open_until is None  # nothing kept once none is open
