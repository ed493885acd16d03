"""BalanceAuditTrail: reading the append-only history of balance changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from balance_tui.domain.changes import CHANGE_TYPES
from balance_tui.domain.errors import InvalidInputError, UnknownCustomerError, UnknownEventError
from balance_tui.domain.inputs import check_id
from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceChangeEvent
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import HOUR_US, to_us
from balance_tui.services.matching import matched_customers
from balance_tui.store import events as event_store
from balance_tui.store.events import EventConditions

MAX_PAGE = 1_000
#: The furthest back ``get_recent_balance_changes`` looks: 100 years.
MAX_HOURS = 24 * 366 * 100


@record
class HistoryFilter:
    """What the history screen and ``history`` command narrow the trail by."""

    customer_id: str | None = None
    #: Part of a customer's id or name, any case (the TUI's filter); an exact id is that one.
    customer_match: str | None = None
    agent_id: str | None = None
    change_type: str | None = None
    performed_by: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: Part of a metadata value (a reference, a ticket), any case.
    reference: str | None = None
    #: The size of a change in cents, either sign.
    amount_cents: int | None = None
    event_id: int | None = None


@record
class TypeSum:
    """The events of one change type a filter shows: how many, and their amounts' sum."""

    change_type: str
    currency: str
    events: int
    total: Decimal


class BalanceAuditTrail(ServiceBase):
    """Reads the audit trail: per customer, recent, filtered pages (keyset), one event."""

    def get_balance_history(
        self, customer_id: str, limit: int = 50, offset: int = 0
    ) -> list[BalanceChangeEvent]:
        """A customer's changes, newest first (the seed's limit/offset form)."""
        _check_limit(limit)
        if offset < 0:
            raise InvalidInputError("Offset must be zero or more.")
        with self.read_snapshot():
            conditions = EventConditions(customer_pk=self._customer_pk(customer_id))
            return event_store.page(
                self.db, conditions, newest_first_by="sequence", limit=limit, offset=offset
            )

    def get_recent_balance_changes(
        self, hours: int = 24, agent_id: str | None = None, limit: int = MAX_PAGE
    ) -> list[BalanceChangeEvent]:
        """Changes of the last ``hours`` across all customers (one agent's if given)."""
        if isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= MAX_HOURS:
            raise InvalidInputError(f"Hours must be a whole number from 1 to {MAX_HOURS:,}.")
        _check_limit(limit)
        conditions = EventConditions(
            agent_code=agent_id or None, since_us=self.now_us() - hours * HOUR_US + 1
        )
        return event_store.page(self.db, conditions, limit=limit)

    def history_page(
        self, filters: HistoryFilter | None = None, *, before_id: int | None = None, limit: int = 50
    ) -> list[BalanceChangeEvent]:
        """One page of events, newest first, strictly older than ``before_id`` (keyset).

        Pass the last id of a page to get the next; the cost does not grow with the depth.
        """
        _check_limit(limit)
        with self.read_snapshot():
            conditions = self._conditions(filters or HistoryFilter(), before_id)
            return event_store.page(self.db, conditions, limit=limit)

    def last_page_start(
        self, filters: HistoryFilter | None = None, *, limit: int = 50
    ) -> int | None:
        """The id to start a page at (``before_id`` = it + 1) so that the page ends with the
        oldest event the filter admits; None when it admits none."""
        _check_limit(limit)
        with self.read_snapshot():
            conditions = self._conditions(filters or HistoryFilter(), None)
            ids = event_store.oldest_ids(self.db, conditions, limit)
        return ids[-1] if ids else None

    def count_events(self, filters: HistoryFilter | None = None) -> int:
        """How many events the filter admits (what an export of it will write)."""
        with self.read_snapshot():
            conditions = self._conditions(filters or HistoryFilter(), None)
            return event_store.count(self.db, conditions)

    def sums_by_type(self, filters: HistoryFilter) -> list[TypeSum]:
        """What the filter shows, summed by change type (History's status line)."""
        with self.read_snapshot():
            conditions = self._conditions(filters, None)
            rows = event_store.sums_by_type(self.db, conditions)
        return [
            TypeSum(kind, currency, count, cents_to_decimal(cents))
            for kind, currency, count, cents in rows
        ]

    def latest_event_id(self) -> int:
        return event_store.latest_event_id(self.db)

    def get_event(self, event_id: int) -> BalanceChangeEvent:
        event_id = check_id(event_id, "Event id")
        event = event_store.get_event(self.db, event_id)
        if event is None:
            raise UnknownEventError(f"No balance change event #{event_id}.")
        return event

    def in_filter(self, filters: HistoryFilter, event_id: int) -> bool:
        """Whether the filter shows that event (UnknownEventError if there is none)."""
        self.get_event(event_id)
        page = self.history_page(filters, before_id=event_id + 1, limit=1)
        return bool(page) and page[0].id == event_id

    # ----------------------------------------------------------------- internals

    def _customer_pk(self, customer_id: str) -> int:
        pk = event_store.customer_pk(self.db, customer_id)
        if pk is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return pk

    def _conditions(self, filters: HistoryFilter, before_id: int | None) -> EventConditions:
        if filters.change_type and filters.change_type not in CHANGE_TYPES:
            raise InvalidInputError(
                f"Unknown change type {filters.change_type!r}; use one of "
                f"{', '.join(CHANGE_TYPES)}."
            )
        customer_pk = self._customer_pk(filters.customer_id) if filters.customer_id else None
        customer_like = None
        if filters.customer_match:
            customer_pk, customer_like = matched_customers(self.db, filters.customer_match)
        return EventConditions(
            customer_pk=customer_pk,
            customer_like=customer_like,
            agent_code=filters.agent_id or None,
            change_type=filters.change_type or None,
            performed_by=filters.performed_by or None,
            since_us=to_us(filters.since) if filters.since else None,
            until_us=to_us(filters.until) if filters.until else None,
            before_id=before_id,
            metadata_like=filters.reference or None,
            amount_cents=filters.amount_cents,
            event_id=filters.event_id,
        )


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_PAGE:
        raise InvalidInputError(f"Limit must be between 1 and {MAX_PAGE:,}.")
