"""``?``: every key that works where the operator is, on a screen of its own.

The screen's own keys come first, grouped by job (changing the book, finding and looking,
moving around), then the keys of the widget that has the focus, then the screens and the
keys that work everywhere. It scrolls with the arrows and the page keys; ``escape``,
``?`` or ``q`` closes it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

#: Jobs, in the order shown, and the beginnings of the action names that do each.
JOBS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Change the book",
        (
            "adjust",
            "new_",
            "reverse",
            "acknowledge",
            "approve",
            "reject",
            "undo",
            "mark",
            "submit",
            "decide",
        ),
    ),
    (
        "Find and look",
        (
            "focus_",
            "card",
            "history",
            "go_to",
            "sort",
            "reverse_sort",
            "clear",
            "period",
            "scope",
            "export",
            "show",
            "detail",
            "toggle",
            "filter",
            "open",
            "copy",
        ),
    ),
    (
        "Move around",
        (
            "cursor_",
            "first_row",
            "last_row",
            "g_key",
            "page_",
            "scroll_",
            "step",
            "focus_next",
            "focus_previous",
        ),
    ),
)
OTHER = "Other keys"

Entry = tuple[str, str, str, bool]  # keys, description, tooltip, enabled


def job_of(action: str) -> str:
    name = action.rsplit(".", 1)[-1] if "(" not in action else action
    # "focus_next" moves (not finds); "reverse_sort" finds (not changes)
    for job, beginnings in (JOBS[2], JOBS[1], JOBS[0]):
        if name.startswith(beginnings):
            return job
    return OTHER


def describe(node: Any, binding: Binding, tooltip: str | None) -> tuple[str, str]:
    """What the key does here, and more about it: a widget may say better than its binding
    (a table's ``g`` goes to an event on History, to the top elsewhere)."""
    special = getattr(node, "describe_binding", None)
    told = special(binding) if callable(special) else None
    if told:
        return told, ""
    return binding.description or binding.action, tooltip or binding.tooltip or ""


def key_sections(screen: Screen[Any]) -> list[tuple[str, list[Entry]]]:
    """The keys that work on ``screen`` now, in sections: (title, entries)."""
    app = screen.app
    mine: dict[str, dict[str, Entry]] = {}
    widget: dict[str, dict[str, Entry]] = {}
    screens: dict[str, Entry] = {}
    everywhere: dict[str, Entry] = {}
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        description, more = describe(node, binding, active.tooltip)
        shown = app.get_key_display(binding)
        entry_id = f"{binding.action}|{description}"
        if node is app:
            target = screens if binding.group is not None else everywhere
        else:
            holder = mine if node is screen else widget
            target = holder.setdefault(job_of(binding.action), {})
        previous = target.get(entry_id)
        keys = f"{previous[0]}, {shown}" if previous and shown not in previous[0] else shown
        target[entry_id] = (keys, description, more, active.enabled)
    name = getattr(screen, "CRUMB", "") or "this screen"
    sections: list[tuple[str, list[Entry]]] = []
    for holder, where in ((mine, name), (widget, f"{name}: the focused table or box")):
        for job, _ in (*JOBS, (OTHER, ())):
            if holder.get(job):
                sections.append((f"{where} — {job.lower()}", list(holder[job].values())))
    if screens:
        sections.append(("Screens", list(screens.values())))
    sections.append(("Everywhere", list(everywhere.values())))
    return sections


def keys_text(sections: list[tuple[str, list[Entry]]]) -> Text:
    text = Text()
    for number, (title, entries) in enumerate(sections):
        if number:
            text.append("\n")
        text.append(f"{title}\n", style="bold underline")
        for keys, description, tooltip, enabled in entries:
            style = "" if enabled else "dim"
            text.append(f"  {keys:<16}", style=f"bold {style}".strip())
            text.append(description, style=style)
            if tooltip and tooltip != description:
                text.append(f"  {tooltip}", style="dim")
            if not enabled:
                text.append("  (not now)", style="dim italic")
            text.append("\n")
    return text


class KeysHelp(ModalScreen[None]):
    """Every key that works on the screen below, full screen, scrollable."""

    DEFAULT_CSS = """
    KeysHelp { background: $background; }
    KeysHelp > VerticalScroll { height: 1fr; padding: 0 1; }
    KeysHelp #keys-title { background: $primary; color: $text; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="keys.close"),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.sections = key_sections(below)
        self.below_name = getattr(below, "CRUMB", "") or "this screen"

    def compose(self) -> ComposeResult:
        yield Static(
            f"Keys on {self.below_name} · ↑↓ PgUp PgDn scroll · escape closes",
            id="keys-title",
        )
        with VerticalScroll(id="keys-scroll"):
            yield Static(keys_text(self.sections), id="keys-list")

    def on_mount(self) -> None:
        self.query_one("#keys-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
