"""The status line above the footer: where you are, which row, what is filtered and sorted,
when the rows were last refreshed, and whether changes from other terminals arrive."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from balance_tui.tui.safe_text import visible


class StatusLine(Static):
    """``Customers › CUSTOMER_00133 › History · row 3 of 1,204 · filter … · live · refreshed
    12:00:03`` (what matters most first: a narrow terminal cuts the end)."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.crumbs: tuple[str, ...] = ()
        self.row = 0
        #: None: the screen has no rows to count (analytics).
        self.rows: int | None = None
        self.filter = ""
        self.sort = ""
        self.refreshed: datetime | None = None
        self.note = ""

    def on_mount(self) -> None:
        self.watch(self.app, "connection", lambda _: self.redraw(), init=False)
        self.redraw()

    def show(self, **state: object) -> None:
        """Change some of the parts (``row``, ``rows``, ``filter``, ``sort``, …) and redraw."""
        for name, value in state.items():
            setattr(self, name, value)
        self.redraw()

    def redraw(self) -> None:
        parts: list[Text] = []
        if self.crumbs:
            parts.append(Text(" › ".join(visible(c) for c in self.crumbs), style="bold"))
        if self.rows:
            parts.append(Text(f"row {self.row:,} of {self.rows:,}"))
        elif self.rows is not None:
            parts.append(Text("no rows"))
        if self.filter:
            parts.append(Text.assemble("filter ", (visible(self.filter), "bold")))
        if self.sort:
            parts.append(Text(f"sort {self.sort}"))
        if self.note:
            parts.append(Text(self.note))
        connection = str(getattr(self.app, "connection", ""))
        if connection:
            parts.append(Text(connection, style="" if connection == "live" else "bold reverse"))
        if self.refreshed is not None:
            parts.append(Text(f"refreshed {self.refreshed:%H:%M:%S}"))
        line = Text(" · ").join(parts)
        line.no_wrap, line.overflow = True, "ellipsis"
        self.update(line)
