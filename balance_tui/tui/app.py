"""BalanceApp: five modes (customers, history, alerts, analytics, approvals), banners,
palette; what the session's role may not do is hidden (an auditor sees no adjust form)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.theme import Theme
from textual.widget import Widget
from textual.worker import Worker

from balance_tui.config import save_theme
from balance_tui.domain.authority import ApprovalRequest, Identity
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.record import record
from balance_tui.domain.records import BalanceThresholdAlert, CustomerSummary
from balance_tui.services.bundle import Services, thread_session
from balance_tui.services.feed import (
    AlertAcknowledged,
    AlertRaised,
    ApprovalDecided,
    ApprovalRequested,
    Notice,
)
from balance_tui.services.watch import ChangeBatch, ChangeWatcher
from balance_tui.tui.banner_desk import BannerDesk
from balance_tui.tui.key_gate import PASTE, KeyDone, KeyGate
from balance_tui.tui.messages import ShowCustomerHistory
from balance_tui.tui.numbers import money
from balance_tui.tui.palette import BalanceCommands
from balance_tui.tui.poller import Poller
from balance_tui.tui.safe_text import visible
from balance_tui.tui.screens.base import ServiceScreen, call_database, report_failed_worker
from balance_tui.tui.screens.customers import CustomersScreen
from balance_tui.tui.stylesheet import ThemeStylesheet
from balance_tui.tui.type_ahead import KEY_TRACE, TypeAhead, post_key
from balance_tui.tui.widgets.scrollbars import use_whole_cell_scrollbars

if TYPE_CHECKING:
    from balance_tui.domain.records import BalanceUpdateResult
    from balance_tui.services.audit import HistoryFilter
    from balance_tui.tui.screens.adjust import AdjustDraft, AdjustOutcome
    from balance_tui.tui.screens.jobs import JobDialog, JobOutcome, Progress


#: The other modes' screens: (module, class). Their code loads after the first frame, not
#: before it (see ``BalanceApp._first_frame_shown``).
LATER_SCREENS = {
    "history": ("balance_tui.tui.screens.history", "HistoryScreen"),
    "alerts": ("balance_tui.tui.screens.alerts", "AlertsScreen"),
    "analytics": ("balance_tui.tui.screens.analytics", "AnalyticsScreen"),
    "approvals": ("balance_tui.tui.screens.approvals", "ApprovalsScreen"),
}


def on_first_visit(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen, made when the mode is first shown (its module imported then, if the
    app has not loaded it yet)."""

    def make() -> Screen[Any]:
        screen: Screen[Any] = getattr(importlib.import_module(module), name)()
        return screen

    return make


#: The four screens share one footer entry: "1234 Screens".
SCREENS = Binding.Group("Screens", compact=True)

#: How long an acknowledgement can be taken back before it is written.
UNDO_SECONDS = 5.0

#: How often the watcher looks for commits by other processes (a cheap PRAGMA on SQLite).
POLL_SECONDS = 0.25


#: Actions that open a form, or move to a text box, the operator types into: keys typed
#: right behind them wait for it (see ``BalanceApp.on_event`` and ``focus_typing``).
FORM_ACTIONS = frozenset({"adjust", "new_customer", "edit_customer", "focus_filter", "focus_scope"})
#: The longest a form may take to open before the keys held for it are handled as keys.
TYPE_AHEAD_SECONDS = 3.0

#: Keys of the screens, hidden from the footer (and off) while a dialog is open.
SCREEN_ACTIONS = frozenset({"switch_mode", "toggle_help", "quit"})

#: Work that must finish before the app closes: acknowledgements being written.
QUIT_WAITS = frozenset({"alerts-ack", "acknowledge"})

#: Actions that change the book: hidden from a session whose role only reads (auditor).
WRITE_ACTIONS = frozenset(
    {
        "adjust",
        "new_customer",
        "edit_customer",
        "reverse",
        "acknowledge",
        "acknowledge_all",
        "acknowledge_alerts",
        "mark",
        "acknowledge_banner",
    }
)


class VerificationFailed(BalanceError):
    """verify found problems: said as the job's failure."""


@record
class ShownMessage:
    """A toast the operator was shown."""

    message: str
    title: str
    severity: str


