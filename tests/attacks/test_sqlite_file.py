"""Whoever can write a SQLite book can change it: the README promises only what these tests
show. The file is its owner's alone; the triggers refuse edits made with ``sqlite3`` while
they stand; ``verify`` names a dropped trigger and the edits the chain shows."""

from __future__ import annotations

import sqlite3
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect, initialize_balance_tables


@pytest.fixture
def book(tmp_path: Path, clock) -> tuple[Path, Services]:  # type: ignore[no-untyped-def]
    path = tmp_path / "book.db"
    database = connect(str(path))
    initialize_balance_tables(database)
    services = build_services(database, Settings(operator="ann"), clock, operator="ann")
    services.manager.create_customer("CUST_1", "AG_1", vip_level="gold")
    assert services.manager.update_balance(
        "CUST_1", None, Decimal("500"), "deposit", "seed", "ann"
    ).success
    return path, services


def _edit(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)


def _next_event(sequence: str = "c.event_count + 1", offset_us: int = 1, cents: int = 100) -> str:
    """An event for CUST_1 after its head, ``offset_us`` after the latest event."""
    return f"""INSERT INTO balance_event (customer_id, sequence, agent_code, currency,
        change_type, amount_cents, previous_cents, new_cents, reason, performed_by, vip_level,
        metadata_json, risk_score, warnings_json, created_us, prev_hash, hash, chain_version)
      SELECT c.id, {sequence}, 'AG_1', 'USD', 'deposit', {cents}, c.balance_cents,
        c.balance_cents + {cents}, 'sqlite3', 'x', c.vip_level, '{{}}', 0, '[]',
        (SELECT MAX(e.created_us) FROM balance_event e) + {offset_us}, c.head_hash,
        c.head_hash, 2 FROM customer c WHERE c.code = 'CUST_1'"""


def test_a_new_book_file_is_its_owners_alone(book: tuple[Path, Services]) -> None:
    path, _ = book
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        (_next_event(sequence="1000000000000"), "out of its customer's chain"),
        (_next_event(offset_us=-86_400_000_000), "out of its customer's chain"),
        ("UPDATE customer SET head_hash = 'f' WHERE code = 'CUST_1'", "balance only changes"),
        (_next_event(cents=-2_000_000), "within the tier's bounds"),
    ],
    ids=["sequence 10^12", "backdated a day", "head hash", "below the gold minimum"],
)
def test_edits_with_sqlite3_are_refused_while_the_triggers_stand(
    book: tuple[Path, Services], statement: str, refusal: str
) -> None:
    path, _ = book
    with pytest.raises(sqlite3.DatabaseError, match=refusal):
        _edit(path, statement)


def test_verify_names_a_dropped_trigger(book: tuple[Path, Services]) -> None:
    path, services = book
    assert services.verifier.verify().ok
    _edit(path, "DROP TRIGGER balance_event_no_update")
    report = services.verifier.verify()
    assert not report.ok
    assert any("balance_event_no_update" in p.problem for p in report.problems)


@pytest.mark.postgres
def test_verify_names_a_disabled_trigger_on_postgres(postgres_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    database = connect(postgres_url)
    initialize_balance_tables(database)
    services = build_services(database, Settings(), clock, operator="owner")
    assert services.verifier.verify().ok
    database.execute_sql("ALTER TABLE alert DISABLE TRIGGER alert_acknowledge_only")
    problems = [p.problem for p in services.verifier.verify().problems]
    assert problems == ["trigger alert_acknowledge_only is missing or disabled"]
    database.close()


def test_a_rewritten_request_fingerprint_breaks_the_chain(book: tuple[Path, Services]) -> None:
    """The key's fingerprint is chained: an edit that would make the key replay another
    change is named by verify."""
    path, services = book
    assert services.manager.update_balance(
        "CUST_1", None, Decimal("10"), "deposit", "keyed", "ann", idempotency_key="K"
    ).success
    guard = "balance_event_no_update"
    with sqlite3.connect(path) as conn:
        create = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (guard,)).fetchone()
        conn.execute(f"DROP TRIGGER {guard}")
        conn.execute("UPDATE balance_event SET request_hash = 'f' WHERE idempotency_key = 'K'")
        conn.execute(create[0])
    problems = [p.problem for p in services.verifier.verify().problems]
    assert any("hash does not match its contents" in p for p in problems), problems


def test_an_alerts_rewritten_text_is_named(book: tuple[Path, Services]) -> None:
    """An alert's type, text and figures are chained through its audit record: an alert
    rewritten with ``sqlite3`` (the triggers put back after) is named by verify."""
    path, services = book
    made = services.manager.update_balance(
        "CUST_1", None, Decimal("-490"), "withdrawal", "w", "ann"
    )
    assert made.success and made.alerts
    alert = made.alerts[0]
    guard = "alert_acknowledge_only"
    with sqlite3.connect(path) as conn:
        create = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (guard,)).fetchone()
        conn.execute(f"DROP TRIGGER {guard}")
        conn.execute(
            "UPDATE alert SET message = 'calm', balance_cents = 9 WHERE id = ?", (alert.id,)
        )
        conn.execute(create[0])
    problems = [p.problem for p in services.verifier.verify().problems]
    assert problems == [f"alert #{alert.id} differs from its audit record"]
