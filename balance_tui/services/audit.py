"""BalanceAuditTrail: reading the append-only history of balance changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from balance_tui.domain.changes import CHANGE_TYPES
from balance_tui.domain.errors import InvalidInputError, UnknownCustomerError, UnknownEventError
from balance_tui.domain.records import BalanceChangeEvent
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import HOUR_US, to_us
from balance_tui.services.rows import event_from_tuple, select_events, tuples
from balance_tui.store.models import BalanceEvent

MAX_PAGE = 1_000


@dataclass(frozen=True)
class HistoryFilter:
    """What the history screen and ``history`` command narrow the trail by."""

    customer_id: str | None = None
    agent_id: str | None = None
    change_type: str | None = None
    performed_by: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_EVENT_SELECT = (
    "SELECT e.id, c.code, e.agent_code, e.change_type, e.amount_cents, e.previous_cents, "
    "e.new_cents, e.reason, e.performed_by, e.vip_level, e.metadata_json, e.risk_score, "
    "e.warnings_json, e.idempotency_key, e.created_us, e.reverses_event_id, e.prev_hash, "
    "e.hash, e.sequence, e.currency, e.db_user, r.id "
    "FROM balance_event e JOIN customer c ON c.id = e.customer_id "
    "LEFT JOIN balance_event r ON r.reverses_event_id = e.id"
)


class BalanceAuditTrail(ServiceBase):
    """Reads the audit trail: per customer, recent, filtered pages (keyset), one event.

    Pages are plain SQL (one statement, the reversal link joined in): they are what the
    history screen runs as the operator scrolls, and Peewee's query building cost more
    than the query itself.
    """

    def _page(
        self, where: list[str], params: list[object], order: str, limit: int, offset: int = 0
    ) -> list[BalanceChangeEvent]:
        p = self.db.param
        sql = _EVENT_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order} LIMIT {p} OFFSET {p}"
        rows = self.db.execute_sql(sql, (*params, limit, offset)).fetchall()
        return [event_from_tuple(row[:21], row[21]) for row in rows]

    def get_balance_history(
        self, customer_id: str, limit: int = 50, offset: int = 0
    ) -> list[BalanceChangeEvent]:
        """A customer's changes, newest first (the seed's limit/offset form)."""
        customer_pk = self._customer_pk(customer_id)
        _check_limit(limit)
        if offset < 0:
            raise InvalidInputError("Offset must be zero or more.")
        p = self.db.param
        return self._page([f"e.customer_id = {p}"], [customer_pk], "e.sequence DESC", limit, offset)

    def get_recent_balance_changes(
        self, hours: int = 24, agent_id: str | None = None, limit: int = MAX_PAGE
    ) -> list[BalanceChangeEvent]:
        """Changes of the last ``hours`` across all customers (one agent's if given)."""
        if not isinstance(hours, int) or hours <= 0:
            raise InvalidInputError("Hours must be a positive whole number.")
        _check_limit(limit)
        since = self.now_us() - hours * HOUR_US
        query = select_events().where(BalanceEvent.created_us > since)
        if agent_id:
            query = query.where(BalanceEvent.agent_code == agent_id)
        rows = query.order_by(BalanceEvent.id.desc()).limit(limit).tuples()
        return self._with_reversals([tuple(r) for r in rows])

    def history_page(
        self, filters: HistoryFilter | None = None, *, before_id: int | None = None, limit: int = 50
    ) -> list[BalanceChangeEvent]:
        """One page of events, newest first, strictly older than ``before_id`` (keyset).

        Pass the last id of a page to get the next; the cost does not grow with the depth.
        """
        _check_limit(limit)
        where, params = self._conditions(filters or HistoryFilter())
        if before_id is not None:
            where.append(f"e.id < {self.db.param}")
            params.append(before_id)
        return self._page(where, params, "e.id DESC", limit)

    def events_after(self, after_id: int, limit: int = MAX_PAGE) -> list[BalanceChangeEvent]:
        """Events newer than ``after_id``, oldest first (catching up on other writers)."""
        rows = (
            select_events()
            .where(BalanceEvent.id > after_id)
            .order_by(BalanceEvent.id)
            .limit(limit)
            .tuples()
        )
        return self._with_reversals([tuple(r) for r in rows])

    def latest_event_id(self) -> int:
        return int(
            BalanceEvent.select(BalanceEvent.id).order_by(BalanceEvent.id.desc()).limit(1).scalar()
            or 0
        )

    def get_event(self, event_id: int) -> BalanceChangeEvent:
        row = select_events().where(BalanceEvent.id == event_id).tuples().first()
        if row is None:
            raise UnknownEventError(f"No balance change event #{event_id}.")
        return self._with_reversals([tuple(row)])[0]

    # ----------------------------------------------------------------- internals

    def _customer_pk(self, customer_id: str) -> int:
        row = self.db.execute_sql(
            f"SELECT id FROM customer WHERE code = {self.db.param}", (customer_id,)
        ).fetchone()
        pk = None if row is None else row[0]
        if pk is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return int(pk)

    def _conditions(self, filters: HistoryFilter) -> tuple[list[str], list[object]]:
        """SQL conditions (with their parameters) for a filter, for ``_page``."""
        p = self.db.param
        where: list[str] = []
        params: list[object] = []

        def add(sql: str, value: object) -> None:
            where.append(sql)
            params.append(value)

        if filters.customer_id:
            add(f"e.customer_id = {p}", self._customer_pk(filters.customer_id))
        if filters.agent_id:
            add(f"e.agent_code = {p}", filters.agent_id)
        if filters.change_type:
            if filters.change_type not in CHANGE_TYPES:
                raise InvalidInputError(
                    f"Unknown change type {filters.change_type!r}; use one of "
                    f"{', '.join(CHANGE_TYPES)}."
                )
            add(f"e.change_type = {p}", filters.change_type)
        if filters.performed_by:
            add(f"e.performed_by = {p}", filters.performed_by)
        if filters.since:
            add(f"e.created_us >= {p}", to_us(filters.since))
        if filters.until:
            add(f"e.created_us < {p}", to_us(filters.until))
        return where, params

    def _with_reversals(self, rows: list[tuple]) -> list[BalanceChangeEvent]:  # type: ignore[type-arg]
        """Records, each knowing which event reversed it (one query for the whole page)."""
        if not rows:
            return []
        ids = [row[0] for row in rows]
        reversed_by: dict[int, int] = dict(
            tuples(
                BalanceEvent.select(BalanceEvent.reverses_event, BalanceEvent.id).where(
                    BalanceEvent.reverses_event.in_(ids)
                )
            )
        )
        return [event_from_tuple(row, reversed_by.get(row[0])) for row in rows]


def _check_limit(limit: int) -> None:
    if not isinstance(limit, int) or not 0 < limit <= MAX_PAGE:
        raise InvalidInputError(f"Limit must be between 1 and {MAX_PAGE:,}.")
