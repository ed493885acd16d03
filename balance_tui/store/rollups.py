"""The rollup table: per-day and per-hour aggregates of events per currency, agent ("" for
every agent) and change type. Written in each change's transaction (one upsert of four
rows) and by the demo's bulk path; read by system and agent analytics; checked by verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from peewee import Database

from balance_tui.store.analytics import GroupedChanges
from balance_tui.store.transactions import is_postgres

COLUMNS = (
    "grain",
    "bucket_us",
    "currency",
    "agent_code",
    "change_type",
    "events",
    "net_cents",
    "gross_cents",
    "squares",
    "min_cents",
    "max_cents",
)
KEY = ("grain", "currency", "agent_code", "bucket_us", "change_type", "slot")
Row = tuple[str, int, str, str, str, int, int, int, float, int, int]


def upsert_sql(db: Database, rows: int) -> str:
    """One statement adding ``rows`` rollup rows (each key at most once per statement)."""
    p = db.param
    pg = is_postgres(db)
    least, greatest = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")
    # The writing connection's own rows: concurrent writers never wait on each other here.
    slot = "pg_backend_pid()" if pg else "0"
    one = f"({', '.join([p] * len(COLUMNS))}, {slot})"
    return (
        f"INSERT INTO rollup ({', '.join(COLUMNS)}, slot) VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
        "events = rollup.events + excluded.events, "
        "net_cents = rollup.net_cents + excluded.net_cents, "
        "gross_cents = rollup.gross_cents + excluded.gross_cents, "
        "squares = rollup.squares + excluded.squares, "
        f"min_cents = {least}(rollup.min_cents, excluded.min_cents), "
        f"max_cents = {greatest}(rollup.max_cents, excluded.max_cents)"
    )


def add(db: Database, rows: Sequence[Row], batch: int = 200) -> None:
    """Add rows (the bulk path: many, in statements of at most ``batch`` rows; keys must be
    distinct within the call)."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        db.execute_sql(upsert_sql(db, len(chunk)), [v for row in chunk for v in row])


def grouped(
    db: Database,
    grain: str,
    start: int,
    end: int,
    currency: str,
    agent_code: str,
    origin: int,
    width: int,
) -> list[GroupedChanges]:
    """Rollup rows of [start, end) as analytics groups them: per change type and series
    bucket (``(bucket_us - origin) // width``)."""
    p = db.param
    cursor = db.execute_sql(
        "SELECT change_type, bucket_us, events, net_cents, squares, max_cents, min_cents "
        f"FROM rollup WHERE grain = {p} AND currency = {p} AND agent_code = {p} "
        f"AND bucket_us >= {p} AND bucket_us < {p}",
        (grain, currency, agent_code, start, end),
    )
    folded: dict[tuple[str, int], list[Any]] = {}
    for kind, bucket_us, n, net, squares, hi, lo in cursor:
        key = (str(kind), (int(bucket_us) - origin) // width)
        found = folded.get(key)
        if found is None:
            folded[key] = [int(n), int(net), float(squares), int(hi), int(lo)]
        else:
            found[0] += int(n)
            found[1] += int(net)
            found[2] += float(squares)
            found[3] = max(found[3], int(hi))
            found[4] = min(found[4], int(lo))
    return [
        GroupedChanges(kind, index, n, net, squares, hi, lo)
        for (kind, index), (n, net, squares, hi, lo) in folded.items()
    ]


def net_from(db: Database, grain: str, start: int, currency: str, agent_code: str) -> int:
    """The net of every rollup bucket of ``grain`` starting at or after ``start``."""
    p = db.param
    row = db.execute_sql(
        "SELECT COALESCE(SUM(net_cents), 0) FROM rollup "
        f"WHERE grain = {p} AND currency = {p} AND agent_code = {p} AND bucket_us >= {p}",
        (grain, currency, agent_code, start),
    ).fetchone()
    return int(row[0])


def net_between(
    db: Database, grain: str, start: int, end: int, currency: str, agent_code: str
) -> int:
    p = db.param
    row = db.execute_sql(
        "SELECT COALESCE(SUM(net_cents), 0) FROM rollup WHERE grain = "
        f"{p} AND currency = {p} AND agent_code = {p} AND bucket_us >= {p} AND bucket_us < {p}",
        (grain, currency, agent_code, start, end),
    ).fetchone()
    return int(row[0])


def stored(db: Database) -> dict[tuple[str, int, str, str, str], tuple[Any, ...]]:
    """Every rollup bucket (its slots added up): key -> (events, net, gross, squares, min,
    max)."""
    cursor = db.execute_sql(
        "SELECT grain, bucket_us, currency, agent_code, change_type, SUM(events), "
        "SUM(net_cents), SUM(gross_cents), SUM(squares), MIN(min_cents), MAX(max_cents) "
        "FROM rollup GROUP BY 1, 2, 3, 4, 5"
    )
    return {
        (str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4])): (
            int(r[5]),
            int(r[6]),
            int(r[7]),
            float(r[8]),
            int(r[9]),
            int(r[10]),
        )
        for r in cursor
    }


def from_events(db: Database, widths: Iterable[tuple[str, int]]) -> dict[Any, tuple[Any, ...]]:
    """What the rollups should hold, recomputed from the events (verify)."""
    pg = is_postgres(db)
    square = (
        "CAST(amount_cents AS DOUBLE PRECISION) * amount_cents"
        if pg
        else "amount_cents * 1.0 * amount_cents"
    )
    expected: dict[Any, tuple[Any, ...]] = {}
    for grain, width in widths:
        bucket = (
            f"(created_us - MOD(created_us, {width}))"
            if pg
            else f"(created_us - created_us % {width})"
        )
        cursor = db.execute_sql(
            f"SELECT {bucket}, currency, agent_code, change_type, COUNT(*), SUM(amount_cents), "
            f"SUM(ABS(amount_cents)), SUM({square}), MIN(amount_cents), MAX(amount_cents) "
            "FROM balance_event GROUP BY 1, 2, 3, 4"
        )
        every: dict[tuple[Any, ...], list[Any]] = {}
        for bucket_us, currency, agent, kind, n, net, gross, squares, lo, hi in cursor:
            values = (int(n), int(net), int(gross), float(squares), int(lo), int(hi))
            expected[(grain, int(bucket_us), currency, agent, kind)] = values
            key = (grain, int(bucket_us), currency, "", kind)
            total = every.get(key)
            if total is None:
                every[key] = list(values)
            else:
                total[0] += values[0]
                total[1] += values[1]
                total[2] += values[2]
                total[3] += values[3]
                total[4] = min(total[4], values[4])
                total[5] = max(total[5], values[5])
        expected.update({k: tuple(v) for k, v in every.items()})
    return expected
