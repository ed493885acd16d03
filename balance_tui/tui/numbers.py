"""How the screens write numbers: money with its currency and never cut, counts with
thousands separators, percentages with one decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from balance_tui.domain.money import decimal_to_cents, format_cents


def money(value: Decimal | None, currency: str = "", *, signed: bool = False) -> str:
    """``12,345.60 USD`` (``+`` on gains when ``signed``); ``-`` for no value."""
    if value is None:
        return "-"
    text = format_cents(decimal_to_cents(value), signed=signed)
    return f"{text} {currency}" if currency else text


def count(value: int) -> str:
    return f"{value:,}"


def percent(value: Decimal | None) -> str:
    """``2.5%``; ``n/a`` when there is no meaningful value."""
    if value is None:
        return "n/a"
    shown = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    if shown.is_zero():
        shown = abs(shown)  # -0.04 rounds to "-0.0": no change is not a fall
    return f"{shown:,}%"
