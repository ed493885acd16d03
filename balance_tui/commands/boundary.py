"""What crosses into the program from the terminal: arguments and BALANCE_TUI_ variables
that are not UTF-8 text are refused once, here, before any book is opened."""

from __future__ import annotations

import argparse
import os

from balance_tui.commands.output import UsageError


def _undecodable(value: object) -> bool:
    """Text holding bytes the terminal sent that are not UTF-8 (Python keeps them as lone
    surrogates): no database can store or look them up."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_undecodable(args: argparse.Namespace) -> None:
    """Refuse, before anything is opened, an argument or a BALANCE_TUI_ variable that is
    not UTF-8 text (one message for every command, lookups and filters included)."""
    why = "contains bytes that are not valid Unicode text (not UTF-8); nothing was done."
    for name, value in sorted(vars(args).items()):
        values = value if isinstance(value, list) else [value]
        if any(_undecodable(v) for v in values):
            raise UsageError(f"The {name.replace('_', ' ')} given {why}")
    for variable, value in sorted(os.environ.items()):
        if variable.startswith("BALANCE_TUI_") and _undecodable(value):
            raise UsageError(f"{variable} {why}")
