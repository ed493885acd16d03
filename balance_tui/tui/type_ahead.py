"""Keys typed faster than a form or a filter box can take them: held, then played into it.

Also where each typed key went, for a terminal where keys get lost (``KEY_TRACE``).
"""

from __future__ import annotations

import logging
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input


def post_key(app: App[Any], key: str, character: str | None) -> None:
    """Hand a key to the app as if typed. Made on the app's own turn: a message remembers
    which node made it, and a key made by a screen stops bubbling before it reaches the
    app, whose bindings (enter, tab) would then never see it."""
    app.call_next(lambda: app.post_message(events.Key(key, character)))


#: Where typed keys go, for a terminal where keys get lost: ``BALANCE_TUI_KEY_LOG=FILE``
#: (see ``balance_tui.tui.app.trace_keys_to``). Off, each call costs one level check.
KEY_TRACE = logging.getLogger("balance_tui.keys")


class TypeAhead:
    """Keys typed right after the key that opened a form ("a250<tab><tab>…", fast) arrive
    before the form has focused its first field: they are kept and played again, in order,
    once it has, instead of being lost (or reaching the screen below: the "2" of "a250" would
    switch to History). The app passes every key to ``hold`` from the moment it opens the
    form (``BalanceApp.open_form``); the form calls ``release`` with its first field at the
    end of ``on_mount`` (focused there, before the replay, so no key can overtake the ones
    held)."""

    def __init__(self) -> None:
        self.ready = False
        self.early: list[tuple[str, str | None]] = []

    def hold(self, event: events.Key) -> bool:
        """Keep the key if the form is not ready for it; True when kept."""
        if self.ready:
            return False
        self.early.append((event.key, event.character))
        KEY_TRACE.debug("held %r (%d held)", event.key, len(self.early))
        return True

    def release(self, screen: Screen[Any], first: Widget) -> None:
        """Focus ``first`` and play the kept keys into the form, in order. Text, tab and
        backspace are applied here and now (posted back as events, a tab would reach the
        app after the letters typed behind it); any other key is posted as it came."""

        def replay() -> None:
            screen.set_focus(first)
            # Played once ``first`` has handled its Focus: an Input selects its text as it
            # takes the focus, and the next key typed would replace what was played before.
            first.call_later(play)

        def play() -> None:
            self.ready = True
            KEY_TRACE.debug(
                "replaying %d held into %s (focused: %s)",
                len(self.early),
                type(first).__name__,
                type(screen.focused).__name__,
            )
            for key, character in self.early:
                focused = screen.focused
                if key == "tab":
                    screen.focus_next()
                elif key == "shift+tab":
                    screen.focus_previous()
                elif isinstance(focused, Input) and key == "backspace":
                    focused.action_delete_left()
                elif isinstance(focused, Input) and character and character.isprintable():
                    focused.insert_text_at_cursor(character)
                else:
                    post_key(screen.app, key, character)
            self.early.clear()

        screen.call_after_refresh(replay)
