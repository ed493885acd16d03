"""SQLite: the book's operators and their roles (PostgreSQL asks the server instead).

An admin names each operator's role (``balance-tui operator set``); every change carries an
audit record, so a row edited with ``sqlite3`` is named by ``verify``.
"""

from __future__ import annotations

from peewee import Database


def role_of(db: Database, name: str) -> str | None:
    """The role the book gives ``name``; None when it does not name them."""
    row = db.execute_sql(
        f"SELECT role FROM book_operator WHERE name = {db.param}", (name,)
    ).fetchone()
    return None if row is None else str(row[0])


def has_operators(db: Database) -> bool:
    return db.execute_sql("SELECT 1 FROM book_operator LIMIT 1").fetchone() is not None


def rows(db: Database) -> list[tuple[str, str, str, int]]:
    """Every (name, role, set by, set at), by name."""
    cursor = db.execute_sql("SELECT name, role, set_by, set_us FROM book_operator ORDER BY name")
    return [(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in cursor]


def set_role(db: Database, name: str, role: str, set_by: str, set_us: int) -> None:
    """Name ``name``'s role (inside the caller's write transaction)."""
    p = db.param
    db.execute_sql(
        f"INSERT INTO book_operator (name, role, set_by, set_us) VALUES ({p}, {p}, {p}, {p}) "
        "ON CONFLICT (name) DO UPDATE SET role = excluded.role, set_by = excluded.set_by, "
        "set_us = excluded.set_us",
        (name, role, set_by, set_us),
    )
