"""The scenes that snapshot tests check and scripts/export_screenshots.py draws."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.app import App
from textual.pilot import Pilot

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
}
#: Every scene is checked at these terminal sizes.
SIZES = ((80, 24), (120, 36), (160, 45))
