"""Calendar periods: this day, week (from Monday), month, quarter and year, stepped back
and forth, each [first moment, next period's first moment) in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from balance_tui.domain.analytics import calendar_label, calendar_window

TODAY = date(2026, 12, 7)  # a Monday


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "step", "first", "after", "label"),
    [
        ("day", 0, _utc(2026, 12, 7), _utc(2026, 12, 8), "2026-12-07"),
        ("day", -7, _utc(2026, 11, 30), _utc(2026, 12, 1), "2026-11-30"),
        ("week", 0, _utc(2026, 12, 7), _utc(2026, 12, 14), "week of 2026-12-07"),
        ("week", -1, _utc(2026, 11, 30), _utc(2026, 12, 7), "week of 2026-11-30"),
        ("month", 0, _utc(2026, 12, 1), _utc(2027, 1, 1), "2026-12"),
        ("month", -1, _utc(2026, 11, 1), _utc(2026, 12, 1), "2026-11"),
        ("month", -12, _utc(2025, 12, 1), _utc(2026, 1, 1), "2025-12"),
        ("quarter", 0, _utc(2026, 10, 1), _utc(2027, 1, 1), "2026 Q4"),
        ("quarter", -4, _utc(2025, 10, 1), _utc(2026, 1, 1), "2025 Q4"),
        ("quarter", 1, _utc(2027, 1, 1), _utc(2027, 4, 1), "2027 Q1"),
        ("year", -1, _utc(2025, 1, 1), _utc(2026, 1, 1), "2025"),
    ],
)
def test_a_calendar_period_and_its_neighbours(kind, step, first, after, label) -> None:  # type: ignore[no-untyped-def]
    assert calendar_window(kind, TODAY, step) == (first, after)
    assert calendar_label(kind, first) == label


def test_a_week_starts_on_monday_whatever_the_day() -> None:
    assert calendar_window("week", date(2026, 12, 13))[0] == _utc(2026, 12, 7)  # a Sunday
