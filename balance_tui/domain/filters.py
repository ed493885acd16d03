"""One filter language for every screen.

``maya type:"significant drop" from:2026-01-01 to:2026-01-31``

* Bare words, and ``customer:``, match customers by id or name: partial and case-insensitive
  ("133" finds CUSTOMER_00133, "maya tan" finds Maya Tanaka). A text that *is* a customer id
  means that customer alone.
* ``type:`` takes the names the screens show: ``significant drop``, ``significant_drop`` and
  any unambiguous beginning (``type:sig``), in any case.
* ``from:`` and ``to:`` are days (UTC), both inclusive: ``to:2026-01-31`` takes all of the 31st.
* ``agent:`` and ``operator:`` are exact.
* On History: ``ref:TX78806097`` finds a reference (ticket, slip) among a change's metadata
  values, part of it, any case; ``amount:2762.36`` a change of that size (either sign); a
  bare ``#25371`` that one event.

Each screen says which keys it takes; a key it does not take is an error that names the ones
it does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from balance_tui.domain.errors import BalanceError, InvalidInputError
from balance_tui.domain.money import parse_amount
from balance_tui.domain.record import record


@record
class FilterQuery:
    """What a filter text asks for (``None``: not narrowed by that)."""

    customer: str | None = None
    agent: str | None = None
    type: str | None = None
    operator: str | None = None
    since: datetime | None = None
    #: Exclusive end: the day after the ``to:`` day.
    until: datetime | None = None
    reference: str | None = None
    #: The size of a change, in cents (either sign).
    amount_cents: int | None = None
    event_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == FilterQuery()


def shown_name(kind: str) -> str:
    """``significant_drop`` as the screens show it: ``significant drop``."""
    return kind.replace("_", " ")


def _quoted_types(text: str, types: Sequence[str]) -> str:
    """``type:significant drop`` (the name as shown) → ``type:significant_drop``."""
    for kind in types:
        if "_" in kind:
            spaced = re.escape(shown_name(kind)).replace(r"\ ", r"\s+")
            text = re.sub(rf'(?i)\btype:"?{spaced}"?', f"type:{kind}", text)
    return text


def type_named(value: str, types: Sequence[str]) -> str:
    """The type ``value`` names as the filter language reads it: its name, the name as
    shown (``significant drop``), or a beginning only one type has (``sig``)."""
    wanted = value.strip('"').lower().replace(" ", "_")
    if wanted in types:
        return wanted
    starting = [t for t in types if t.startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    names = ", ".join(shown_name(t) for t in types)
    raise InvalidInputError(f"Unknown type {value!r}; use one of: {names}.")


#: The days a filter takes: the book's times are microseconds since 1970, and the day
#: after ``to:`` must still be a day.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def _day(value: str, key: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{key}:{value} is not a day like 2026-01-31.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInputError(
            f"{key}:{value} is outside the days the book holds ({FIRST_DAY} to {LAST_DAY})."
        )
    return day


def day_in_range(day: date, what: str) -> date:
    """``day`` if the book can hold it (see ``FIRST_DAY``, ``LAST_DAY``); else a clear error."""
    return _day(day.isoformat(), what)


def parse_filter(text: str, *, keys: Sequence[str], types: Sequence[str] = ()) -> FilterQuery:
    """Read a filter text; ``keys`` are those the screen takes (bare words are customers)."""
    text = _quoted_types(text, types)
    words: list[str] = []
    values: dict[str, str] = {}
    event_id = None
    for token in text.split():
        if "event" in keys and re.fullmatch(r"#\d{1,18}", token):
            event_id = int(token[1:])
            continue
        key, sep, value = token.partition(":")
        key = key.lower()
        if not sep or key not in keys:
            if sep and key.isalpha():
                raise InvalidInputError(
                    f"Unknown filter {key + ':'!r}; use {', '.join(k + ':' for k in keys)}"
                    " or words of a customer's id or name."
                )
            words.append(token)
            continue
        if not value:
            raise InvalidInputError(f"{key}: needs a value, e.g. {key}:{_EXAMPLES[key]}.")
        if key == "customer":
            words.append(value)
        else:
            values[key] = value
    if "event" in values:
        number = values["event"].lstrip("#")
        if not re.fullmatch(r"\d{1,18}", number):
            raise InvalidInputError(f"event:{values['event']} is not an event number like #25371.")
        event_id = int(number)
    since = _day(values["from"], "from") if "from" in values else None
    last = _day(values["to"], "to") if "to" in values else None
    if since and last and last < since:
        raise InvalidInputError(f"to:{last} is before from:{since}.")
    return FilterQuery(
        customer=" ".join(words) or None,
        agent=values.get("agent"),
        type=type_named(values["type"], types) if "type" in values else None,
        operator=values.get("operator"),
        reference=values.get("ref"),
        amount_cents=_size(values["amount"]) if "amount" in values else None,
        event_id=event_id,
        since=datetime.combine(since, datetime.min.time(), tzinfo=UTC) if since else None,
        until=(
            datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            if last
            else None
        ),
    )


def _size(value: str) -> int:
    try:
        return abs(parse_amount(value))
    except BalanceError as exc:
        shown = value if len(value) <= 24 else f"{value[:20]}…"
        raise InvalidInputError(f"amount:{shown}: {exc}") from None


_EXAMPLES = {
    "ref": "TX78806097",
    "event": "25371",
    "amount": "2762.36",
    "customer": "CUSTOMER_00133",
    "agent": "AGENT_001",
    "type": "wager",
    "operator": "ann",
    "from": "2026-01-01",
    "to": "2026-01-31",
}
