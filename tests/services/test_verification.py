"""The audit trail is append-only, and verify names every row that was tampered with."""

from __future__ import annotations

import sqlite3

import pytest
from peewee import DatabaseError, IntegrityError

from balance_tui.store import connect


@pytest.fixture
def filled(services):  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1")
    services.manager.create_customer("C2", "A1")
    for code in ("C1", "C2", "C1", "C1"):
        services.manager.update_balance(code, None, "100", "deposit", "in", "op")
    services.manager.update_balance("C1", None, "-950", "wager", "bet", "op")
    return services


def test_a_clean_trail_verifies(filled) -> None:
    report = filled.verifier.verify()
    assert report.ok and (report.customers_checked, report.events_checked) == (2, 5)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE balance_event SET amount_cents = 1",
        "DELETE FROM balance_event",
        "UPDATE alert SET message = 'edited'",
        "DELETE FROM alert",
    ],
)
def test_history_cannot_be_edited_or_deleted(filled, statement) -> None:
    with pytest.raises((DatabaseError, IntegrityError)) as raised, filled.db.atomic():
        filled.db.execute_sql(statement)
    assert "append-only" in str(raised.value) or "never" in str(raised.value)


def test_acknowledging_is_the_only_change_an_alert_takes(filled) -> None:
    alert = filled.notifications.get_active_alerts()[0]
    filled.notifications.acknowledge_alert(alert.id, "sup")
    with pytest.raises((DatabaseError, IntegrityError)), filled.db.atomic():
        filled.db.execute_sql("UPDATE alert SET acknowledged_by = 'someone else'")


def _tamper_sqlite(path: str, statement: str) -> None:
    """An attacker with the file: drop the guard, edit a row behind the engine's back, and
    put the guard back so that no trigger is seen missing."""
    conn = sqlite3.connect(path)
    guard = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'balance_event_no_update'"
    ).fetchone()[0]
    conn.execute("DROP TRIGGER balance_event_no_update")
    conn.execute(statement)
    conn.execute(guard)
    conn.commit()
    conn.close()


def test_verify_names_an_edited_row(sqlite_url, settings, clock) -> None:
    from balance_tui.services import build_services
    from balance_tui.store import initialize_balance_tables

    db = connect(sqlite_url)
    initialize_balance_tables(db)
    services = build_services(db, settings, clock)
    services.manager.create_customer("C1", "A1")
    events = [
        services.manager.update_balance("C1", None, "100", "deposit", "in", "op").event
        for _ in range(3)
    ]
    db.close()
    _tamper_sqlite(
        sqlite_url, f"UPDATE balance_event SET reason = 'edited' WHERE id = {events[1].id}"
    )
    report = build_services(connect(sqlite_url), settings, clock).verifier.verify()
    assert not report.ok
    assert [p.event_id for p in report.problems] == [events[1].id]
    assert "was altered" in report.problems[0].problem


def test_verify_names_a_changed_amount_and_the_balance_mismatch(
    sqlite_url, settings, clock
) -> None:
    from balance_tui.services import build_services
    from balance_tui.store import initialize_balance_tables

    db = connect(sqlite_url)
    initialize_balance_tables(db)
    services = build_services(db, settings, clock)
    services.manager.create_customer("C1", "A1")
    first = services.manager.update_balance("C1", None, "100", "deposit", "in", "op").event
    services.manager.update_balance("C1", None, "100", "deposit", "in", "op")
    db.close()
    _tamper_sqlite(
        sqlite_url,
        f"UPDATE balance_event SET amount_cents = 1000000, "
        f"new_cents = 1000000 WHERE id = {first.id}",
    )
    problems = build_services(connect(sqlite_url), settings, clock).verifier.verify().problems
    texts = " | ".join(p.problem for p in problems)
    assert f"event #{first.id} hash does not match" in texts
    assert "previous balance" in texts  # the next row no longer follows
    assert "differs from the sum of its events" in texts


@pytest.mark.postgres
def test_verify_on_postgres_names_an_edited_row(postgres_url, settings, clock) -> None:
    from balance_tui.services import build_services
    from balance_tui.store import initialize_balance_tables

    db = connect(postgres_url)
    initialize_balance_tables(db)
    services = build_services(db, settings, clock)
    services.manager.create_customer("C1", "A1")
    event = services.manager.update_balance("C1", None, "100", "deposit", "in", "op").event
    with db.atomic():
        db.execute_sql("ALTER TABLE balance_event DISABLE TRIGGER balance_event_append_only")
        db.execute_sql("UPDATE balance_event SET performed_by = 'mallory'")
        db.execute_sql("ALTER TABLE balance_event ENABLE TRIGGER balance_event_append_only")
    report = services.verifier.verify()
    assert [p.event_id for p in report.problems] == [event.id]
    db.close()
