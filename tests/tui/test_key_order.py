"""Keys are handled in the order they were typed, whatever the moment each one arrives: a
tab's focus move is done before the key behind it is handed on, even when part of a burst
reaches the app while an earlier part is still being handled."""

from __future__ import annotations

from decimal import Decimal

from textual import events
from textual.widgets import Input

from balance_tui.tui.screens.adjust import AdjustForm
from tests.tui.conftest import SIZE, settle, until


def _post(app, keys: str) -> None:  # type: ignore[no-untyped-def]
    """Keys as the terminal driver delivers them: made by the app, into its queue."""
    named = {"\t": "tab", "\r": "enter"}

    def deliver() -> None:
        for typed in keys:
            app.post_message(events.Key(named.get(typed, typed), typed))

    app.call_next(deliver)


async def test_keys_arriving_while_a_tab_is_handled_follow_it(app, services) -> None:
    """``12 tab w`` arrives first; the rest of ``tab 7781 enter`` arrives at the moment the
    amount field hands the focus on. The change posted is a withdrawal of 12 with reason
    7781: the "w" picks the type, none of it lands in the reason."""
    customer = services.manager.list_customers()[0].customer
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        form = app.screen
        amount = form.query_one("#amount", Input)
        await until(pilot, lambda: form.focused is amount)
        rest_sent: list[bool] = []

        def focus_moved(focused: object) -> None:
            if focused is not amount and not rest_sent:
                rest_sent.append(True)
                _post(app, "\t7781\r")

        form.watch(form, "focused", focus_moved, init=False)
        _post(app, "12\tw")
        await until(pilot, lambda: not isinstance(app.screen, AdjustForm))
        await settle(pilot, app)
    event = services.audit.get_balance_history(customer.id, limit=1)[0]
    assert (event.change_type, event.amount, event.reason) == (
        "withdrawal",
        Decimal("-12.00"),
        "7781",
    )
