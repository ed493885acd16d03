"""Keys from the terminal are handed on one at a time, each once the one before it is done.

Textual hands a key to the widget focused when the app reads it. Keys typed in one burst are
read before the first of them is handled, so a tab that moves the focus (or an enter that
opens a form) is acted on after the keys behind it were already given to the old widget:
"12 tab w" typed at once put "w" in the amount. The gate makes the app wait: a key goes to
the focused widget followed by a marker; the next key goes on only when the marker has come
back up to the app (behind the key, through every node the key bubbles to, so its bindings
have run). A marker that never returns (its widget was removed) is given up after
``MARKER_TIMEOUT`` seconds.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

#: How long a key may take before the next one goes on regardless (its marker was lost).
MARKER_TIMEOUT = 0.5
#: The "key" a paste is held and played as (its text is the "character").
PASTE = "paste"


class KeyDone(Message, bubble=True):
    """The key handed on before this marker has been through every node it reached."""

    def __init__(self, ticket: int) -> None:
        super().__init__()
        self.ticket = ticket


class KeyGate:
    """The queue of keys waiting for the key in hand to be done."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.ticket = 0
        self.in_hand = False
        self.replayed: deque[tuple[str, str | None]] = deque()
        self.typed: deque[events.Key | events.Paste] = deque()
        self.timer: Timer | None = None

    def waits(self, key: events.Key | events.Paste) -> bool:
        """Queue ``key`` if another is in hand (True); otherwise it is the one in hand now."""
        if self.in_hand or self.replayed or self.typed:
            self.typed.append(key)
            return True
        self.in_hand = True
        return False

    def handed_to(self, target: MessagePump) -> None:
        """The key in hand went to ``target``: follow it with the marker."""
        self.ticket += 1
        ticket = self.ticket
        if not target.post_message(KeyDone(ticket)):
            self.app.post_message(KeyDone(ticket))
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.app.set_timer(
            MARKER_TIMEOUT, lambda: self.app.post_message(KeyDone(ticket))
        )

    def done(self, marker: KeyDone) -> events.Key | events.Paste | None:
        """The marker came back: the next key to hand on, if one waits."""
        if marker.ticket != self.ticket or not self.in_hand:
            return None  # a late copy (the timeout's, or the marker after it)
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.in_hand = False
        return self.next_key()

    def next_key(self) -> events.Key | events.Paste | None:
        """Take the next waiting key into hand."""
        if not (self.replayed or self.typed):
            return None
        self.in_hand = True
        if self.replayed:
            # Made here, on the app's turn: a key remembers the node that made it, and one
            # made by a screen would stop bubbling before the app's bindings saw it.
            key, character = self.replayed.popleft()
            if key == PASTE:
                return events.Paste(character or "")
            return events.Key(key, character)
        return self.typed.popleft()

    def replay(self, key: str, character: str | None) -> None:
        """Hand on a key again (one held for a form, or read by a widget that had lost the
        focus), before the keys typed after it."""
        self.replayed.append((key, character))
        if not self.in_hand:  # nothing in hand: a marker for none sends this one on
            self.in_hand = True
            self.app.call_next(self.app.post_message, KeyDone(self.ticket))


def post_key(app: App[Any], key: str, character: str | None) -> None:
    """Hand a key to the app again, ahead of the keys typed after it."""
    gate = getattr(app, "key_gate", None)
    if isinstance(gate, KeyGate):
        gate.replay(key, character)
    else:  # an app without a gate hands keys on as it reads them
        app.call_next(lambda: app.post_message(events.Key(key, character)))
