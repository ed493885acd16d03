"""Printing for the command line: terminal-safe text, money, JSON, one-line errors."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.plain import plain
from balance_tui.domain.text import visible_line


class UsageError(Exception):
    """A command line that cannot be carried out as typed (exit code 2)."""


def safe(text: object) -> str:
    """Text from the database made harmless for a terminal: control characters and bidi
    overrides escaped, on one line."""
    return visible_line(text)


def money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return "-"
    shown = format_cents(decimal_to_cents(value))
    return f"{shown} {currency}" if currency else shown


def signed(value: Decimal) -> str:
    return format_cents(decimal_to_cents(value), signed=True)


def when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _write(text: str) -> None:
    """Print to stdout; a reader that went away (``| head``, ``| true``) is not an error of
    ours, and must not change the command's exit code: the rest goes to /dev/null."""
    try:
        print(text)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends


def out(line: str = "") -> None:
    _write(line)


def error_line(message: str) -> None:
    print(f"balance-tui: {safe(message)}", file=sys.stderr)


def print_json(value: Any) -> None:
    _write(json.dumps(plain(value), indent=2, sort_keys=True, ensure_ascii=False))


def table(rows: list[list[str]], headers: list[str], right: set[int] | None = None) -> None:
    """A plain aligned table (no colours: output is for scripts and pipes too)."""
    right = right or set()
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out(line(headers))
    for row in rows:
        out(line(row))


def parse_moment(text: str | None, what: str) -> datetime | None:
    """An ISO date or date-time from the command line; naive means UTC."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{what} {text!r} is not a date like 2026-01-31 or 2026-01-31T12:00."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
