"""The filter box every screen has: recent filters on up/down, Escape clears, Enter goes back
to the table (the screen listens for ``Input.Submitted`` and ``FilterBox.Cleared``)."""

from __future__ import annotations

from collections import deque
from typing import Any

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from balance_tui.tui.widgets.follows_focus import FollowsFocus

#: How many filters each box remembers (per box id, for the life of the app).
RECENT = 20
#: The pause in typing after which a screen shows what the filter typed so far finds.
TYPING_PAUSE = 0.2
_recent: dict[str, deque[str]] = {}


class FilterBox(FollowsFocus, Input):
    """A one-line filter with recall of the filters applied before."""

    BINDINGS = [
        Binding("up", "older", "Older filter", show=False),
        Binding("down", "newer", "Newer filter", show=False),
        Binding("escape", "clear_filter", "Clear", show=False),
    ]

    class Cleared(Message):
        """Escape in the box: the filter was emptied and the table should take focus."""

        def __init__(self, box: FilterBox) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> FilterBox:
            return self.box

    def __init__(self, *, results: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("classes", "filter-bar")
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._recall: int | None = None
        #: The widget (selector) that enter hands the focus to.
        self.results = results

    async def _on_key(self, event: events.Key) -> None:
        if self.results is not None and event.key == "enter" and self.screen.focused is self:
            # The focus moves now, as enter is read, not when the screen reads the message:
            # the keys typed right behind it ("a" adjusts the customer found) follow it.
            event.stop()
            event.prevent_default()
            await self.action_submit()
            self.screen.set_focus(self.screen.query_one(self.results))
        # Otherwise Textual goes on to the key handlers of the classes below (FollowsFocus,
        # Input), each in turn.

    @property
    def recent(self) -> deque[str]:
        """Filters applied in this box, newest last."""
        return _recent.setdefault(self.id or "filter", deque(maxlen=RECENT))

    def remember(self, text: str) -> None:
        """Keep ``text`` as the newest recent filter (once)."""
        text = text.strip()
        if text:
            recent = self.recent
            if text in recent:
                recent.remove(text)
            recent.append(text)
        self._recall = None

    def action_older(self) -> None:
        recent = self.recent
        if not recent:
            return
        self._recall = len(recent) - 1 if self._recall is None else max(0, self._recall - 1)
        self._show(recent[self._recall])

    def action_newer(self) -> None:
        recent = self.recent
        if self._recall is None:
            return
        if self._recall + 1 >= len(recent):
            self._recall = None
            self._show("")
        else:
            self._recall += 1
            self._show(recent[self._recall])

    def _show(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_clear_filter(self) -> None:
        self._recall = None
        self.value = ""
        self.post_message(self.Cleared(self))
