"""Analytics maths over aggregates the database already summed (no row lists here).

Definitions (DESIGN §3):

* ``percent_change``: net change over |opening| × 100, ``None`` when the opening is 0.
* ``volatility``: population standard deviation of the signed changes in the period. It is a
  statistic, computed from SQL sums in floating point and rounded to the cent; no balance
  or amount ever passes through a float.
* ``volatility_score``: 100 × volatility / scale, capped at 100, where scale is the larger of
  |opening|, |closing| and 1,000.00 (so a handful of cents on an empty account is not
  "volatile").
* ``trend_direction``: ``stable`` when |net change| is within 2 % of that scale, else
  ``up`` or ``down``.
* ``risk_level``: points = volatility_score / 2, +20 when the closing balance is below the
  warning threshold, +15 below the critical threshold, +15 when negative, +15 when the
  balance fell by half or more; < 25 low, < 50 medium, < 75 high, else critical.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.record import record
from balance_tui.domain.tiers import BalanceValidationRules

SCALE_FLOOR_CENTS = 100_000
STABLE_SHARE = Decimal("0.02")
PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}
PERIODS: tuple[str, ...] = (*PERIOD_DAYS, "custom")
#: Calendar periods (UTC), as hledger-ui steps through them: the day, the week (from
#: Monday), the month, the quarter, the year.
CALENDAR: tuple[str, ...] = ("day", "week", "month", "quarter", "year")


def calendar_window(kind: str, today: date, step: int = 0) -> tuple[datetime, datetime]:
    """The calendar ``kind`` holding ``today``, moved ``step`` periods (-1: the one
    before): [its first moment, the next one's first moment), UTC."""
    if kind == "day":
        first = today + timedelta(days=step)
        after = first + timedelta(days=1)
    elif kind == "week":
        first = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
        after = first + timedelta(weeks=1)
    elif kind in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[kind]
        index = today.year * 12 + today.month - 1
        index = index - index % months + step * months
        first = date(index // 12, index % 12 + 1, 1)
        index += months
        after = date(index // 12, index % 12 + 1, 1)
    else:
        raise ValueError(f"Unknown calendar period {kind!r}; use one of {', '.join(CALENDAR)}.")
    return _midnight(first), _midnight(after)


def calendar_label(kind: str, first: datetime) -> str:
    """``2026-12-07``, ``week of 2026-12-07``, ``2026-12``, ``2026 Q4``, ``2026``."""
    if kind == "day":
        return f"{first:%Y-%m-%d}"
    if kind == "week":
        return f"week of {first:%Y-%m-%d}"
    if kind == "month":
        return f"{first:%Y-%m}"
    if kind == "quarter":
        return f"{first.year} Q{(first.month - 1) // 3 + 1}"
    return f"{first.year}"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


@record
class TrendFigures:
    """How a series of balances moved: change, volatility and the risk read from them."""

    percent_change: Decimal | None
    volatility: Decimal
    volatility_score: int
    trend_direction: str
    risk_level: str


def standard_deviation_cents(count: int, total: int, total_squares: float) -> float:
    """Population standard deviation of ``count`` values from their sum and sum of squares."""
    if count < 2:
        return 0.0
    mean = total / count
    variance = max(total_squares / count - mean * mean, 0.0)
    return math.sqrt(variance)


def trend_figures(
    opening_cents: int,
    closing_cents: int,
    count: int,
    total_cents: int,
    total_squares: float,
    rules: BalanceValidationRules | None = None,
) -> TrendFigures:
    """Percent change, volatility, trend and risk level of a period."""
    net = closing_cents - opening_cents
    percent = None
    if opening_cents != 0:
        percent = (Decimal(net) * 100 / abs(opening_cents)).quantize(Decimal("0.01"))
    stdev = standard_deviation_cents(count, total_cents, total_squares)
    scale = max(abs(opening_cents), abs(closing_cents), SCALE_FLOOR_CENTS)
    score = min(100, int(100 * stdev / scale))
    if Decimal(abs(net)) <= STABLE_SHARE * scale:
        direction = "stable"
    else:
        direction = "up" if net > 0 else "down"
    points = score // 2
    if rules is not None:
        if closing_cents < rules.warning_cents:
            points += 20
        if closing_cents < rules.critical_cents:
            points += 15
    if closing_cents < 0:
        points += 15
    if opening_cents > 0 and net * 2 <= -opening_cents:
        points += 15
    level = (
        "low" if points < 25 else "medium" if points < 50 else "high" if points < 75 else "critical"
    )
    return TrendFigures(
        percent_change=percent,
        volatility=cents_to_decimal(round(stdev)),
        volatility_score=score,
        trend_direction=direction,
        risk_level=level,
    )
