"""Audit checkpoints on both backends: ``verify --checkpoint`` catches what plain ``verify``
cannot (truncation, a fully re-chained forgery) and what the chain now covers (an edited
currency, a removed acknowledgement); a wrong key is reported as such.

Tampering goes around the app the way an owner with psql or sqlite3 would: dropping the
triggers that guard the trail, then editing rows.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from balance_tui.cli import main
from balance_tui.domain.checkpoint_keys import load_key
from balance_tui.domain.hashing import GENESIS_HASH, ChainedFields, chain_hash
from balance_tui.services import Services
from balance_tui.store import rollups
from balance_tui.store.transactions import is_postgres

KEY = "correct horse battery staple"


@pytest.fixture
def book(services: Services) -> Services:
    manager = services.manager
    manager.create_customer("C1", "A1", vip_level="gold")
    manager.create_customer("C2", "A1", vip_level="gold")
    for amount in ("100", "200", "-50", "25"):
        assert manager.update_balance("C1", None, Decimal(amount), "adjustment", "t", "ann").success
    assert manager.update_balance("C2", None, Decimal("5000"), "deposit", "t", "ann").success
    # below the warning threshold: an alert to acknowledge
    result = manager.update_balance("C2", None, Decimal("-4500"), "withdrawal", "t", "ann")
    assert result.alerts
    services.notifications.acknowledge_alerts([result.alerts[0].id], "bob", note="called")
    # and a refused attempt
    assert not manager.update_balance(
        "C1", None, Decimal("-99999"), "withdrawal", "t", "ann"
    ).success
    return services


def _sql(services: Services, *statements: str) -> None:
    """Run statements as the book's owner with the trail's guards off, and put the guards
    back afterwards, as a careful owner would (so no trigger is seen missing)."""
    db = services.db
    if is_postgres(db):
        tables = ("balance_event", "customer", "alert", "audit_record")
        off = [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in tables]
        on = [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in tables]
    else:
        saved = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        off = [f"DROP TRIGGER {name}" for name, _ in saved]
        on = [sql for _, sql in saved]
    with db.atomic():
        for statement in off + list(statements) + on:
            db.execute_sql(statement)


def _rebuild_rollups(services: Services) -> None:
    db = services.db
    last = db.execute_sql("SELECT MAX(id) FROM balance_event").fetchone()[0]
    with db.atomic():
        db.execute_sql("DELETE FROM rollup")
        rollups.add_events(db, 1, int(last))


def _checkpoint(book: Services) -> dict:  # type: ignore[type-arg]
    return book.checkpoints.make(load_key(KEY.encode()))


def _problems(book: Services, statement: dict) -> list[str]:  # type: ignore[type-arg]
    return book.checkpoints.check(statement, [load_key(KEY.encode())]).problems


def test_an_untouched_book_matches_its_checkpoint_and_later_changes_are_fine(book) -> None:  # type: ignore[no-untyped-def]
    statement = _checkpoint(book)
    assert statement["counts"]["acknowledgements"] == 1
    assert statement["counts"]["refused_attempts"] == 1
    book.manager.update_balance("C1", None, Decimal("1"), "adjustment", "later", "ann")
    assert _problems(book, statement) == []
    assert book.verifier.verify().ok


def test_truncation_is_caught(book) -> None:  # type: ignore[no-untyped-def]
    statement = _checkpoint(book)
    # delete C1's last event and rewind its row to the one before: plain verify passes
    _sql(
        book,
        "DELETE FROM balance_event WHERE id = (SELECT MAX(e.id) FROM balance_event e "
        "JOIN customer c ON c.id = e.customer_id WHERE c.code = 'C1')",
        "UPDATE customer SET balance_cents = 25000, event_count = 3, head_hash = "
        "(SELECT e.hash FROM balance_event e WHERE e.customer_id = customer.id "
        "AND e.sequence = 3) WHERE code = 'C1'",
    )
    _rebuild_rollups(book)  # a thorough forger keeps the rollups in step too
    assert book.verifier.verify().ok  # what the checkpoint is for
    problems = _problems(book, statement)
    assert any(p.startswith("C1: truncated: 4 events at the checkpoint, 3 now") for p in problems)


def test_a_fully_rechained_forgery_is_caught(book) -> None:  # type: ignore[no-untyped-def]
    statement = _checkpoint(book)
    rows = book.db.execute_sql(
        "SELECT e.id, e.sequence, e.amount_cents, e.previous_cents, e.new_cents, e.reason, "
        "e.performed_by, e.vip_level, e.metadata_json, e.risk_score, e.warnings_json, "
        "e.created_us, e.currency, e.db_user, e.change_type, e.agent_code "
        "FROM balance_event e JOIN customer c ON c.id = e.customer_id "
        "WHERE c.code = 'C1' ORDER BY e.sequence"
    ).fetchall()
    head, updates = GENESIS_HASH, []
    for row in rows:
        reason = "rewritten" if row[1] == 1 else row[5]
        fields = ChainedFields(
            customer_id="C1",
            sequence=row[1],
            agent_id=row[15],
            change_type=row[14],
            amount_cents=row[2],
            previous_cents=row[3],
            new_cents=row[4],
            reason=reason,
            performed_by=row[6],
            vip_level=row[7],
            metadata_json=row[8],
            risk_score=row[9],
            warnings_json=row[10],
            idempotency_key=None,
            created_us=row[11],
            reverses_event_id=None,
            currency=row[12],
            db_user=row[13],
        )
        digest = chain_hash(head, fields)
        updates.append(
            f"UPDATE balance_event SET reason = '{reason}', prev_hash = '{head}', "
            f"hash = '{digest}' WHERE id = {row[0]}"
        )
        head = digest
    _sql(book, *updates, f"UPDATE customer SET head_hash = '{head}' WHERE code = 'C1'")
    assert book.verifier.verify().ok  # the forgery is internally consistent
    problems = _problems(book, statement)
    assert any(p.startswith("C1: event 4 no longer has the hash") for p in problems)


def test_an_edited_currency_is_caught_by_the_chain_itself(book) -> None:  # type: ignore[no-untyped-def]
    _sql(book, "UPDATE balance_event SET currency = 'EUR' WHERE sequence = 1")
    problems = [p.problem for p in book.verifier.verify().problems]
    assert any("hash does not match its contents" in p for p in problems)


def test_a_removed_acknowledgement_is_caught(book) -> None:  # type: ignore[no-untyped-def]
    statement = _checkpoint(book)
    _sql(
        book,
        "UPDATE alert SET acknowledged_us = NULL, acknowledged_by = NULL, "
        "acknowledgement_note = NULL, acknowledged_db_user = NULL",
    )
    assert any("was removed" in p.problem for p in book.verifier.verify().problems)
    # and even with its audit record gone too, the checkpoint still knows
    _sql(book, "DELETE FROM audit_record WHERE kind = 'ack'")
    problems = _problems(book, statement)
    assert any(p.startswith("acknowledgements: 1 at the checkpoint, 0 now") for p in problems)


def test_cli_checkpoint_and_verify_and_a_wrong_key(  # type: ignore[no-untyped-def]
    book, db_url: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    url = db_url
    path = tmp_path / "cp.json"
    monkeypatch.setenv("BALANCE_TUI_AUDIT_KEY", KEY)
    assert main(["--db", url, "checkpoint", "-o", str(path)]) == 0
    assert json.loads(path.read_text())["signature"]
    assert KEY not in path.read_text()
    assert main(["--db", url, "verify", "--checkpoint", str(path)]) == 0
    assert "nothing recorded before the checkpoint" in capsys.readouterr().out
    monkeypatch.setenv("BALANCE_TUI_AUDIT_KEY", "another key, just as long")
    assert main(["--db", url, "verify", "--checkpoint", str(path)]) == 1
    err = capsys.readouterr().err
    assert "was signed with key hmac:" in err and "not among the keys given" in err
    assert len(err.splitlines()) == 1
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    monkeypatch.delenv("BALANCE_TUI_AUDIT_KEY")
    assert (
        main(["--db", url, "verify", "--checkpoint", str(path), "--key-file", str(key_file)]) == 0
    )
    assert main(["--db", url, "checkpoint"]) == 1
    assert "No audit key" in capsys.readouterr().err
