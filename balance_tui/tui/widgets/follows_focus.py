"""Keys typed in one burst reach the field they were typed for.

The app hands each key to the widget focused when it reads the key, into that widget's
queue. A tab (or an enter that moves on) is acted on only once the widget reads it, so the
keys typed right behind it are already queued in the old field: "50 tab w" typed at once
put "w" in the amount. A widget made with this mixin moves the focus itself, at once, when
it reads such a key, and sends each key it reads after losing the focus back to the app,
in order, which hands it to the widget focused now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input


def post_key(app: App[Any], key: str, character: str | None) -> None:
    """Hand a key to the app as if typed. Made on the app's own turn: a message remembers
    which node made it, and a key made by a screen stops bubbling before it reaches the
    app, whose bindings (enter, tab) would then never see it."""
    app.call_next(lambda: app.post_message(events.Key(key, character)))


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


class FormInput(FollowsFocus, Input):
    """A form's text field that keys typed in a burst follow (see the module)."""