class BalanceApp(BannerDesk):
    """The operators' back office."""

    CSS_PATH = "app.tcss"
    TITLE = "balance-tui"
    MODES = {
        "customers": CustomersScreen,
        **{mode: on_first_visit(*where) for mode, where in LATER_SCREENS.items()},
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
            "5",
            "switch_mode('approvals')",
            "Approvals",
            tooltip="Changes waiting for a second pair of eyes",
            id="app.approvals",
            group=SCREENS,
        ),
        Binding(
            "question_mark",
            "toggle_help",
            "Keys",
            tooltip="Show or hide every key (ctrl+p: the command palette)",
            id="app.help",
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
            tooltip="Hide the banner and its repeats (the alerts stay active)",
            id="app.dismiss_banner",
        ),
        Binding(
            "X",
            "dismiss_all_banners",
            "Dismiss all",
            tooltip="Hide every banner waiting (the alerts stay active)",
            id="app.dismiss_all_banners",
        ),
        Binding(
            "u",
            "undo_banner",
            "Undo ack",
            tooltip="Take back the banner's acknowledgement while it counts down",
            id="app.undo_banner",
        ),
        # The same two from inside a text box, where b and x are letters to type.
        Binding(
            "ctrl+b",
            "acknowledge_banner",
            "Ack alert",
            show=False,
            priority=True,
            tooltip="Acknowledge the banner alert (also from a text box)",
            id="app.ack_banner_anywhere",
        ),
        Binding(
            "ctrl+x",
            "dismiss_banner",
            "Dismiss",
            show=False,
            priority=True,
            tooltip="Hide the banner (also from a text box)",
            id="app.dismiss_banner_anywhere",
        ),
    ]

    active_alerts: reactive[int] = reactive(0)
    #: Whether other terminals' changes arrive: "connecting", "live", "reconnecting", "gone".
    connection: reactive[str] = reactive("connecting")

    def __init__(
        self,
        services: Services,
        *,
        poll_seconds: float = POLL_SECONDS,
        undo_seconds: float = UNDO_SECONDS,
    ) -> None:
        super().__init__()
        # Each CSS source parsed once per theme (Textual parses them all at every refresh).
        self.stylesheet = ThemeStylesheet(variables=self.get_css_variables())
        self.services = services
        #: Who is acting, and what their role allows (read once, at start).
        self.identity = _identity(services)
        #: Approval requests (and decisions) already announced: (id, status).
        self._announced_approvals: set[tuple[int, str]] = set()
        #: How long an acknowledgement on the Alerts screen can be taken back.
        self.undo_seconds = undo_seconds
        self.operator = services.operator
        self.poll_seconds = poll_seconds
        self.banner_queue: deque[BalanceThresholdAlert] = deque()
        #: Why the database can no longer be used (its file was deleted or replaced), or "".
        self.book_gone = ""
        #: The last messages shown as toasts, oldest first.
        self.message_log: deque[ShownMessage] = deque(maxlen=200)
        self._announced: set[int] = set()
        self._watcher: ChangeWatcher | None = None
        self._listening_key: tuple[int, int] | None = None
        self._poller: Poller | None = None
        self._unsubscribe = services.feed.subscribe(self._from_feed)
        #: "The book changed": screens subscribe; hidden ones catch up when shown again.
        self.book_changed: Signal[ChangeBatch] = Signal(self, "book-changed")
        self.book_version = 0
        self._recent_batches: deque[tuple[int, ChangeBatch]] = deque(maxlen=256)
        self._kept_theme = services.settings.theme
        #: Keys typed ahead of a form that is opening (see ``open_form``).
        self.type_ahead: TypeAhead | None = None
        #: Adjust forms closed with escape after typing, by customer: the next ``a`` on
        #: that customer brings them back (kept for this session only).
        self.adjust_drafts: dict[str, AdjustDraft] = {}
        #: Keys from the terminal, handed on one at a time (see ``KeyGate``).
        self.key_gate = KeyGate(self)
        #: A read-only session was told once that a change key does nothing for it.
        self._told_read_only = False
        #: Called when the operator quits, before the app closes (acknowledgements still in
        #: their undo window are written then, not lost).
        self.before_quit: list[Callable[[], None]] = [self.write_banner_acknowledgement]
        #: Called once the first frame is on the screen.
        self.after_first_frame: list[Callable[[], None]] = []
        #: Set when the app has mounted (Textual's start-up batch closes right after).
        self.mounted = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    def on_load(self) -> None:
        # Where other terminals' changes are read from is taken before any screen reads the
        # book: a change committed between the two is then shown, never missed. Here, on the
        # UI thread before the first frame, it costs a millisecond; a worker reading it
        # while the screens are built would slow the first rows down. If it fails, the
        # worker below tries again and says why.
        try:
            with thread_session(self.services.db):
                self._watcher = ChangeWatcher(self.services)
        except Exception:  # said by _start_watching, which tries again
            self._watcher = None

    def on_mount(self) -> None:
        self.set_keymap(dict(self.services.settings.keymap))
        if self.services.settings.keymap:
            self.call_after_refresh(self._check_keymap)
        if self.services.settings.theme in self.available_themes:
            self.theme = self.services.settings.theme or self.theme
        self.theme_changed_signal.subscribe(self, self._keep_theme)
        if self._watcher is not None:
            self._watching(self._watcher)
        else:
            self._start_watching()
        if self.services.note:  # how the book was opened: tier settings, clock, new file
            self.notify(self.services.note, severity="warning", timeout=30, markup=False)
        self.call_after_refresh(self._first_frame_shown)
        self.mounted.set()

    def clear_selection(self) -> None:
        # From Python 3.12 Textual starts tasks eagerly, so the first mode's widgets mount
        # before its screen is on the stack; an Input mounting there clears the selection
        # of a screen that is not there yet (Textual issue 6444). Nothing is selected then.
        with contextlib.suppress(ScreenStackError):
            super().clear_selection()

    def _first_frame_shown(self) -> None:
        for hook in self.after_first_frame:
            hook()
        # The other screens' code, now that the operator sees the first one: a screen's
        # first visit then opens as quickly as the next, and nothing about it (keys typed
        # right behind the "2") depends on how long its module takes to load.
        self.call_later(self._load_later_screens)

    def _load_later_screens(self) -> None:
        for module, _ in LATER_SCREENS.values():
            importlib.import_module(module)

    def _keep_theme(self, theme: Theme) -> None:
        """The theme chosen in the palette is kept in the config file for the next start."""
        path = self.services.settings.writable_config
        if path is None or theme.name == self._kept_theme:
            return
        try:
            save_theme(path, theme.name)
            self._kept_theme = theme.name
        except (OSError, ValueError) as exc:  # tomlkit's parse errors are ValueErrors
            self.notify(f"Theme not kept: {exc}", severity="warning", markup=False)

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
            lambda text: self.call_from_thread(self._watch_failed, text),
            lambda text: self.call_from_thread(self.book_lost, text),
            lambda: self.call_from_thread(self._watch_recovered),
        )
        self.connection = "live"
        self.run_worker(
            self._poller.run, thread=True, group="watch-poll", name="poller", exit_on_error=False
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

    def _watch_failed(self, text: str) -> None:
        self.connection = "reconnecting"
        self.show_problem(text)

    def _watch_recovered(self) -> None:
        if not self.book_gone:
            self.connection = "live"

    def _from_feed(self, notice: Notice) -> None:
        """This process's own commits: show banners at once (the watcher confirms later)."""
        if isinstance(notice, AlertRaised):
            self.call_later(self._announce, [notice.alert])
        elif isinstance(notice, AlertAcknowledged):
            self.call_later(self._forget, notice.alert.id)
        elif isinstance(notice, ApprovalRequested | ApprovalDecided):
            self.call_later(self._announce_approvals, [notice.request])

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self, event)

    # ------------------------------------------------------------------ changes

    def apply_changes(self, batch: ChangeBatch) -> None:
        self.active_alerts = batch.active_alerts
        self._drop_settled_banners(batch)
        self._announce([a for a in batch.alerts if a.acknowledged_at is None])
        self._announce_approvals(batch.approvals)
        self.book_version += 1
        self._recent_batches.append((self.book_version, batch))
        self.book_changed.publish(batch)

    def changes_since(self, version: int) -> ChangeBatch | None:
        """Everything committed after ``version`` as one batch; None when that is further
        back than the app remembers (the screen then reloads in full)."""
        if version == self.book_version:
            return ChangeBatch()
        newer = [batch for seen, batch in self._recent_batches if seen > version]
        if not self._recent_batches or self._recent_batches[0][0] > version + 1:
            return None
        return ChangeBatch(
            events=[e for b in newer for e in b.events],
            alerts=[a for b in newer for a in b.alerts],
            active_alerts=newer[-1].active_alerts if newer else self.active_alerts,
            acknowledgements_changed=any(b.acknowledgements_changed for b in newer),
            approvals=[r for b in newer for r in b.approvals],
        )

    def _announce(self, alerts: list[BalanceThresholdAlert]) -> None:
        fresh = [a for a in alerts if a.id not in self._announced]
        for alert in fresh:
            self._announced.add(alert.id)
            loud = alert.alert_type in ("critical", "limit_exceeded")
            self.notify(
                f"{alert.customer_id}: {alert.alert_type.replace('_', ' ')}",
                title="New alert",
                severity="error" if loud else "warning",
                markup=False,
            )
        if fresh:
            self._queue_banners(fresh)

    def _announce_approvals(self, requests: list[ApprovalRequest]) -> None:
        """A supervisor hears of each new request by someone else; a maker hears the outcome
        of their own. Each (request, status) once, whether it came from this process's
        feed or from the watcher."""
        me = self.identity
        for request in requests:
            seen = (request.id, request.status)
            if seen in self._announced_approvals:
                continue
            self._announced_approvals.add(seen)
            mine = request.maker == me.login
            amount = money(request.amount, request.currency, signed=True)
            if request.status == "pending" and me.may_decide and not mine:
                self.notify(
                    f"#{request.id}: {request.maker_label} asks {request.change_type} {amount} "
                    f"for {request.customer_id} (5: Approvals)",
                    title="Approval requested",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
            elif request.status in ("approved", "rejected") and mine:
                note = f": {request.note}" if request.note else ""
                self.notify(
                    f"#{request.id} {request.customer_id} {amount} {request.status} by "
                    f"{request.checker_label}{note}",
                    title=f"Your request was {request.status}",
                    severity="information" if request.status == "approved" else "warning",
                    timeout=10,
                    markup=False,
                )

    def watch_banner_alert(self) -> None:
        self.refresh_bindings()  # the footer shows b / x only while a banner is up

    def watch_active_alerts(self, count: int) -> None:
        # The count first: at 80 columns the end of the header is cut.
        if self.book_gone:
            self.sub_title = f"DATABASE FILE GONE · {self.services.database_label}"
            return
        login = self.identity.login
        who = login if login == self.operator else f"{login} as {self.operator}"
        self.sub_title = (
            f"{count:,} active alert{'s' if count != 1 else ''} · {who} "
            f"({self.identity.role}) · {self.services.database_label}"
        )

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and not self.identity.may_write:
            return False
        if action in ("acknowledge_banner", "dismiss_banner", "dismiss_all_banners"):
            return self.banner_alert is not None and self.banner_pending is None
        if action == "undo_banner":
            return self.banner_pending is not None
        # A dialog is open: its keys are the ones that count (1-4 and q are typed there).
        return not (action in SCREEN_ACTIONS and isinstance(self.screen, ModalScreen))

    async def action_quit(self) -> None:
        for write in self.before_quit:
            write()
        waiting = [w for w in self.workers if w.group in QUIT_WAITS]
        if waiting:
            await self.workers.wait_for_complete(waiting)
        await super().action_quit()

    def action_toggle_help(self) -> None:
        from balance_tui.tui.screens.keys_help import KeysHelp

        if isinstance(self.screen, KeysHelp):
            self.screen.dismiss(None)
        else:
            self.push_screen(KeysHelp(self.screen))

    def action_verify(self) -> None:
        from balance_tui.tui.screens.jobs import JobDialog

        def verify(progress: Progress) -> str:
            report = self.services.verifier.verify(progress=progress)
            if report.ok:
                return (
                    f"Verified {report.customers_checked:,} customers and "
                    f"{report.events_checked:,} events: every chain matches."
                )
            first = report.problems[0]
            raise VerificationFailed(
                f"{len(report.problems):,} problems, e.g. {visible(first.customer_id)}: "
                f"{visible(first.problem)}"
            )

        self.run_job(JobDialog("Verifying every hash chain and balance", verify, "events"))

    def action_export_history(self) -> None:
        self.export_history(None)

    def export_history(self, filters: HistoryFilter | None) -> None:
        """Ask where, then export with a progress bar (Escape cancels; nothing is left)."""
        from balance_tui.services import import_export
        from balance_tui.services.output_files import atomic_output
        from balance_tui.tui.screens.jobs import ExportPathDialog, JobDialog

        name = f"balance-history-{self.services.clock():%Y%m%d-%H%M%S}.csv"

        def chosen(path: Path | None) -> None:
            if path is None:
                return

            def export(progress: Progress) -> str:
                with atomic_output(path) as handle:
                    written = import_export.export(
                        self.services, "history", "csv", handle, filters, progress=progress
                    )
                return f"Exported {written:,} events to {path}"

            self.run_job(JobDialog(f"Exporting history to {path}", export, "events"))

        what = "the history shown" if filters else "the whole history"
        self.push_screen(ExportPathDialog(what, Path("~") / name), chosen)

    def run_job(self, dialog: JobDialog) -> None:
        def ended(outcome: JobOutcome | None) -> None:
            if outcome is None:
                return
            self.notify(
                outcome.text,
                severity="error" if outcome.failed else "information",
                timeout=15 if outcome.failed else 8,
                markup=False,
            )

        self.push_screen(dialog, ended)

    # ------------------------------------------------------------------ navigation

    def open_card(self, customer_id: str) -> None:
        """The customer's card, over the customers table (Escape goes back to it)."""
        self.run_worker(self._open_card(customer_id), group="navigate")

    async def _open_card(self, customer_id: str) -> None:
        from balance_tui.tui.screens.card import CustomerCard

        if self.current_mode != "customers":
            await self.switch_mode("customers")
        if isinstance(self.screen, CustomerCard):
            self.screen.dismiss()
        await self.push_screen(CustomerCard(customer_id))

    def open_customer_history(
        self, customer_id: str, back: tuple[str, tuple[str, ...]] | None = None
    ) -> None:
        """History of one customer; ``back``: where Escape returns (and the breadcrumb)."""
        self.post_message(ShowCustomerHistory(customer_id, back))

    @on(ShowCustomerHistory)
    async def _show_customer_history(self, message: ShowCustomerHistory) -> None:
        from balance_tui.tui.screens.history import HistoryScreen

        back = message.back or (self.current_mode, self._crumbs_here())
        await self.switch_mode("history")
        screen = self.screen_stack[0]
        if isinstance(screen, HistoryScreen):
            screen.show_customer(message.customer_id)
            screen.came_from(*back)

    def open_analytics(
        self, customer_id: str, back: tuple[str, tuple[str, ...]] | None = None
    ) -> None:
        self.run_worker(self._open_analytics(customer_id, back), group="navigate")

    async def _open_analytics(
        self, customer_id: str, back: tuple[str, tuple[str, ...]] | None
    ) -> None:
        from balance_tui.tui.screens.analytics import AnalyticsScreen

        back = back or (self.current_mode, self._crumbs_here())
        await self.switch_mode("analytics")
        screen = self.screen_stack[0]
        if isinstance(screen, AnalyticsScreen):
            screen.show_scope(customer_id)
            screen.came_from(*back)

    def _crumbs_here(self) -> tuple[str, ...]:
        screen = self.screen
        return screen.crumbs if isinstance(screen, ServiceScreen) else ()

    def adjust_customer(self, customer_id: str) -> None:
        """The adjust form for a customer (its current figures read first)."""
        self._adjust_customer(customer_id)

    @work(thread=True, group="navigate", exit_on_error=False)
    def _adjust_customer(self, customer_id: str) -> None:
        def opened(found: list[CustomerSummary]) -> None:
            if found:
                self.adjust(found[0])
            else:
                self.cancel_type_ahead()
                self.show_problem(f"No customer {visible(customer_id)}.")

        call_database(
            self,
            lambda: self.services.manager.customers_by_ids([customer_id]),
            opened,
            failed=self.cancel_type_ahead,
        )

    def adjust(self, summary: CustomerSummary) -> None:
        from balance_tui.tui.screens.adjust import AdjustForm

        draft = self.adjust_drafts.pop(summary.customer.id, None)
        self.open_form(AdjustForm(summary, draft), self._adjusted)

    def _adjusted(self, outcome: AdjustOutcome | AdjustDraft | None) -> None:
        from balance_tui.tui.screens.adjust import AdjustDraft

        if isinstance(outcome, AdjustDraft):
            self.adjust_drafts[outcome.customer_id] = outcome
        elif outcome is not None:
            self.announce_result(outcome.result, "Balance updated")

    def announce_result(self, result: BalanceUpdateResult, applied: str) -> None:
        """Say what a submitted change became, the same way from every dialog: applied
        (``applied`` is the title), sent for approval with its number, or refused with
        its reasons."""
        if result.status == "pending_approval" and result.request is not None:
            request = result.request
            self._announced_approvals.add((request.id, request.status))
            self.notify(
                f"#{request.id}: {request.customer_id} {request.change_type} "
                f"{money(request.amount, request.currency, signed=True)} is above your "
                "authority; nothing is applied until a supervisor approves it (5: Approvals).",
                title=f"Sent for approval #{request.id}",
                timeout=15,
                markup=False,
            )
            return
        if not result.success:
            reasons = " ".join(result.validation.errors) or "the engine refused it."
            raised = "".join(f" Alert #{a.id} raised ({a.alert_type})." for a in result.alerts)
            self.notify(
                f"Nothing was changed: {reasons}{raised}",
                title="Refused",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        event = result.event
        assert event is not None
        raised = "".join(f"; alert: {a.alert_type.replace('_', ' ')}" for a in result.alerts)
        self.notify(
            f"{event.customer_id}: {event.change_type} "
            f"{money(event.amount, event.currency, signed=True)}, balance now "
            f"{money(event.new_balance, event.currency)} (event #{event.id}){raised}",
            title=applied,
            markup=False,
        )

    async def on_event(self, event: events.Event) -> None:
        # Only keys fresh from the terminal: one already handed to a widget comes back here
        # as it bubbles up, and must not be handed on twice.
        # A paste keeps its place among the keys typed around it, as a key does.
        if (
            isinstance(event, (events.Key, events.Paste))
            and not event.is_forwarded
            and self.screen_stack
        ):
            if not self.key_gate.waits(event):
                await self._hand_on_key(event)
            return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A key of a change that this role may not make did nothing: say so once, in one
        line (the key is hidden from the keys line, but fingers remember it)."""
        if not event.is_forwarded or self.identity.may_write or self._told_read_only:
            return
        for binding in type(self.screen).BINDINGS:
            if not isinstance(binding, Binding) or binding.action not in WRITE_ACTIONS:
                continue
            if event.key in (key.strip() for key in binding.key.split(",")):
                self._told_read_only = True
                self.notify(
                    f"{self.identity.login} is {self.identity.role}: reads only, so "
                    f"{binding.description.lower() or event.key} is not offered.",
                    markup=False,
                )
                return

    def _check_keymap(self) -> None:
        """Name the ids in the config file's [keys] that no key has (a typo remaps nothing)."""
        from balance_tui.tui.binding_ids import known_binding_ids

        unknown = sorted(set(self.services.settings.keymap) - known_binding_ids(type(self)))
        if unknown:
            where = self.services.settings.config_path or "the config file"
            self.notify(
                f"[keys] in {where}: no key has the id {', '.join(unknown)}; press ? for the "
                "keys (the ids are in the README).",
                severity="warning",
                timeout=30,
                markup=False,
            )

    async def on_key_done(self, marker: KeyDone) -> None:
        marker.stop()
        next_key = self.key_gate.done(marker)
        if next_key is not None:
            await self._hand_on_key(next_key)

    async def _hand_on_key(self, event: events.Key | events.Paste) -> None:
        # A key that opens a form ("a", "n") is answered a moment later, and the form then
        # needs another moment to focus its first field: the keys typed behind it wait for
        # it (see TypeAhead) instead of reaching the screen below (the "2" of "a250" would
        # switch to History) or nothing.
        waiting = self.type_ahead
        key = event.key if isinstance(event, events.Key) else PASTE
        if KEY_TRACE.isEnabledFor(logging.DEBUG):
            KEY_TRACE.debug(
                "key %r on %s, focused %s; waiting for a form: %s; opens a form: %s",
                key,
                type(self.screen).__name__,
                type(self.focused).__name__,
                "no" if waiting is None else ("ready" if waiting.ready else "holding"),
                self._opens_a_form(key),
            )
        if waiting is not None:
            if waiting.hold(event):
                self.key_gate.handed_to(self)
                return
            self.type_ahead = None  # the form has had them all
        elif self._opens_a_form(key):
            fresh = self.type_ahead = TypeAhead()
            self.set_timer(TYPE_AHEAD_SECONDS, lambda: self.cancel_type_ahead(fresh))
        await super().on_event(event)
        self.key_gate.handed_to(self.focused or self.screen)

    def _opens_a_form(self, key: str) -> bool:
        active = self.screen.active_bindings.get(key)
        return active is not None and active.enabled and active.binding.action in FORM_ACTIONS

    def open_form(self, form: ModalScreen[Any], then: Callable[[Any], None]) -> None:
        """Open a form that takes typing, with the keys typed ahead of it."""
        type_ahead = self.type_ahead or TypeAhead()
        self.type_ahead = type_ahead
        form.type_ahead = type_ahead  # type: ignore[attr-defined]
        self.push_screen(form, then)

    def focus_typing(self, screen: Screen[Any], box: Widget) -> None:
        """Move the typing into a text box (a filter): keys typed right behind the key that
        asked for it go into the box, in order, not to the table it leaves."""
        type_ahead = self.type_ahead or TypeAhead()
        self.type_ahead = type_ahead
        type_ahead.release(screen, box)

    def cancel_type_ahead(self, expected: TypeAhead | None = None) -> None:
        """No form came (no customer highlighted, or it failed to open): the keys held for
        it are handled as ordinary keys, in order."""
        waiting = self.type_ahead
        if waiting is None or waiting.ready or (expected is not None and waiting is not expected):
            return
        self.type_ahead = None
        waiting.ready = True
        KEY_TRACE.debug("no form came: %d held keys handled as keys", len(waiting.early))
        for key, character in waiting.early:
            post_key(self, key, character)
        waiting.early.clear()

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Show a toast, and keep it in ``message_log`` (what the operator was told)."""
        self.message_log.append(
            ShownMessage(
                str(message), str(kwargs.get("title") or ""), kwargs.get("severity", "information")
            )
        )
        super().notify(message, *args, **kwargs)

    def book_lost(self, text: str) -> None:
        """The database file is gone: say so, and keep saying it in the header."""
        self.book_gone = text
        self.connection = "DATABASE GONE"
        self.notify(text, title="Database gone", severity="error", timeout=3600, markup=False)
        self.watch_active_alerts(self.active_alerts)

    def show_problem(self, text: str) -> None:
        self.notify(text, title="Problem", severity="error", timeout=10, markup=False)


def _identity(services: Services) -> Identity:
    """The session's identity; if it cannot be read, the least the app may assume."""
    try:
        with thread_session(services.db):
            return services.authority.identity(services.operator)
    except Exception:  # the app still opens and says what fails when it is used
        return Identity(services.operator, services.operator, frozenset({"operator"}), None)


def create_app(
    services: Services, *, poll_seconds: float = POLL_SECONDS, undo_seconds: float = UNDO_SECONDS
) -> BalanceApp:
    """The app over a set of services (tests and the CLI build it the same way)."""
    use_whole_cell_scrollbars()
    return BalanceApp(services, poll_seconds=poll_seconds, undo_seconds=undo_seconds)


def trace_keys_to(path: str) -> None:
    """Write where every typed key went (held for a form, replayed, handled) to ``path``:
    for a terminal that loses keys, and for the tests that type faster than any operator."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(relativeCreated)8.1f ms  %(message)s"))
    KEY_TRACE.addHandler(handler)
    KEY_TRACE.setLevel(logging.DEBUG)
    KEY_TRACE.propagate = False


def run_app(services: Services, *, after_first_frame: Callable[[], None] | None = None) -> int:
    """Run the TUI until it quits; its exit status (1 when it failed)."""
    if os.environ.get("BALANCE_TUI_KEY_LOG"):
        trace_keys_to(os.environ["BALANCE_TUI_KEY_LOG"])
    with thread_session(services.db):
        pass  # fail here, in the CLI's hands, if the database cannot be reached
    app = create_app(services)
    if after_first_frame is not None:
        app.after_first_frame.append(after_first_frame)
    app.run()
    return app.return_code or 0
