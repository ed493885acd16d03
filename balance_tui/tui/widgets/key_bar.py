"""The keys line at the bottom of every screen and dialog: one widget that draws them all.

It shows what Textual's compact ``Footer`` shows (the active bindings with ``show``, grouped
keys as "12345 Screens", keys the screen disables dimmed), and works the same way: a click on
a key presses it, hovering shows its tooltip, the wheel pans a line too long for the terminal.
``Footer`` mounts a widget per key (17 on the customers screen) and mounts them all again
whenever the bindings change, which is every focus change; that cost a fifth of the start-up
(``tests/benchmarks/bench_app.py``) and shows on every dialog. Here a change of bindings
redraws one line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

from balance_tui.domain.record import record

if TYPE_CHECKING:
    from textual.screen import Screen


@record
class KeyItem:
    """A key on the line: pressed by a click, its tooltip shown on hover."""

    key: str
    tooltip: str
    enabled: bool
    #: The cells it covers (key and description).
    start: int
    end: int


#: What a piece of the line is drawn as.
KEY, DESCRIPTION, GAP = "key", "description", "gap"


#: Bindings shown first when they are there (the banner's).
URGENT = frozenset(
    {"app.ack_banner", "app.dismiss_banner", "app.dismiss_all_banners", "app.undo_banner"}
)


@record
class Piece:
    """A run of the keys line: its text, what it is (key, description, gap), its key."""

    text: str
    kind: str
    item: KeyItem | None = None


def lay_out(
    bindings: list[tuple[Binding, bool, str]], display: Callable[[Binding], str]
) -> list[Piece]:
    """The line, as compact ``Footer`` draws it: ``k description`` and a space for a key; a
    group of keys (same ``Binding.Group``, more than one action) as `` 12345 Label ``.
    ``bindings``: (binding, enabled, tooltip) of the shown bindings, in the screen's order."""
    by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
    for binding, enabled, tooltip in bindings:
        by_action[binding.action].append((binding, enabled, tooltip))
    pieces: list[Piece] = []
    at = 0

    def add(text: str, kind: str, item: KeyItem | None = None) -> None:
        nonlocal at
        pieces.append(Piece(text, kind, item))
        at += len(text)

    for group, same_group in groupby(by_action.values(), lambda b: b[0][0].group):
        members = [actions[0] for actions in same_group]
        if group is not None and len(members) > 1:
            add(" ", GAP)
            for binding, enabled, tooltip in members:
                shown = display(binding)
                item = KeyItem(
                    binding.key, tooltip or binding.description, enabled, at, at + len(shown)
                )
                add(shown, KEY, item)
            add(" ", GAP)
            add(group.description, DESCRIPTION)
            add(" ", GAP)
            continue
        for binding, enabled, tooltip in members:
            shown = display(binding)
            words = f" {binding.description}" if binding.description else ""
            item = KeyItem(binding.key, tooltip, enabled, at, at + len(shown) + len(words))
            add(shown, KEY, item)
            if words:
                add(words, DESCRIPTION, item)
            add(" ", GAP)
    return pieces


class KeyBar(Widget, can_focus=False):
    """The keys that work here, on one line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.pieces: list[Piece] = []
        self._hovered: KeyItem | None = None
        #: Cells panned off the left by the wheel (a line wider than the terminal).
        self._panned = 0

    @property
    def keys(self) -> list[KeyItem]:
        """The keys on the line, left to right."""
        return list(dict.fromkeys(p.item for p in self.pieces if p.item is not None))

    @property
    def plain(self) -> str:
        """The whole line as text (panned or not)."""
        return "".join(piece.text for piece in self.pieces)

    @property
    def panned(self) -> int:
        """Cells of the line hidden off the left edge by the wheel."""
        return self._panned

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen or not self.is_attached:
            return
        shown = [
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        ]
        # The banner's keys first while it shows: they answer what just happened, and at
        # 80 columns the end of the line is cut.
        shown.sort(key=lambda entry: entry[0].id not in URGENT)
        self.pieces = lay_out(shown, self.app.get_key_display)
        self._hovered = None
        self.refresh()

    def render(self) -> Text:
        styles = {
            KEY: self.get_component_rich_style("key-bar--key"),
            DESCRIPTION: self.get_component_rich_style("key-bar--description"),
            GAP: Style(),
        }
        hover = self.get_component_rich_style("key-bar--hover")
        dim = Style(dim=True)
        line = Text(no_wrap=True, end="")
        for piece in self.pieces:
            style = styles[piece.kind]
            if piece.item is not None:
                if piece.item is self._hovered:
                    style += hover
                if not piece.item.enabled:
                    style += dim
            line.append(piece.text, style)
        line.stylize_before(self.rich_style)
        return line[self._panned :] if self._panned else line

    # ------------------------------------------------------------------ mouse

    def _item_at(self, x: int) -> KeyItem | None:
        cell = x + self._panned
        for item in self.keys:
            if item.start <= cell < item.end:
                return item
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        if item is not self._hovered:
            self._hovered = item
            self.tooltip = item.tooltip if item is not None and item.tooltip else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._pan(+4, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._pan(-4, event)

    def _pan(self, cells: int, event: events.MouseEvent) -> None:
        room = max(0, len(self.plain) - self.size.width)
        panned = max(0, min(room, self._panned + cells))
        if panned != self._panned:
            self._panned = panned
            self.refresh()
            event.stop()
