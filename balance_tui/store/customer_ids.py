"""The newest customer's id and whether an id is taken (to propose the next free one)."""

from __future__ import annotations

from peewee import Database


def newest_code(db: Database) -> str | None:
    row = db.execute_sql("SELECT code FROM customer ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def code_taken(db: Database, code: str) -> bool:
    sql = f"SELECT 1 FROM customer WHERE code = {db.param}"
    return db.execute_sql(sql, (code,)).fetchone() is not None
