"""What a failure is called on screen: the engine's own sentence, or a database failure in
words an operator can act on (never the driver's text alone)."""

from __future__ import annotations

from balance_tui.domain.errors import BalanceError

#: Driver texts that mean the book's file is no longer where it was opened.
_FILE_GONE = ("unable to open database file", "no such table", "disk i/o error")


def problem_text(exc: BaseException) -> str:
    if isinstance(exc, BalanceError):
        return str(exc)
    text = str(exc).strip()
    if any(marker in text.lower() for marker in _FILE_GONE):
        return (
            "The book's file cannot be opened any more (moved or deleted?): nothing was "
            "changed. Quit, and open the book where it is now."
        )
    return f"Database error: {text}"
