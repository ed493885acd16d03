"""Keys typed faster than a form or a filter box can take them: held, then played into it.

Also where each typed key went, for a terminal where keys get lost (``KEY_TRACE``).
"""

from __future__ import annotations

import logging
from typing import Any

from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from balance_tui.tui.key_gate import PASTE, post_key
from balance_tui.tui.widgets.type_picker import TypePicker

__all__ = ["KEY_TRACE", "TypeAhead", "post_key"]


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

    def hold(self, event: events.Key | events.Paste) -> bool:
        """Keep the key (or paste) if the form is not ready for it; True when kept."""
        if self.ready:
            return False
        if isinstance(event, events.Paste):
            self.early.append((PASTE, event.text))
        else:
            self.early.append((event.key, event.character))
        KEY_TRACE.debug("held %r (%d held)", self.early[-1][0], len(self.early))
        return True

    def release(self, screen: Screen[Any], first: Widget) -> None:
        """Focus ``first`` and play the kept keys into the form, in order. Text, tab and
        backspace are applied here and now (posted back as events, a tab would reach the
        app after the letters typed behind it) up to the first key that must go through the
        app (enter, escape); that key and every one behind it are posted as they came."""

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
            for index, (key, character) in enumerate(self.early):
                focused = screen.focused
                if not self._played_here(screen, focused, key, character):
                    # Posted: it is handled later (enter may move the focus), so every
                    # key behind it is posted too, in order, to land where it then goes.
                    for later_key, later_character in self.early[index:]:
                        post_key(screen.app, later_key, later_character)
                    break
            self.early.clear()

        screen.call_after_refresh(replay)

    @staticmethod
    def _played_here(
        screen: Screen[Any], focused: Widget | None, key: str, character: str | None
    ) -> bool:
        """Apply a held key at once where that is what typing it would do; False for a
        key that must go through the app (enter, escape, a binding)."""
        if key == "tab":
            screen.focus_next()
        elif key == "shift+tab":
            screen.focus_previous()
        elif isinstance(focused, Input) and key == PASTE:
            focused.insert_text_at_cursor(character or "")
        elif isinstance(focused, Input) and key == "backspace":
            focused.action_delete_left()
        elif isinstance(focused, Input) and character and character.isprintable():
            focused.insert_text_at_cursor(character)
        elif isinstance(focused, TypePicker) and focused.take(key, character):
            pass
        else:
            return False
        return True
