"""Form fields that move the focus themselves, at once, when they read a tab.

The app hands keys on one at a time (see ``KeyGate``), so a tab's focus move is done before
the next key is handed on. A field can still read a key after losing the focus (the focus
moved while the key waited in its queue, say to a form that opened): it sends that key back
to the app, which hands it to the widget focused now, ahead of the keys typed after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widget import Widget
from textual.widgets import Input

from balance_tui.tui.key_gate import post_key
from balance_tui.tui.widgets.bounded_input import SaysWhatDoesNotFit

if TYPE_CHECKING:
    _Mixin = Widget
else:  # a plain mixin: a Widget base here would hide the widget's own component classes
    _Mixin = object


class FollowsFocus(_Mixin):
    """Mix in before the widget class: ``class AmountInput(FollowsFocus, Input)``."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if screen.focused is not self:  # (``has_focus`` lags: it waits for the Blur)
            event.stop()
            event.prevent_default()
            post_key(self.app, event.key, event.character)
            return
        if event.key in ("tab", "shift+tab"):
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                screen.focus_next()
            else:
                screen.focus_previous()
        # Otherwise Textual goes on to the widget's own key handlers (each class's in turn).


class FormInput(FollowsFocus, SaysWhatDoesNotFit, Input):
    """A form's text field that keys typed in a burst follow (see the module)."""
