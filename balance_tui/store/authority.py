"""The authority table (largest single change per role or login) and who the session is.

On PostgreSQL the session's roles come from the server (``pg_has_role`` on the book's own
roles, ``store.roles``) and its authority
from ``balance_authority(session_user)``, the same function the triggers use, so the app
and the database never disagree. On SQLite there are no database users: the app passes the
configured operator name and role.
"""

from __future__ import annotations

from peewee import Database

from balance_tui.store.roles import book_prefix, role_names

#: The roles, as the app names them; on PostgreSQL the group role is ``balance_<role>``.
ROLES = ("operator", "supervisor", "auditor", "admin")


def rows(db: Database) -> list[tuple[str, str, int | None, str, int]]:
    """Every (kind, subject, limit cents or None for unlimited, set by, set at)."""
    cursor = db.execute_sql(
        "SELECT kind, subject, limit_cents, set_by, set_us FROM authority "
        "ORDER BY kind DESC, subject"
    )
    return [(r[0], r[1], None if r[2] is None else int(r[2]), r[3], int(r[4])) for r in cursor]


def limit_of(db: Database, login: str, role: str) -> int | None:
    """SQLite: the login's own limit if it has one, else its role's (None: unlimited)."""
    p = db.param
    row = db.execute_sql(
        "SELECT limit_cents FROM authority WHERE (kind = 'login' AND subject = "
        f"{p}) OR (kind = 'role' AND subject = {p}) ORDER BY kind LIMIT 1",
        (login, role),
    ).fetchone()
    if row is None:
        return 0
    return None if row[0] is None else int(row[0])


def session_limit(db: Database) -> int | None:
    """PostgreSQL: the session login's authority in cents (None: unlimited)."""
    row = db.execute_sql("SELECT balance_authority(session_user::text)").fetchone()
    return None if row[0] is None else int(row[0])


def book_owner(db: Database) -> tuple[str, str, bool]:
    """PostgreSQL: (owner of the book's tables, this session's login, whether it is a
    superuser)."""
    row = db.execute_sql(
        "SELECT pg_get_userbyid((SELECT relowner FROM pg_class "
        "WHERE oid = 'balance_event'::regclass)), session_user, "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"
    ).fetchone()
    return str(row[0]), str(row[1]), bool(row[2])


def session_roles(db: Database) -> frozenset[str]:
    """PostgreSQL: the app roles the session login holds (directly or through another role);
    a superuser or the owner of the book's tables counts as admin."""
    owner = db.execute_sql(
        "SELECT rolsuper OR pg_get_userbyid((SELECT relowner FROM pg_class "
        "WHERE oid = 'balance_event'::regclass)) = session_user "
        "FROM pg_roles WHERE rolname = session_user"
    ).fetchone()
    if owner and owner[0]:
        return frozenset(ROLES)
    names = {name: role for role, name in role_names(book_prefix(db)).items()}
    held = db.execute_sql(
        "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) "
        "AND pg_has_role(session_user, oid, 'MEMBER')",
        (list(names),),
    ).fetchall()
    return frozenset(names[r[0]] for r in held)


def set_limit(
    db: Database, kind: str, subject: str, cents: int | None, set_by: str, set_us: int
) -> None:
    p = db.param
    db.execute_sql(
        "INSERT INTO authority (kind, subject, limit_cents, set_by, set_us) "
        f"VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (kind, subject) DO UPDATE SET "
        "limit_cents = excluded.limit_cents, set_by = excluded.set_by, set_us = excluded.set_us",
        (kind, subject, cents, set_by, set_us),
    )


def login_exists(db: Database, name: str) -> bool:
    """PostgreSQL: whether a role of that name exists on the server."""
    row = db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    return row is not None
