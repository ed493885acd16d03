"""What every screen shares: the services, database calls off the UI thread, errors shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events, on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from balance_tui.services.bundle import Services, thread_session
from balance_tui.services.watch import ChangeBatch
from balance_tui.tui.messages import DataChanged
from balance_tui.tui.problems import problem_text
from balance_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from balance_tui.tui.app import BalanceApp

T = TypeVar("T")


def call_database(
    app: BalanceApp,
    query: Callable[[], T],
    then: Callable[[T], Any],
    failed: Callable[[], Any] | None = None,
) -> None:
    """Run ``query`` on this (worker) thread and hand its result to ``then`` on the UI thread.

    Engine errors come back as their own sentence; anything else as a short database error.
    The app keeps running either way; ``failed`` (on the UI thread) lets the caller undo
    what it set up for the answer that will not come.
    """
    _answer(app, query, then, failed, app.call_from_thread)


def call_database_now(
    app: BalanceApp,
    query: Callable[[], T],
    then: Callable[[T], Any],
    failed: Callable[[], Any] | None = None,
) -> None:
    """``call_database`` on the UI thread itself, for a small read the screen cannot be
    drawn without (the first rows): while the UI thread is busy starting up, a worker's
    read waits for the GIL at every row and takes ten times as long."""
    _answer(app, query, then, failed, lambda callback, *args: callback(*args))


def _answer(
    app: BalanceApp,
    query: Callable[[], T],
    then: Callable[[T], Any],
    failed: Callable[[], Any] | None,
    deliver: Callable[..., Any],
) -> None:
    try:
        with thread_session(app.services.db):
            result = query()
    except Exception as exc:  # a locked or vanished database must not kill the app
        text = problem_text(exc)
        deliver(app.show_problem, text)
        if failed is not None:
            deliver(failed)
        return
    deliver(then, result)


def report_failed_worker(app: BalanceApp, event: Worker.StateChanged) -> None:
    """A worker that failed unexpectedly says so on screen instead of vanishing silently."""
    if event.state == WorkerState.ERROR:
        app.show_problem(f"Unexpected error: {event.worker.error}")


class ServiceScreen(Screen[None]):
    """A top-level screen (a mode) backed by the services.

    It follows the app's ``book_changed`` signal while it is shown; a hidden screen does no
    work for changes and catches up once, when it is shown again.
    """

    seen_version = 0
    #: This screen's place in the breadcrumb ("Customers", "History", …).
    CRUMB = ""
    #: Where Escape goes back to: (mode, the breadcrumb there), when the operator came
    #: here from another screen (Customers › CUSTOMER_00133 Maya Tanaka › History).
    back: tuple[str, tuple[str, ...]] | None = None

    @property
    def crumbs(self) -> tuple[str, ...]:
        return (self.back[1] if self.back else ()) + ((self.CRUMB,) if self.CRUMB else ())

    def came_from(self, mode: str, crumbs: tuple[str, ...]) -> None:
        self.back = (mode, crumbs)
        self.show_status()

    async def go_back(self) -> bool:
        """Return to the screen the operator came from; False when there is none."""
        if self.back is None:
            return False
        mode, _ = self.back
        self.back = None
        self.show_status()
        await self.app.switch_mode(mode)
        return True

    def show_status(self, **state: object) -> None:
        """Update the status line (breadcrumb always; other parts as given)."""
        for line in self.query(StatusLine):
            line.show(crumbs=self.crumbs, **state)

    def refreshed_now(self) -> datetime:
        return self.services.clock()

    @on(events.Mount)
    def _follow_the_book(self) -> None:
        self.seen_version = self.balance_app.book_version
        self.balance_app.book_changed.subscribe(self, self._book_changed)

    def _book_changed(self, batch: ChangeBatch) -> None:
        if self.is_current:
            self.seen_version = self.balance_app.book_version
            self.post_message(DataChanged(batch))

    async def on_screen_resume(self) -> None:
        # The first screen is mounted inside Textual's start-up batch, which drops every
        # frame drawn before it closes: laid out there, the whole first frame (rows and
        # all) was drawn, thrown away, and the terminal got the screen in pieces (header,
        # status and keys first, the rows with a later full update). Textual lays the
        # screen out after this handler, so the first layout waits for the app's mount.
        await self.balance_app.mounted.wait()

    @on(events.ScreenResume)
    def _catch_up(self) -> None:
        app = self.balance_app
        if self.seen_version == app.book_version:
            return
        missed = app.changes_since(self.seen_version)
        self.seen_version = app.book_version
        self.post_message(DataChanged(missed, full_reload=missed is None))

    @property
    def balance_app(self) -> BalanceApp:
        return self.app  # type: ignore[return-value]

    @property
    def services(self) -> Services:
        return self.balance_app.services

    def query_in_thread(
        self,
        query: Callable[[], T],
        then: Callable[[T], Any],
        failed: Callable[[], Any] | None = None,
    ) -> None:
        call_database(self.balance_app, query, then, failed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self.balance_app, event)

    def on_data_changed(self, message: DataChanged) -> None:
        """Screens refresh what they show; the default shows nothing new."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions the session's role may not take are hidden (an auditor posts nothing)."""
        return self.balance_app.check_action(action, parameters)
