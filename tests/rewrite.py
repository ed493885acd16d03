"""The book's owner rewriting a customer's events and recomputing every hash after them, as
an insider with the owner's rights (or a SQLite file) can: the chain stays internally
consistent and the rollups are rebuilt, so only what ``verify`` re-checks beyond the hashes,
or a checkpoint, shows it.
The guards are turned off for the edit and put back afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import Database, PostgresqlDatabase

from balance_tui.domain.hashing import GENESIS_HASH, chain_hash
from balance_tui.services.verification import event_fields
from balance_tui.store import rollups
from balance_tui.store import verification as scan

Edit = Callable[[dict[str, Any]], None]


def rewrite_events(db: Database, code: str, edit: Edit) -> None:
    """``edit(row)`` may change any stored field of each of ``code``'s events (in chain
    order); balances, hashes and the customer row are recomputed after it."""
    pk = db.execute_sql("SELECT id FROM customer WHERE code = ?".replace("?", db.param), (code,))
    customer = pk.fetchone()[0]
    with db.atomic():  # PostgreSQL reads the events through a cursor in a transaction
        rows = [r for r in scan.events_in_chain_order(db) if r["customer_id"] == customer]
    head, balance, statements = GENESIS_HASH, 0, []
    for row in rows:
        edit(row)
        row["previous_cents"], row["new_cents"] = balance, balance + int(row["amount_cents"])
        row["prev_hash"], balance = head, row["new_cents"]
        row["hash"] = head = chain_hash(head, event_fields(row, code))
        columns = [c for c in row if c != "id"]
        statements.append(
            (
                f"UPDATE balance_event SET {', '.join(f'{c} = {db.param}' for c in columns)} "
                f"WHERE id = {db.param}",
                (*(row[c] for c in columns), row["id"]),
            )
        )
    statements.append(
        (
            f"UPDATE customer SET balance_cents = {db.param}, head_hash = {db.param} "
            f"WHERE id = {db.param}",
            (balance, head, customer),
        )
    )
    last = db.execute_sql("SELECT MAX(id) FROM balance_event").fetchone()[0]
    statements.append(("DELETE FROM rollup", ()))
    with_guards_off(db, ("balance_event", "customer"), statements)
    with db.atomic():  # the rollups follow the rewritten events, as a careful owner makes them
        rollups.add_events(db, 1, int(last))


def with_guards_off(
    db: Database, tables: tuple[str, ...], statements: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """Run ``statements`` as the owner with the triggers of ``tables`` (SQLite: all) off."""
    if isinstance(db, PostgresqlDatabase):
        off = [(f"ALTER TABLE {t} DISABLE TRIGGER USER", ()) for t in tables]
        on = [(f"ALTER TABLE {t} ENABLE TRIGGER USER", ()) for t in tables]
    else:
        saved = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        pairs = saved.fetchall()
        off = [(f"DROP TRIGGER {name}", ()) for name, _ in pairs]
        on = [(sql, ()) for _, sql in pairs]
    with db.atomic():
        for sql, params in off + statements + on:
            db.execute_sql(sql, params)
