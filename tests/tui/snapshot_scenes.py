"""The scenes that snapshot tests check and scripts/export_screenshots.py draws."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from tests.tui.conftest import settle

Scene = Callable[[Pilot], Awaitable[None]]


def keys(*pressed: str) -> Scene:
    async def run(pilot: Pilot) -> None:
        await settle(pilot, pilot.app)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot, pilot.app)
        await pilot.pause(0.3)  # let the adjust form's debounced preview arrive
        await settle(pilot, pilot.app)

    return run


SCENES: dict[str, Scene] = {
    "customers": keys(),
    "customer_card": keys("down", "down", "enter"),
    "adjust_form": keys("a", "2", "5", "0", "tab", "tab", *"Bank transfer"),
    "new_customer_form": keys("n", *"NEW_1", "tab", *"AGENT_NEW"),
    "history": keys("2", "down", "down"),
    "go_to_dialog": keys("2", "g"),
    "reverse_dialog": keys("2", "down", "r"),
    "export_dialog": keys("2", "e"),
    "alerts": keys("3", "space"),
    "acknowledge_dialog": keys("3", "enter"),
    "analytics": keys("4"),
}
#: Every scene is checked at these terminal sizes.
SIZES = ((80, 24), (120, 36), (160, 45))
