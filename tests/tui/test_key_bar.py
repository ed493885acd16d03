"""The keys line at the bottom of every screen (one widget, ``KeyBar``, in place of Textual's
``Footer``): it shows the keys that work where the focus is, a click presses a key, hovering
shows what it does, and the wheel pans a line wider than the terminal."""

from __future__ import annotations

from textual import events

from balance_tui.tui.screens.adjust import AdjustForm
from balance_tui.tui.screens.keys_help import KeysHelp
from balance_tui.tui.type_ahead import post_key
from balance_tui.tui.widgets.filter_box import FilterBox
from balance_tui.tui.widgets.key_bar import KeyBar, KeyItem
from tests.tui.conftest import SIZE, settle, until


def _bar(app) -> KeyBar:  # type: ignore[no-untyped-def]
    return app.screen.query_one(KeyBar)


def _key(bar: KeyBar, key: str) -> KeyItem:
    return next(item for item in bar.keys if item.key == key)


async def test_the_line_shows_the_keys_that_work_where_the_focus_is(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        line = _bar(app).plain
        for shown in ("/ Filter", "a Adjust", "h History", " 12345 Screens ", "? Keys", "q Quit"):
            assert shown in line
        await pilot.press("slash")  # into the filter box: letters are typed, not keys
        await until(pilot, lambda: "a Adjust" not in _bar(app).plain)
        await pilot.press("escape")
        await until(pilot, lambda: "a Adjust" in _bar(app).plain)
        await pilot.press("2")  # another screen, its own keys
        await settle(pilot, app)
        assert "r Reverse" in _bar(app).plain
        assert "a Adjust" not in _bar(app).plain


async def test_a_click_on_a_key_presses_it(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        customers = app.screen
        await pilot.click(KeyBar, offset=(_key(_bar(app), "2").start, 0))
        await settle(pilot, app)
        assert app.current_mode == "history"
        await pilot.click(KeyBar, offset=(_key(_bar(app), "1").start, 0))
        await settle(pilot, app)
        assert app.screen is customers
        adjust = _key(_bar(app), "a")
        await pilot.click(KeyBar, offset=(adjust.end - 1, 0))  # the description's last cell
        await settle(pilot, app)
        assert isinstance(app.screen, AdjustForm)
        assert app.screen.query_one(KeyBar).plain.strip()  # the form shows its own keys


async def test_hovering_a_key_shows_what_it_does(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        bar = _bar(app)
        await pilot.hover(KeyBar, offset=(_key(bar, "a").start, 0))
        assert bar.tooltip == app.screen.active_bindings["a"].binding.tooltip
        await pilot.hover(KeyBar, offset=(_key(bar, "3").start, 0))
        assert bar.tooltip == "Active alerts"
        await pilot.hover(KeyBar, offset=(SIZE[0] - 1, 0))  # past the last key
        assert bar.tooltip is None


def _wheel(bar: KeyBar, down: bool) -> None:
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    bar.post_message(kind(bar, 1, 0, 0, 1 if down else -1, 0, False, False, False))


async def test_the_wheel_pans_a_line_wider_than_the_terminal(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(50, 24)) as pilot:
        await settle(pilot, app)
        bar = _bar(app)
        room = len(bar.plain) - bar.size.width
        assert room > 0
        for _ in range(room):  # more than enough turns of the wheel
            _wheel(bar, down=True)
        await pilot.pause()
        assert bar.panned == room  # as far as the last key, no further
        assert not isinstance(app.screen, KeysHelp)
        await pilot.click(KeyBar, offset=(_key(bar, "question_mark").start - room, 0))
        await pilot.pause()
        assert isinstance(app.screen, KeysHelp)  # the key panned into view was pressed
        for _ in range(room):
            _wheel(bar, down=False)
        await pilot.pause()
        assert bar.panned == 0


async def test_keys_typed_right_behind_the_slash_are_kept_when_more_follow(app) -> None:  # type: ignore[no-untyped-def]
    """Found by the tmux test with the faster keys line: the keys held while the filter box
    opened were played into it before it had taken the focus; taking it, the box selected
    them all, and the next key typed replaced them ("CUSTOMER_1" became "OMER_1")."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for key, character in [("slash", "/"), ("C", "C"), ("U", "U")]:  # one burst
            post_key(app, key, character)
        await until(pilot, lambda: app.screen.query_one(FilterBox).value == "CU")
        await pilot.press("S", "T")
        assert app.screen.query_one(FilterBox).value == "CUST"


async def test_a_banners_keys_come_first_on_the_line(app, services) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns the end of the keys line is cut: while a banner shows, its keys lead."""
    customer = services.manager.list_customers()[1].customer
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        services.manager.update_balance(customer.id, None, "-9000000", "withdrawal", "x", "t")
        await until(pilot, lambda: app.banner_alert is not None)
        await until(pilot, lambda: _bar(app).plain.lstrip().startswith("b Ack alert"))
        visible_part = _bar(app).plain[: _bar(app).size.width]
        assert "x Dismiss" in visible_part and "X Dismiss all" in visible_part
