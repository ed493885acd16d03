"""BalanceApp: four modes (customers, history, alerts, analytics), banners, palette."""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import Worker

from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.services import import_export
from balance_tui.services.bundle import Services, thread_session
from balance_tui.services.feed import AlertAcknowledged, AlertRaised, Notice
from balance_tui.services.watch import ChangeBatch, ChangeWatcher
from balance_tui.tui.messages import DataChanged, ShowCustomerHistory
from balance_tui.tui.palette import BalanceCommands
from balance_tui.tui.poller import Poller
from balance_tui.tui.screens import AlertsScreen, AnalyticsScreen, CustomersScreen, HistoryScreen
from balance_tui.tui.screens.base import call_database, report_failed_worker

#: The four screens share one footer entry: "1234 Screens".
SCREENS = Binding.Group("Screens", compact=True)

#: How often the watcher looks for commits by other processes (a cheap PRAGMA on SQLite).
POLL_SECONDS = 0.25


class BalanceApp(App[None]):
    """The operators' back office."""

    CSS_PATH = "app.tcss"
    TITLE = "balance-tui"
    MODES = {
        "customers": CustomersScreen,
        "history": HistoryScreen,
        "alerts": AlertsScreen,
        "analytics": AnalyticsScreen,
    }
    DEFAULT_MODE = "customers"
    COMMANDS = App.COMMANDS | {BalanceCommands}
    BINDINGS = [
        Binding(
            "1",
            "switch_mode('customers')",
            "Customers",
            tooltip="Customers and balances",
            id="app.customers",
            group=SCREENS,
        ),
        Binding(
            "2",
            "switch_mode('history')",
            "History",
            tooltip="The audited history",
            id="app.history",
            group=SCREENS,
        ),
        Binding(
            "3",
            "switch_mode('alerts')",
            "Alerts",
            tooltip="Active alerts",
            id="app.alerts",
            group=SCREENS,
        ),
        Binding(
            "4",
            "switch_mode('analytics')",
            "Analytics",
            tooltip="Trends and risk",
            id="app.analytics",
            group=SCREENS,
        ),
        Binding(
            "question_mark", "toggle_help", "Keys", tooltip="Show or hide every key", id="app.help"
        ),
        Binding("q", "quit", "Quit", tooltip="Leave balance-tui", id="app.quit"),
        Binding(
            "b",
            "acknowledge_banner",
            "Ack alert",
            tooltip="Acknowledge the banner alert",
            id="app.ack_banner",
        ),
        Binding(
            "x",
            "dismiss_banner",
            "Dismiss",
            tooltip="Hide the banner (alert stays active)",
            id="app.dismiss_banner",
        ),
    ]

    active_alerts: reactive[int] = reactive(0)
    banner_alert: reactive[BalanceThresholdAlert | None] = reactive(None)

    def __init__(self, services: Services, *, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__()
        self.services = services
        self.operator = services.operator
        self.poll_seconds = poll_seconds
        self.banner_queue: deque[BalanceThresholdAlert] = deque()
        self._announced: set[int] = set()
        self._watcher: ChangeWatcher | None = None
        self._listening_key: tuple[int, int] | None = None
        self._poller: Poller | None = None
        self._unsubscribe = services.feed.subscribe(self._from_feed)

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.set_keymap(dict(self.services.settings.keymap))
        self._start_watching()

    def on_unmount(self) -> None:
        self._unsubscribe()
        if self._poller is not None:
            self._poller.stop()
        if self._listening_key is not None:
            asyncio.get_running_loop().remove_reader(self._listening_key[1])
        if self._watcher is not None:
            self._watcher.close()

    @work(thread=True, exclusive=True, group="watch-start", exit_on_error=False)
    def _start_watching(self) -> None:
        def start() -> ChangeWatcher:
            return ChangeWatcher(self.services)

        call_database(self, start, self._watching)

    def _watching(self, watcher: ChangeWatcher) -> None:
        self._watcher = watcher
        self._poller = Poller(
            watcher,
            lambda batch: self.call_from_thread(self.apply_changes, batch),
            lambda text: self.call_from_thread(self.show_problem, text),
        )
        self.active_alerts = watcher.active_alerts
        self.set_interval(self.poll_seconds, self._poll)
        self._watch_socket()

    def _watch_socket(self) -> None:
        """PostgreSQL: a NOTIFY makes the listening socket readable, so the event loop wakes
        us at once instead of at the next tick. Re-registered whenever the watcher reconnects
        (the old registration goes first: a new connection may reuse the same number)."""
        watcher = self._watcher
        key = watcher.socket_key() if watcher is not None else None
        if key == self._listening_key:
            return
        loop = asyncio.get_running_loop()
        if self._listening_key is not None:
            loop.remove_reader(self._listening_key[1])
        self._listening_key = key
        if key is not None:
            loop.add_reader(key[1], self._socket_readable)

    def _poll(self) -> None:
        if self._watcher is not None:
            self._watch_socket()
            self._poll_in_thread()

    def _socket_readable(self) -> None:
        """A NOTIFY arrived (or the connection broke): drain it here, read in a worker."""
        if self._watcher is None:
            return
        fired = self._watcher.changed()
        self._watch_socket()
        if fired:
            self._poll_in_thread(signalled=True)

    def _poll_in_thread(self, signalled: bool = False) -> None:
        if self._poller is not None:
            self._poller.request(signalled=signalled)

    def _from_feed(self, notice: Notice) -> None:
        """This process's own commits: show banners at once (the watcher confirms later)."""
        if isinstance(notice, AlertRaised):
            self.call_later(self._announce, [notice.alert])
        elif isinstance(notice, AlertAcknowledged):
            self.call_later(self._forget, notice.alert.id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self, event)

    # ------------------------------------------------------------------ changes

    def apply_changes(self, batch: ChangeBatch) -> None:
        self.active_alerts = batch.active_alerts
        self._announce([a for a in batch.alerts if a.acknowledged_at is None])
        for screen in self._mode_screens():
            screen.post_message(DataChanged(batch))

    def _mode_screens(self) -> list:  # type: ignore[type-arg]
        screens = []
        for mode in self.MODES:
            stack = self._screen_stacks.get(mode) or []
            if stack:
                screens.append(stack[0])
        return screens

    def _announce(self, alerts: list[BalanceThresholdAlert]) -> None:
        fresh = [a for a in alerts if a.id not in self._announced]
        for alert in fresh:
            self._announced.add(alert.id)
            self.banner_queue.append(alert)
            loud = alert.alert_type in ("critical", "limit_exceeded")
            self.notify(
                f"{alert.customer_id}: {alert.alert_type.replace('_', ' ')}",
                title="New alert",
                severity="error" if loud else "warning",
                markup=False,
            )
        if fresh and self.banner_alert is None:
            self.banner_alert = self.banner_queue.popleft()
        elif fresh:
            self.mutate_reactive(BalanceApp.banner_alert)

    def _forget(self, alert_id: int) -> None:
        self.banner_queue = deque(a for a in self.banner_queue if a.id != alert_id)
        if self.banner_alert is not None and self.banner_alert.id == alert_id:
            self._next_banner()

    def _next_banner(self) -> None:
        self.banner_alert = self.banner_queue.popleft() if self.banner_queue else None

    def watch_banner_alert(self) -> None:
        self.refresh_bindings()  # the footer shows b / x only while a banner is up

    def watch_active_alerts(self, count: int) -> None:
        self.sub_title = (
            f"{self.services.database_label} · {self.operator} · "
            f"{count} active alert{'s' if count != 1 else ''}"
        )

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("acknowledge_banner", "dismiss_banner"):
            return self.banner_alert is not None
        return True

    def action_dismiss_banner(self) -> None:
        self._next_banner()

    def action_acknowledge_banner(self) -> None:
        alert = self.banner_alert
        if alert is not None:
            self._acknowledge(alert.id)
            self._next_banner()

    @work(thread=True, group="acknowledge", exit_on_error=False)
    def _acknowledge(self, alert_id: int) -> None:
        call_database(
            self,
            lambda: self.services.notifications.acknowledge_alert(alert_id, self.operator),
            lambda alert: self.notify(f"Alert #{alert.id} acknowledged", markup=False),
        )

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_verify(self) -> None:
        self._verify()

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def _verify(self) -> None:
        def shown(report) -> None:  # type: ignore[no-untyped-def]
            if report.ok:
                self.notify(
                    f"Verified {report.customers_checked} customers and "
                    f"{report.events_checked} events: every chain matches."
                )
            else:
                first = report.problems[0]
                self.notify(
                    f"{len(report.problems)} problems, e.g. {first.customer_id}: {first.problem}",
                    severity="error",
                    timeout=15,
                    markup=False,
                )

        call_database(self, self.services.verifier.verify, shown)

    def action_export_history(self) -> None:
        self.export_history(None)

    @work(thread=True, group="export", exit_on_error=False)
    def export_history(self, filters) -> None:  # type: ignore[no-untyped-def]
        path = Path.cwd() / f"balance-history-{self.services.clock():%Y%m%d-%H%M%S}.csv"

        def write() -> int:
            with path.open("w", newline="", encoding="utf-8") as handle:
                return import_export.export(self.services, "history", "csv", handle, filters)

        call_database(
            self, write, lambda n: self.notify(f"Exported {n} events to {path}", markup=False)
        )

    def open_customer_history(self, customer_id: str) -> None:
        self.post_message(ShowCustomerHistory(customer_id))

    @on(ShowCustomerHistory)
    async def _show_customer_history(self, message: ShowCustomerHistory) -> None:
        await self.switch_mode("history")
        screen = self.screen_stack[0]
        if isinstance(screen, HistoryScreen):
            screen.show_customer(message.customer_id)

    def show_problem(self, text: str) -> None:
        self.notify(text, title="Problem", severity="error", timeout=10, markup=False)


def create_app(services: Services, *, poll_seconds: float = POLL_SECONDS) -> BalanceApp:
    """The app over a set of services (tests and the CLI build it the same way)."""
    return BalanceApp(services, poll_seconds=poll_seconds)


def run_app(services: Services) -> None:
    with thread_session(services.db):
        pass  # fail here, in the CLI's hands, if the database cannot be reached
    create_app(services).run()
