"""Dates and numbers Python cannot hold, typed into the TUI's filters and dialogs: each is
named where it was typed, and the app keeps running with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from balance_tui.tui.app import create_app
from balance_tui.tui.screens.dialogs import GoToDialog
from tests.hostile.conftest import fingerprint
from tests.tui.conftest import SIZE, seeded_services, settle, until


@pytest.fixture
def services(tmp_path: Path):  # type: ignore[no-untyped-def]
    return seeded_services(str(tmp_path / "tui.db"), customers=5, events=40)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("to:9999-12-31", "outside the days the book holds"),
        ("from:0001-01-01", "outside the days the book holds"),
        ("amount:" + "9" * 5000, "amount:"),
    ],
)
async def test_a_history_filter_beyond_what_the_book_holds_is_named(
    services, typed: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    before = fingerprint(services)
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        app.screen.query_one("#history-filter").value = typed
        await pilot.press("slash", "enter")
        await until(pilot, lambda: any(says in m.message for m in app.message_log))
        assert app.is_running and app.current_mode == "history"
    assert fingerprint(services) == before


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("²", "neither an event number"),
        ("9999-12-31", "outside the days the book holds"),
        ("9" * 5000, "larger than any event number"),
    ],
)
async def test_go_to_a_place_beyond_what_the_book_holds_is_named(
    services, typed: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, GoToDialog))
        app.screen.query_one("Input").value = typed
        await pilot.press("enter")
        errors = lambda: str(app.screen.query_one("#errors", Static).visual)  # noqa: E731
        await until(pilot, lambda: says in errors())
        assert app.is_running and isinstance(app.screen, GoToDialog)


async def test_an_analytics_range_before_1970_is_named(services) -> None:  # type: ignore[no-untyped-def]
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("4")
        await settle(pilot, app)
        app.screen.query_one("#range").value = "0001-01-01..0001-01-02"
        app.screen.query_one("#period").value = "custom"
        said = "outside the days the book holds"
        await until(pilot, lambda: any(said in m.message for m in app.message_log))
        assert not any("Unexpected error" in m.message for m in app.message_log)
