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
from balance_tui.store.models import Customer as CustomerRow

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


class BalanceAuditTrail(ServiceBase):
    """Reads the audit trail: per customer, recent, filtered pages (keyset), one event."""

    def get_balance_history(
        self, customer_id: str, limit: int = 50, offset: int = 0
    ) -> list[BalanceChangeEvent]:
        """A customer's changes, newest first (the seed's limit/offset form)."""
        customer_pk = self._customer_pk(customer_id)
        _check_limit(limit)
        if offset < 0:
            raise InvalidInputError("Offset must be zero or more.")
        rows = (
            select_events()
            .where(BalanceEvent.customer == customer_pk)
            .order_by(BalanceEvent.sequence.desc())
            .limit(limit)
            .offset(offset)
            .tuples()
        )
        return self._with_reversals([tuple(r) for r in rows])

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
        query = select_events()
        for condition in self._conditions(filters or HistoryFilter()):
            query = query.where(condition)
        if before_id is not None:
            query = query.where(BalanceEvent.id < before_id)
        rows = query.order_by(BalanceEvent.id.desc()).limit(limit).tuples()
        return self._with_reversals([tuple(r) for r in rows])

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
        pk = CustomerRow.select(CustomerRow.id).where(CustomerRow.code == customer_id).scalar()
        if pk is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return int(pk)

    def _conditions(self, filters: HistoryFilter) -> list:  # type: ignore[type-arg]
        conditions = []
        if filters.customer_id:
            conditions.append(BalanceEvent.customer == self._customer_pk(filters.customer_id))
        if filters.agent_id:
            conditions.append(BalanceEvent.agent_code == filters.agent_id)
        if filters.change_type:
            if filters.change_type not in CHANGE_TYPES:
                raise InvalidInputError(
                    f"Unknown change type {filters.change_type!r}; use one of "
                    f"{', '.join(CHANGE_TYPES)}."
                )
            conditions.append(BalanceEvent.change_type == filters.change_type)
        if filters.performed_by:
            conditions.append(BalanceEvent.performed_by == filters.performed_by)
        if filters.since:
            conditions.append(BalanceEvent.created_us >= to_us(filters.since))
        if filters.until:
            conditions.append(BalanceEvent.created_us < to_us(filters.until))
        return conditions

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
