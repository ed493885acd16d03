"""What ``verify`` reads to re-check, after the fact, the rules each event was written under:
the approvals events apply, and the history of the book's tier rules."""

from __future__ import annotations

from typing import Any

from peewee import Database

from balance_tui.store.rows import named_rows


def applied_approvals(db: Database) -> dict[int, dict[str, Any]]:
    """Every request an event links to, with its decision (None columns when undecided)."""
    cursor = db.execute_sql(
        "SELECT r.id, r.customer_id, r.change_type, r.amount_cents, r.reason, r.metadata_json, "
        "r.reverses_event_id, r.maker, r.expires_us, d.verdict, d.checker, d.decided_us "
        "FROM approval_request r LEFT JOIN approval_decision d ON d.request_id = r.id "
        "WHERE r.id IN (SELECT approval_id FROM balance_event WHERE approval_id IS NOT NULL)"
    )
    return {int(row["id"]): row for row in named_rows(cursor)}


def rule_records(db: Database) -> list[tuple[str, int]]:
    """(body, written at) of every audit record of a tier rule, in chain order."""
    cursor = db.execute_sql(
        "SELECT body, created_us FROM audit_record WHERE kind = 'rule' ORDER BY id"
    )
    return [(str(body), int(at)) for body, at in cursor]


def authority_records(db: Database, kind: str = "authority") -> list[tuple[str, int]]:
    """(body, written at) of every audit record of an authority row (or of another
    ``kind``: ``operator``, the book's roles on SQLite), in chain order."""
    cursor = db.execute_sql(
        f"SELECT body, created_us FROM audit_record WHERE kind = {db.param} ORDER BY id",
        (kind,),
    )
    return [(str(body), int(at)) for body, at in cursor]


#: Whether a login is unlimited (superuser or the owner of the book's tables) and which of
#: the book's roles it holds now; no row: the login no longer exists.
WRITER_ROLES = (
    "SELECT r.rolsuper OR r.rolname = pg_catalog.pg_get_userbyid(c.relowner), "
    "ARRAY(SELECT s FROM pg_catalog.unnest(%s::text[]) s "
    "      JOIN pg_catalog.pg_roles x ON x.rolname = %s || '_' || s "
    "      WHERE pg_catalog.pg_has_role(r.oid, x.oid, 'MEMBER')) "
    "FROM pg_catalog.pg_roles r, pg_catalog.pg_class c "
    "WHERE r.rolname = %s AND c.oid = 'balance_event'::regclass"
)


def writer_roles(
    db: Database, login: str, prefix: str, roles: tuple[str, ...]
) -> tuple[bool, frozenset[str]] | None:
    """PostgreSQL: (unlimited, the book's roles held now) of ``login``; None if it is gone."""
    row = db.execute_sql(WRITER_ROLES, (list(roles), prefix, login)).fetchone()
    return None if row is None else (bool(row[0]), frozenset(row[1]))
