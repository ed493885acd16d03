"""Following the book in commit order: what was committed since the last look.

Ids are taken when a row is inserted but become visible when its transaction commits. On
SQLite writers hold the write lock from ``BEGIN IMMEDIATE`` to commit, so ids appear in
order. On PostgreSQL a transaction that took id 6 may commit after one that took id 7: a
reader that only asks for "ids above the last one seen" would never see 6. So the cursor
also remembers the *gaps* below the highest id it has seen, each tagged with the
snapshot's ``xmax``; it keeps asking for them until every transaction that was running
when the gap was noticed has ended (the snapshot's ``xmin`` has passed the tag). Every
write transaction takes its transaction id before it inserts anything
(``store.transactions``), so no insert can start after a gap is noticed and still belong
to it. A gap that settles without a row was a rolled-back insert.
"""

from __future__ import annotations

from peewee import Database

from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceChangeEvent, BalanceThresholdAlert
from balance_tui.store import alerts as alert_store
from balance_tui.store import events as event_store
from balance_tui.store.transactions import is_postgres, read_snapshot

#: How far below the newest id a new cursor looks for transactions still in flight.
START_LOOKBACK = 256
#: At most this many open gaps per table are remembered (a huge rolled-back batch).
MAX_GAPS = 10_000


class _Tail:
    """How far one table has been read, and the ids below that not seen yet (plain classes
    here: a dataclass compiles three methods of its own, and this loads at start-up)."""

    def __init__(self, last_id: int) -> None:
        self.last_id = last_id
        self.gaps: dict[int, int] = {}  # id -> xmax when noticed

    def advance(self, seen: list[int], xmin: int, xmax: int) -> None:
        for found in seen:
            self.gaps.pop(found, None)
        if seen:
            top = max(seen)
            if top > self.last_id:
                present = set(seen)
                for missing in range(max(self.last_id + 1, top - MAX_GAPS), top):
                    if missing not in present:
                        self.gaps.setdefault(missing, xmax)
                self.last_id = top
        # Settled: every transaction running when the gap was noticed has ended, and this
        # snapshot (taken after) would have shown its row.
        self.gaps = {i: tag for i, tag in self.gaps.items() if tag > xmin}
        if len(self.gaps) > MAX_GAPS:
            self.gaps = dict(sorted(self.gaps.items())[-MAX_GAPS:])


class FeedCursor:
    """Where a follower of the book stands."""

    def __init__(self, events: _Tail, alerts: _Tail, active_alerts: int) -> None:
        self.events = events
        self.alerts = alerts
        self.active_alerts = active_alerts


@record
class FeedRead:
    """What one read of the feed found: new events and alerts, and the open alerts now."""

    events: list[BalanceChangeEvent]
    alerts: list[BalanceThresholdAlert]
    active_alerts: int


def _snapshot_bounds(db: Database) -> tuple[int, int]:
    """(xmin, xmax) of the current snapshot; (0, 0) on SQLite, where no gap stays open."""
    if not is_postgres(db):
        return 0, 0
    row = db.execute_sql(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
        "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
    ).fetchone()
    return int(row[0]), int(row[1])


def _recent_ids(db: Database, table: str, floor: int) -> list[int]:
    rows = db.execute_sql(f"SELECT id FROM {table} WHERE id > {db.param}", (floor,)).fetchall()
    return [int(r[0]) for r in rows]


def start_cursor(db: Database) -> FeedCursor:
    """A cursor at the newest committed rows, still watching recent ids in flight."""
    with read_snapshot(db):
        xmin, xmax = _snapshot_bounds(db)
        last_event = event_store.latest_event_id(db)
        last_alert = alert_store.latest_alert_id(db)
        events = _Tail(max(last_event - START_LOOKBACK, 0))
        alerts = _Tail(max(last_alert - START_LOOKBACK, 0))
        if xmax:
            events.advance(_recent_ids(db, "balance_event", events.last_id), xmin, xmax)
            alerts.advance(_recent_ids(db, "alert", alerts.last_id), xmin, xmax)
        events.last_id, alerts.last_id = last_event, last_alert
        events.gaps = {i: t for i, t in events.gaps.items() if i < last_event}
        alerts.gaps = {i: t for i, t in alerts.gaps.items() if i < last_alert}
        return FeedCursor(events, alerts, alert_store.count_active(db))


def read_since(db: Database, cursor: FeedCursor, limit: int) -> FeedRead:
    """What was committed since the cursor last moved (in one snapshot); moves it on."""
    with read_snapshot(db):
        xmin, xmax = _snapshot_bounds(db)
        events = event_store.events_after(db, cursor.events.last_id, limit, cursor.events.gaps)
        alerts = alert_store.alerts_after(db, cursor.alerts.last_id, limit, cursor.alerts.gaps)
        active = alert_store.count_active(db)
    cursor.events.advance([e.id for e in events], xmin, xmax)
    cursor.alerts.advance([a.id for a in alerts], xmin, xmax)
    cursor.active_alerts = active
    return FeedRead(events, alerts, active)
