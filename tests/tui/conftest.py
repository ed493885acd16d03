"""TUI fixtures: a real SQLite file with fixed demo data, a frozen clock, the app over it."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from textual.worker import WorkerCancelled

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.services.demo import generate_demo
from balance_tui.store import connect, initialize_balance_tables
from balance_tui.tui.app import BalanceApp, create_app

FROZEN = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SIZE = (120, 36)


def seeded_services(url: str, *, customers: int = 40, events: int = 600) -> Services:
    """Fixed demo data (same seed, same clock: same rows, ids and hashes every run).

    ``url`` is a SQLite path or any database URL (the PostgreSQL tests pass theirs)."""
    db = connect(url)
    initialize_balance_tables(db)
    services = build_services(db, Settings(), lambda: FROZEN, operator="tester")
    generate_demo(services, customers=customers, days=30, events=events, seed=3)
    return dataclasses.replace(services, database_label="demo.db")


@pytest.fixture
def db_file(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return str(tmp_path / "tui.db")


@pytest.fixture
def services(db_file: str) -> Services:
    return seeded_services(db_file)


@pytest.fixture
def app(services: Services) -> BalanceApp:
    # A short undo window: acknowledgements are written soon after the key (the undo
    # tests build an app with the real window).
    return create_app(services, poll_seconds=0.05, undo_seconds=0.05)


async def settle(pilot, app: BalanceApp) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their results reach the screen (the change poller runs for
    the life of the app, so it is not waited for)."""
    for _ in range(3):
        others = [w for w in app.workers if w.group != "watch-poll"]
        if others:  # (an empty list would mean "every worker" to wait_for_complete)
            with contextlib.suppress(WorkerCancelled):  # a closed form cancels its own
                await app.workers.wait_for_complete(others)
        await pilot.pause()


async def until(pilot, condition: Callable[[], bool], tries: int = 200) -> None:  # type: ignore[no-untyped-def]
    """Wait (bounded) for something the app does asynchronously; fail if it never happens."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never reached the expected state")


Settle = Callable[..., Awaitable[None]]


def shown(app: BalanceApp, selector: str, width: int = 200) -> str:
    """The text a Static on the current screen shows (Rich tables included); "" while the
    screen has no such widget."""
    from rich.console import Console

    found = app.screen.query(selector)
    if not found:
        return ""  # not composed (yet): nothing is shown
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(found.first().content)  # type: ignore[attr-defined]
    return console.export_text()
