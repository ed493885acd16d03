"""``?`` shows every key that works where the operator is, on a screen of its own: the
screen's own keys first, grouped by job, then the focused table's, then the screens and the
keys that work everywhere; it scrolls from the keyboard and closes with escape or ``?``."""

from __future__ import annotations

from textual.containers import VerticalScroll

from balance_tui.tui.screens.keys_help import KeysHelp
from tests.tui.conftest import SIZE, settle, until


def _text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#keys-list").visual)


async def test_the_screens_own_keys_come_first_grouped_by_job(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, KeysHelp))
        text = _text(app)
        own = text.index("Customers — change the book")
        assert own == text.index("Customers")  # the screen's own keys open the list
        for key, what in (("a", "Adjust"), ("n", "New"), ("h", "History"), ("i", "Card")):
            assert f"  {key} " in text and what in text
        assert own < text.index("Adjust") < text.index("Cursor up") < text.index("Everywhere")
        assert text.index("focused table") > text.index("Customers — find and look")
        assert "Open the command palette" in text and "Quit" in text


async def test_it_scrolls_from_the_keyboard_and_closes(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        customers = app.screen
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, KeysHelp))
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0  # longer than 24 lines: it must scroll
        await pilot.press("pagedown")
        await until(pilot, lambda: scroll.scroll_y > 0)
        await pilot.press("end")
        await until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is customers)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, KeysHelp))
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen is customers)


async def test_on_history_g_goes_to_an_event(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, KeysHelp))
        text = _text(app)
        assert "Go to an event number or a day" in text
        assert "Top (gg)" not in text


async def test_a_keys_table_naming_no_binding_is_said(services) -> None:  # type: ignore[no-untyped-def]
    """A typo in the config file's [keys] remaps nothing: the app names it, and leaves the
    ids it knows remapped."""
    import dataclasses

    from balance_tui.tui.app import create_app

    settings = dataclasses.replace(
        services.settings, keymap={"histroy.filter": "f", "customers.filter": "f"}
    )
    app = create_app(dataclasses.replace(services, settings=settings), poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("histroy.filter" in m.message for m in app.message_log))
        said = next(m.message for m in app.message_log if "histroy.filter" in m.message)
        assert "customers.filter" not in said
