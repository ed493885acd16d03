"""Time for the services: an injectable clock and the integer-microsecond storage form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


#: The calendar's ends, as stored: a time past them (a request expiring a day after a clock
#: set to 9999-12-31) is held at the end.
FIRST_US = -62_135_596_800_000_000  # 0001-01-01
LAST_US = 253_402_300_799_999_999  # 9999-12-31 23:59:59.999999


def from_us(us: int) -> datetime:
    us = min(max(us, FIRST_US), LAST_US)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def later_us(us: int, by: int) -> int:
    """``us`` + ``by``, held at the calendar's end."""
    return min(us + by, LAST_US)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always answers ``moment`` (tests, screenshots)."""
    return lambda: moment
