"""The scenes that snapshot tests check and scripts/export_screenshots.py draws."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from balance_tui.config import Settings
from balance_tui.services import build_services
from tests.tui.conftest import settle, until

Scene = Callable[[Pilot], Awaitable[None]]


def keys(*pressed: str, ready: Callable[[App[object]], bool] | None = None) -> Scene:
    """Press the keys (letting each one's work finish), then wait until ``ready`` says the
    screen shows what it should (bounded)."""

    async def run(pilot: Pilot) -> None:
        await settle(pilot, pilot.app)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot, pilot.app)
        if ready is not None:
            await until(pilot, lambda: ready(pilot.app))
        await settle(pilot, pilot.app)
        # A text box's cursor blinks every half second: on a busy machine the picture was
        # sometimes taken with it off. Held on, it is the same at whatever moment.
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    return run


def _previewed(app: App[object]) -> bool:
    """The adjust form shows the preview of what was typed (it is debounced)."""
    return "→" in str(app.screen.query_one("#preview").visual)


def _warned(app: App[object]) -> bool:
    """The new-customer form has looked the agent up (after a pause in typing)."""
    return "AGENT_NEW" in str(app.screen.query_one("#warnings").visual)


def _compared(app: App[object]) -> bool:
    """Analytics shows the previous period beside this one."""
    return "compared with" in str(app.screen.query_one("#title").visual)


def _approval_previewed(app: App[object]) -> bool:
    return "If approved now" in str(app.screen.query_one("#approval-detail").visual)


async def _approvals(pilot: Pilot) -> None:
    """Two requests by an operator above her authority (and one already rejected), then
    the Approvals screen with the newest one's effect."""
    app = pilot.app
    services = app.services  # type: ignore[attr-defined]
    clock = services.clock
    ann = build_services(
        services.db,
        Settings(operator="ann", role="operator"),
        lambda: clock() - timedelta(minutes=42),
        operator="ann",
    )
    bob = build_services(services.db, Settings(operator="bob", role="supervisor"), clock, "bob")
    first, second, third = (c.customer.id for c in ann.manager.list_customers()[:3])
    ann.manager.update_balance(first, None, Decimal("25000"), "deposit", "Wire from bank", "ann")
    late = ann.manager.update_balance(third, None, Decimal("12000"), "deposit", "Cash", "ann")
    bob.approvals.reject(late.request.id, "bob", "No receipt")
    ann.manager.update_balance(
        second, None, Decimal("-14500"), "withdrawal", "Payout of a big win, customer called", "ann"
    )
    await settle(pilot, app)
    app.clear_notifications()  # the toasts of the setup would cover the screen
    await keys("5", ready=_approval_previewed)(pilot)


SCENES: dict[str, Scene] = {
    "customers": keys(),
    "customer_card": keys("down", "down", "enter"),
    "adjust_form": keys("a", "2", "5", "0", "tab", "tab", *"Bank transfer", ready=_previewed),
    "new_customer_form": keys("n", *"NEW_1", "tab", *"AGENT_NEW", ready=_warned),
    "history": keys("2", "down", "down"),
    "go_to_dialog": keys("2", "g"),
    "reverse_dialog": keys("2", "down", "r", ready=_previewed),
    "export_dialog": keys("2", "e"),
    "alerts": keys("3", "space"),
    "acknowledge_dialog": keys("3", "enter"),
    "analytics": keys("4", ready=_compared),
    "approvals": _approvals,
}
#: Every scene is checked at these terminal sizes.
SIZES = ((80, 24), (120, 36), (160, 45))
