"""The periods Analytics offers, named for what they are, and the control that picks one.

Trailing windows up to now ("last 30 days"), calendar periods stepped with ``[`` and ``]``
(this month, the one before …), and a custom range of days, both ends included as in the
filter language's ``from:``/``to:``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from textual import events
from textual.widgets import Select

from balance_tui.domain.analytics import calendar_label, calendar_window
from balance_tui.domain.errors import BalanceError, InvalidInputError
from balance_tui.domain.filters import parse_filter
from balance_tui.tui.key_gate import post_key

TRAILING = {
    "daily": "last 24 hours",
    "weekly": "last 7 days",
    "monthly": "last 30 days",
    "yearly": "last 365 days",
}
CALENDAR_CHOICES = {
    "cal:day": "calendar day",
    "cal:week": "calendar week",
    "cal:month": "calendar month",
    "cal:quarter": "calendar quarter",
    "cal:year": "calendar year",
}
CUSTOM = "custom"
PERIOD_CHOICES: list[tuple[str, str]] = [
    *((label, value) for value, label in TRAILING.items()),
    *((label, value) for value, label in CALENDAR_CHOICES.items()),
    ("custom range", CUSTOM),
]
RANGE_HINT = "from..to, both days included: 2026-11-01..2026-11-30"


class Period:
    """A period asked for: what the service computes, what the screen calls it, and where
    the period it is compared with starts (a calendar month: the month before; else as
    long before)."""

    def __init__(
        self,
        period: str,
        start: datetime | None,
        end: datetime | None,
        label: str,
        before: datetime | None = None,
    ) -> None:
        self.period, self.start, self.end, self.label = period, start, end, label
        self.before = before


def resolve_scope(text: str) -> tuple[str, str | None]:
    """What the scope box asks for: ("system", None), ("agent", code) or ("customer", text).
    An ``agent:`` naming nobody is a mistake, not the system's figures."""
    scope = text.strip() or "system"
    if scope.lower() == "system":
        return "system", None
    if scope.lower().startswith("agent:"):
        agent = scope[len("agent:") :].strip()
        if not agent:
            raise InvalidInputError("agent: needs a value, like agent:AGENT_001.")
        return "agent", agent
    return "customer", scope


def resolve_period(choice: str, step: int, range_text: str, today: date) -> Period:
    """The period of a choice of the control (``step`` moves a calendar period)."""
    if choice in TRAILING:
        return Period(choice, None, None, TRAILING[choice])
    if choice.startswith("cal:"):
        kind = choice.removeprefix("cal:")
        start, end = calendar_window(kind, today, step)
        before = calendar_window(kind, today, step - 1)[0]
        return Period(CUSTOM, start, end, f"{kind} {calendar_label(kind, start)}", before)
    first, sep, last = range_text.partition("..")
    if not sep or not first.strip() or not last.strip():
        raise BalanceError(f"Type the custom range as {RANGE_HINT}.")
    days = parse_filter(f"from:{first.strip()} to:{last.strip()}", keys=("from", "to"))
    assert days.since is not None and days.until is not None
    shown = f"{days.since:%Y-%m-%d} to {days.until - timedelta(days=1):%Y-%m-%d}"
    return Period(CUSTOM, days.since, days.until, shown)


class PeriodSelect(Select[str]):
    """The period control: a digit typed here starts a custom range in the box beside it
    (it never switches screens)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit() or self.expanded:
            return
        event.stop()
        event.prevent_default()
        self.value = CUSTOM
        box = self.screen.query_one("#range")
        self.screen.set_focus(box)
        post_key(self.app, event.key, event.character)
