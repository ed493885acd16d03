"""The rollup table: per-day and per-hour aggregates of events per currency, agent ("" for
every agent) and change type. Written in each change's transaction (one upsert of four
rows) and by the demo's bulk path; read by system and agent analytics; checked by verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from peewee import Database

from balance_tui.domain.rollups import DAY, DAY_US, HOUR, HOUR_US
from balance_tui.store.analytics import GroupedChanges, square_sql
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


def _slot(db: Database) -> str:
    # The writing connection's own rows: concurrent writers never wait on each other here.
    return "pg_backend_pid()" if is_postgres(db) else "0"


def _add_on_conflict(db: Database) -> str:
    least, greatest = ("LEAST", "GREATEST") if is_postgres(db) else ("MIN", "MAX")
    return (
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
        "events = rollup.events + excluded.events, "
        "net_cents = rollup.net_cents + excluded.net_cents, "
        "gross_cents = rollup.gross_cents + excluded.gross_cents, "
        "squares = rollup.squares + excluded.squares, "
        f"min_cents = {least}(rollup.min_cents, excluded.min_cents), "
        f"max_cents = {greatest}(rollup.max_cents, excluded.max_cents)"
    )


def _bucket_sql(db: Database, width: int) -> str:
    """The start of an event's bucket of ``width`` microseconds, rounded down as Python's
    ``%`` does (SQL's truncates toward zero: a time before 1970 would land a bucket late)."""
    if is_postgres(db):
        return f"(created_us - MOD(MOD(created_us, {width}) + {width}, {width}))"
    return f"(created_us - ((created_us % {width}) + {width}) % {width})"


def _figures_sql(db: Database) -> str:
    """Events, net, gross, squares, min, max of the grouped events."""
    return (
        "COUNT(*), SUM(amount_cents), SUM(ABS(amount_cents)), "
        f"SUM({square_sql(db)}), MIN(amount_cents), MAX(amount_cents)"
    )


def upsert_sql(db: Database, rows: int) -> str:
    """One statement adding ``rows`` rollup rows (each key at most once per statement)."""
    one = f"({', '.join([db.param] * len(COLUMNS))}, {_slot(db)})"
    return (
        f"INSERT INTO rollup ({', '.join(COLUMNS)}, slot) VALUES {', '.join([one] * rows)} "
        f"{_add_on_conflict(db)}"
    )


def add_events(db: Database, first_id: int, last_id: int) -> None:
    """Add the events with ids in [first_id, last_id] (the bulk path: the database groups
    them, four statements for any number of events)."""
    p = db.param
    for grain, width in ((DAY, DAY_US), (HOUR, HOUR_US)):
        for agent in ("agent_code", "''"):
            db.execute_sql(
                f"INSERT INTO rollup ({', '.join(COLUMNS)}, slot) "
                f"SELECT '{grain}', {_bucket_sql(db, width)}, currency, {agent}, change_type, "
                f"{_figures_sql(db)}, {_slot(db)} FROM balance_event "
                f"WHERE id BETWEEN {p} AND {p} GROUP BY 2, 3, 4, 5 {_add_on_conflict(db)}",
                (first_id, last_id),
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
    # Slots and the buckets of one series step are added up by the database (a month reads
    # 4,320 hour rows per agent level; folding them here cost more than reading them).
    cursor = db.execute_sql(
        f"SELECT change_type, (bucket_us - {p}) / {p}, SUM(events), SUM(net_cents), "
        "SUM(squares), MAX(max_cents), MIN(min_cents) "
        f"FROM rollup WHERE grain = {p} AND currency = {p} AND agent_code = {p} "
        f"AND bucket_us >= {p} AND bucket_us < {p} GROUP BY 1, 2",
        (origin, width, grain, currency, agent_code, start, end),
    )
    return [
        GroupedChanges(str(kind), int(index), int(n), int(net), float(squares), int(hi), int(lo))
        for kind, index, n, net, squares, hi, lo in cursor
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


def stored(
    db: Database, start: int, end: int
) -> dict[tuple[str, int, str, str, str], tuple[Any, ...]]:
    """Every rollup bucket starting in [start, end) (its slots added up): key -> (events, net,
    gross, squares, min, max)."""
    p = db.param
    cursor = db.execute_sql(
        "SELECT grain, bucket_us, currency, agent_code, change_type, SUM(events), "
        "SUM(net_cents), SUM(gross_cents), SUM(squares), MIN(min_cents), MAX(max_cents) "
        f"FROM rollup WHERE grain IN ('{DAY}', '{HOUR}') AND bucket_us >= {p} "
        f"AND bucket_us < {p} GROUP BY 1, 2, 3, 4, 5",
        (start, end),
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


def time_span(db: Database) -> tuple[int, int] | None:
    """The first and last moment any event or rollup bucket covers, or None when neither."""
    events = db.execute_sql("SELECT MIN(created_us), MAX(created_us) FROM balance_event")
    lo_event, hi_event = events.fetchone()
    buckets = db.execute_sql("SELECT MIN(bucket_us), MAX(bucket_us) FROM rollup")
    lo_bucket, hi_bucket = buckets.fetchone()
    lows = [int(v) for v in (lo_event, lo_bucket) if v is not None]
    highs = [int(v) for v in (hi_event, hi_bucket) if v is not None]
    return (min(lows), max(highs)) if lows else None


def from_events(
    db: Database, widths: Iterable[tuple[str, int]], start: int, end: int
) -> dict[Any, tuple[Any, ...]]:
    """What the rollups of the events in [start, end) should hold, recomputed from them
    (verify; ``start`` and ``end`` fall on bucket edges of every width)."""
    p = db.param
    expected: dict[Any, tuple[Any, ...]] = {}
    for grain, width in widths:
        cursor = db.execute_sql(
            f"SELECT {_bucket_sql(db, width)}, currency, agent_code, change_type, "
            f"{_figures_sql(db)} FROM balance_event WHERE created_us >= {p} AND created_us < {p} "
            "GROUP BY 1, 2, 3, 4",
            (start, end),
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
