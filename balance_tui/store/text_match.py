"""Searching text with LIKE: what an operator types is text, never LIKE's wildcards, and
case does not matter (PostgreSQL's ILIKE; SQLite's LIKE ignores ASCII case)."""

from __future__ import annotations

from typing import Any

from peewee import SQL, Database, NodeList, Value

from balance_tui.store.transactions import is_postgres


def like_pattern(text: str) -> str:
    """A LIKE pattern for "contains ``text``" with LIKE's own wildcards taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def customer_match_sql(db: Database, column: str) -> str:
    """``column IN (customers whose id or name contains the pattern)``, case-insensitive;
    the caller passes ``like_pattern(text)`` twice."""
    like = "ILIKE" if is_postgres(db) else "LIKE"  # SQLite's LIKE ignores ASCII case
    p = db.param
    return (
        f"{column} IN (SELECT m.id FROM customer m WHERE m.code {like} {p} ESCAPE '\\' "
        f"OR m.name {like} {p} ESCAPE '\\')"
    )


def contains_text(field: Any, pattern: str, postgres: bool) -> Any:
    """``field`` contains the text of ``pattern`` (a ``like_pattern``), any case."""
    like = SQL("ILIKE" if postgres else "LIKE")
    return NodeList((field, like, Value(pattern), SQL("ESCAPE '\\'")))
