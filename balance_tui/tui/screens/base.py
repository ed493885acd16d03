"""What every screen shares: the services, database calls off the UI thread, errors shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from balance_tui.domain.errors import BalanceError
from balance_tui.services.bundle import Services, thread_session
from balance_tui.tui.messages import DataChanged

if TYPE_CHECKING:
    from balance_tui.tui.app import BalanceApp

T = TypeVar("T")


def call_database(app: BalanceApp, query: Callable[[], T], then: Callable[[T], Any]) -> None:
    """Run ``query`` on this (worker) thread and hand its result to ``then`` on the UI thread.

    Engine errors come back as their own sentence; anything else as a short database error.
    The app keeps running either way.
    """
    try:
        with thread_session(app.services.db):
            result = query()
    except BalanceError as exc:
        app.call_from_thread(app.show_problem, str(exc))
        return
    except Exception as exc:  # a locked or vanished database must not kill the app
        app.call_from_thread(app.show_problem, f"Database error: {exc}")
        return
    app.call_from_thread(then, result)


def report_failed_worker(app: BalanceApp, event: Worker.StateChanged) -> None:
    """A worker that failed unexpectedly says so on screen instead of vanishing silently."""
    if event.state == WorkerState.ERROR:
        app.show_problem(f"Unexpected error: {event.worker.error}")


class ServiceScreen(Screen[None]):
    """A top-level screen (a mode) backed by the services."""

    @property
    def balance_app(self) -> BalanceApp:
        return self.app  # type: ignore[return-value]

    @property
    def services(self) -> Services:
        return self.balance_app.services

    def query_in_thread(self, query: Callable[[], T], then: Callable[[T], Any]) -> None:
        call_database(self.balance_app, query, then)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self.balance_app, event)

    def on_data_changed(self, message: DataChanged) -> None:
        """Screens refresh what they show; the default shows nothing new."""
