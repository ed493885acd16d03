"""The alert banner's queue and keys, for the app.

One banner at a time, the most severe first. Repeats of one customer and type are one
banner ("CUSTOMER_00040 × 8"): ``x`` dismisses them together, ``X`` dismisses every banner,
and ``b`` acknowledges them with the Alerts screen's undo window: the banner counts the
seconds down, ``u`` takes it back, and the acknowledgement is written when the window
closes (or the app quits).
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import App
from textual.reactive import reactive
from textual.timer import Timer

from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.services.watch import ChangeBatch
from balance_tui.tui.safe_text import visible
from balance_tui.tui.screens.base import call_database

if TYPE_CHECKING:
    from balance_tui.services.bundle import Services
    from balance_tui.tui.app import BalanceApp

#: Banner order: the most severe first.
BANNER_RANK = {"critical": 0, "limit_exceeded": 1, "significant_drop": 2, "warning": 3}


def banner_order(alert: BalanceThresholdAlert) -> tuple[int, int]:
    return BANNER_RANK.get(alert.alert_type, 9), alert.id


def same_kind(one: BalanceThresholdAlert, other: BalanceThresholdAlert) -> bool:
    return (one.customer_id, one.alert_type) == (other.customer_id, other.alert_type)


class BannerDesk(App[None]):
    """The app's banner: ``banner_alert`` shown, ``banner_queue`` waiting (``BalanceApp``
    is one)."""

    banner_alert: reactive[BalanceThresholdAlert | None] = reactive(None)
    banner_queue: deque[BalanceThresholdAlert]
    services: Services
    operator: str
    undo_seconds: float
    #: An acknowledgement from the banner in its undo window: the alert ids, when it is
    #: written (monotonic seconds), the timers of the window and of the countdown.
    banner_pending: tuple[list[int], float, Timer, Timer] | None = None

    def banner_group(self) -> list[BalanceThresholdAlert]:
        """The banner's alert and the queued repeats of its customer and type."""
        shown = self.banner_alert
        if shown is None:
            return []
        return [shown, *(a for a in self.banner_queue if same_kind(a, shown))]

    def banner_countdown(self) -> int | None:
        """Seconds left before the banner's acknowledgement is written; None if none waits."""
        if self.banner_pending is None:
            return None
        return max(0, math.ceil(self.banner_pending[1] - time.monotonic()))

    def _queue_banners(self, alerts: list[BalanceThresholdAlert]) -> None:
        """The most severe alert shows first (then the oldest); a more severe newcomer
        takes the banner and the one it replaces waits its turn (not while an
        acknowledgement of the banner is in its undo window)."""
        waiting = list(self.banner_queue) + alerts
        if self.banner_alert is not None and self.banner_pending is None:
            waiting.append(self.banner_alert)
        waiting.sort(key=banner_order)
        if self.banner_pending is not None:
            self.banner_queue = deque(waiting)
            self.mutate_reactive(BannerDesk.banner_alert)
            return
        self.banner_queue = deque(waiting[1:])
        if self.banner_alert is waiting[0]:
            self.mutate_reactive(BannerDesk.banner_alert)  # "+N more" changed
        else:
            self.banner_alert = waiting[0]

    def _forget(self, alert_id: int) -> None:
        self.banner_queue = deque(a for a in self.banner_queue if a.id != alert_id)
        if self.banner_alert is not None and self.banner_alert.id == alert_id:
            if self.banner_pending is None:
                self._next_banner()
        else:
            self.mutate_reactive(BannerDesk.banner_alert)

    def _next_banner(self) -> None:
        self.banner_alert = self.banner_queue.popleft() if self.banner_queue else None

    def _drop_group(self) -> list[int]:
        """Take the banner and its repeats off the screen; their ids."""
        group = self.banner_group()
        ids = {a.id for a in group}
        self.banner_queue = deque(a for a in self.banner_queue if a.id not in ids)
        self._next_banner()
        return [a.id for a in group]

    def _drop_settled_banners(self, batch: ChangeBatch) -> None:
        """Another operator acknowledged something: banners for alerts that are no longer
        open must not stay up (or be "acknowledged" again)."""
        if batch.acknowledgements_changed and (self.banner_alert or self.banner_queue):
            self._check_banners()

    @work(thread=True, exclusive=True, group="banner-check", exit_on_error=False)
    def _check_banners(self) -> None:
        shown = [a.id for a in self.banner_queue]
        if self.banner_alert is not None:
            shown.append(self.banner_alert.id)

        def settled(alerts: list[BalanceThresholdAlert]) -> None:
            for alert in alerts:
                if alert.acknowledged_at is not None:
                    self._forget(alert.id)

        app = cast("BalanceApp", self)
        call_database(app, lambda: self.services.notifications.get_alerts(shown), settled)

    # ------------------------------------------------------------------ keys

    def action_dismiss_banner(self) -> None:
        if self.banner_pending is None:
            self._drop_group()

    def action_dismiss_all_banners(self) -> None:
        if self.banner_pending is None:
            self.banner_queue.clear()
            self.banner_alert = None

    def action_acknowledge_banner(self) -> None:
        if self.banner_alert is None or self.banner_pending is not None:
            return
        ids = [a.id for a in self.banner_group()]
        window = self.undo_seconds
        self.banner_pending = (
            ids,
            time.monotonic() + window,
            self.set_timer(window, self.write_banner_acknowledgement),
            self.set_interval(1.0, lambda: self.mutate_reactive(type(self).banner_alert)),  # type: ignore[arg-type]
        )
        self.mutate_reactive(BannerDesk.banner_alert)
        self.refresh_bindings()

    def action_undo_banner(self) -> None:
        pending = self.banner_pending
        if pending is None:
            return
        self._stop_pending()
        self.notify(f"Not acknowledged: {_named(pending[0])}", markup=False)

    def write_banner_acknowledgement(self) -> None:
        """Write the acknowledgement waiting (its window closed, or the app is leaving)."""
        pending = self.banner_pending
        if pending is None:
            return
        self._stop_pending()
        self._drop_group()
        self._acknowledge(pending[0])

    def _stop_pending(self) -> None:
        if self.banner_pending is not None:
            for timer in self.banner_pending[2:]:
                timer.stop()
        self.banner_pending = None
        self.mutate_reactive(BannerDesk.banner_alert)
        self.refresh_bindings()

    @work(thread=True, group="acknowledge", exit_on_error=False)
    def _acknowledge(self, alert_ids: list[int]) -> None:
        def said(outcome: tuple[list[BalanceThresholdAlert], set[int]]) -> None:
            alerts, newly = outcome
            if newly:
                self.notify(f"Acknowledged {_named(sorted(newly, reverse=True))}", markup=False)
            for alert in alerts:
                if alert.id not in newly:  # never claim one that another operator made
                    self.notify(
                        f"Alert #{alert.id} was already acknowledged by "
                        f"{visible(alert.acknowledged_by or '?')}",
                        markup=False,
                    )

        call_database(
            cast("BalanceApp", self),
            lambda: self.services.notifications.acknowledge_alerts_reporting(
                alert_ids, self.operator
            ),
            said,
        )


def _named(ids: list[int]) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:6])
    more = f" and {len(ids) - 6:,} more" if len(ids) > 6 else ""
    return f"alert {shown}" if len(ids) == 1 else f"alerts {shown}{more}"
