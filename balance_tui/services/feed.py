"""The change feed: what the services publish after each commit, for the TUI to follow.

Subscribers are called synchronously on the publishing thread, after the transaction has
committed; a subscriber that raises does not disturb the writer or the other subscribers.
Changes written by *other processes* are found by ``services.watch`` instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from decimal import Decimal

from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceThresholdAlert

log = logging.getLogger(__name__)


@record
class BalanceChanged:
    """A customer's balance changed (an event was written)."""

    customer_id: str
    event_id: int
    new_balance: Decimal


@record
class AlertRaised:
    """An alert was raised."""

    alert: BalanceThresholdAlert


@record
class AlertAcknowledged:
    """An alert was acknowledged."""

    alert: BalanceThresholdAlert


@record
class ApprovalRequested:
    """A change above its maker's authority now waits for a checker."""

    request: ApprovalRequest


@record
class ApprovalDecided:
    """A checker approved (and applied) or rejected a request."""

    request: ApprovalRequest


Notice = BalanceChanged | AlertRaised | AlertAcknowledged | ApprovalRequested | ApprovalDecided
Subscriber = Callable[[Notice], None]


class ChangeFeed:
    """A thread-safe list of subscribers that receive every notice."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, *notices: Notice) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for notice in notices:
            for subscriber in subscribers:
                try:
                    subscriber(notice)
                except Exception:  # a broken screen must not break a committed update
                    log.exception("change feed subscriber failed")


_feeds: dict[int, ChangeFeed] = {}
_feeds_lock = threading.Lock()


def feed_for(db: object) -> ChangeFeed:
    """The one feed of a database object, shared by every service built on it."""
    with _feeds_lock:
        return _feeds.setdefault(id(db), ChangeFeed())
