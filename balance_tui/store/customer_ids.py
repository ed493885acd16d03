"""The newest customer's id and whether an id is taken (to propose the next free one)."""

from __future__ import annotations

from peewee import Database


def newest_code(db: Database) -> str | None:
    row = db.execute_sql("SELECT code FROM customer ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def same_code_any_case(db: Database, code: str) -> str | None:
    """The existing customer code that ``code`` equals but for case (c1 for C1), or None."""
    sql = f"SELECT code FROM customer WHERE LOWER(code) = LOWER({db.param}) LIMIT 1"
    row = db.execute_sql(sql, (code,)).fetchone()
    return None if row is None else str(row[0])


def code_taken(db: Database, code: str) -> bool:
    sql = f"SELECT 1 FROM customer WHERE code = {db.param}"
    return db.execute_sql(sql, (code,)).fetchone() is not None
