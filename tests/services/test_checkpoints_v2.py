"""Checkpoints state exact contents, link to their predecessor, live in the book's log as
well as the file, and are signed with Ed25519 (an auditor who verifies cannot sign) under a
key id (old checkpoints verify after a rotation). Both backends."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from balance_tui.domain.checkpoint import FORMAT, SIGNED_FIELDS, root_digest
from balance_tui.domain.checkpoint_keys import (
    CheckpointKeyError,
    load_key,
    new_ed25519_pem,
)
from balance_tui.services import Services
from balance_tui.store.transactions import is_postgres

PRIVATE, PUBLIC = new_ed25519_pem()
SIGNER, AUDITOR = load_key(PRIVATE), load_key(PUBLIC)


@pytest.fixture
def book(services: Services) -> Services:
    manager = services.manager
    manager.create_customer("C1", "A1", vip_level="gold")
    manager.create_customer("QUIET", "A1", vip_level="gold")  # no events, ever
    assert manager.update_balance("C1", None, Decimal("5000"), "deposit", "t", "ann").success
    result = manager.update_balance("C1", None, Decimal("-4500"), "withdrawal", "t", "ann")
    assert result.alerts
    return services


def _owner_edit(book: Services, *statements: str) -> None:
    """The owner's edit with the guards off and put back afterwards."""
    db = book.db
    if is_postgres(db):
        tables = ("alert", "customer", "checkpoint_log")
        off = [f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in tables]
        on = [s.replace("DISABLE", "ENABLE") for s in off]
    else:
        saved = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        pairs = saved.fetchall()
        off, on = [f"DROP TRIGGER {n}" for n, _ in pairs], [s for _, s in pairs]
    with db.atomic():
        for statement in off + list(statements) + on:
            db.execute_sql(statement)


def _problems(book: Services, statement: dict) -> list[str]:  # type: ignore[type-arg]
    return book.checkpoints.check(statement, [AUDITOR]).problems


def _named(book: Services, statement: dict) -> list[str]:  # type: ignore[type-arg]
    """What verify --checkpoint prints: the book's own problems and the checkpoint's."""
    own = [p.problem for p in book.verifier.verify().problems]
    return own + _problems(book, statement)


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ("UPDATE alert SET message = 'nothing to see'", "alerts: the alerts up to #"),
        ("UPDATE alert SET alert_type = 'significant_drop'", "alerts: the alerts up to #"),
        ("DELETE FROM customer WHERE code = 'QUIET'", "customers: the customers up to #"),
        ("UPDATE customer SET vip_level = 'diamond' WHERE code = 'QUIET'", "customer QUIET"),
        ("UPDATE customer SET name = 'Someone else' WHERE code = 'C1'", "customer C1"),
    ],
    ids=["alert text", "alert type", "customer without events", "tier", "name"],
)
def test_an_edit_of_what_the_chains_do_not_cover_is_named(
    book: Services, edit: str, named: str
) -> None:
    statement = book.checkpoints.make(SIGNER)
    assert _problems(book, statement) == []
    _owner_edit(book, edit)
    assert any(p.startswith(named) for p in _named(book, statement))


def test_an_auditor_with_the_public_key_verifies_and_cannot_sign(book: Services) -> None:
    statement = book.checkpoints.make(SIGNER)
    assert book.checkpoints.check(statement, [AUDITOR]).ok
    with pytest.raises(CheckpointKeyError, match="cannot sign"):
        book.checkpoints.make(AUDITOR)


def test_a_forged_signature_is_refused(book: Services) -> None:
    statement = book.checkpoints.make(SIGNER)
    statement["signature"] = load_key(new_ed25519_pem()[0]).sign(statement["root"])
    with pytest.raises(CheckpointKeyError, match="forged"):
        book.checkpoints.check(statement, [AUDITOR])


def test_after_a_rotation_old_checkpoints_find_their_key_in_the_ring(book: Services) -> None:
    old = book.checkpoints.make(SIGNER)
    rotated_private, rotated_public = new_ed25519_pem()
    new = book.checkpoints.make(load_key(rotated_private))
    ring = [AUDITOR, load_key(rotated_public)]
    assert book.checkpoints.check(old, ring).ok and book.checkpoints.check(new, ring).ok
    with pytest.raises(CheckpointKeyError, match=f"signed with key {SIGNER.key_id}"):
        book.checkpoints.check(old, [load_key(rotated_public)])


def test_an_old_checkpoint_says_how_old_it_is(book: Services) -> None:
    first = book.checkpoints.make(SIGNER)
    second = book.checkpoints.make(SIGNER)
    assert (first["sequence"], second["sequence"]) == (1, 2)
    assert second["previous"] == first["root"]
    [note] = book.checkpoints.check(first, [AUDITOR]).notes
    assert note.startswith("This is checkpoint #1 of") and "up to #2" in note
    assert book.checkpoints.check(second, [AUDITOR]).notes == (
        "This is the newest of the book's 2 checkpoint(s).",
    )


def test_a_book_restored_from_before_a_checkpoint_is_named_a_rollback(book: Services) -> None:
    book.checkpoints.make(SIGNER)
    later = book.checkpoints.make(SIGNER)
    _owner_edit(book, "DELETE FROM checkpoint_log WHERE sequence = 2")  # as the restored copy
    problems = _problems(book, later)
    assert any("restored from a copy older than this checkpoint" in p for p in problems)


def test_a_format_1_checkpoint_still_verifies(book: Services) -> None:
    secret = b"an HMAC key of the older kind"
    current = book.checkpoints.make(load_key(secret))
    statement = {name: current[name] for name in SIGNED_FIELDS}
    statement["format"] = FORMAT
    statement["root"] = root_digest(statement)
    statement["signature"] = load_key(secret).sign(statement["root"])
    assert book.checkpoints.check(json.loads(json.dumps(statement)), [load_key(secret)]).ok


@pytest.mark.parametrize("counts", ["many", [1, 2], None, {"events": "x"}])
def test_a_checkpoint_of_the_wrong_shape_is_named_damaged(book: Services, counts: object) -> None:
    """Signed or not, a file whose fields have the wrong shape is said to be damaged."""
    from balance_tui.domain.errors import InvalidInputError

    statement = book.checkpoints.make(SIGNER)
    statement["counts"] = counts
    with pytest.raises(InvalidInputError, match="damaged"):
        book.checkpoints.check(statement, [AUDITOR])
