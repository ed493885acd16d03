"""Checks on the shape of what callers pass in: ids, free text, metadata. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from balance_tui.domain.errors import InvalidInputError
from balance_tui.domain.hashing import canonical_json

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_CURRENCY = re.compile(r"[A-Z]{3}")
MAX_REASON = 500
MAX_NAME = 200
MAX_METADATA = 10_000


def check_code(value: Any, what: str) -> str:
    """A customer or agent id: 1-64 of letters, digits, '_', '.', '-' (the whole text)."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidInputError(
            f"{what} {value!r} is not valid: use 1-64 letters, digits, '_', '.' or '-'."
        )
    return value


def check_currency(value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.upper()):
        raise InvalidInputError(f"Currency {value!r} is not a 3-letter code like USD.")
    return value.upper()


def check_text(value: Any, what: str, limit: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be text.")
    if required and not value.strip():
        raise InvalidInputError(f"Give a {what.lower()}; every change is audited.")
    if len(value) > limit:
        raise InvalidInputError(f"{what} is {len(value)} characters; the limit is {limit}.")
    if "\x00" in value:
        raise InvalidInputError(f"{what} contains a NUL character, which cannot be stored.")
    return value


def metadata_to_json(metadata: Mapping[str, Any] | None) -> str:
    if metadata is None:
        return "{}"
    if not isinstance(metadata, Mapping):
        raise InvalidInputError("Metadata must be a JSON object (a mapping of names to values).")
    try:
        text = canonical_json(dict(metadata))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"Metadata cannot be stored as JSON: {exc}.") from None
    if "\\u0000" in text:
        raise InvalidInputError("Metadata contains a NUL character, which cannot be stored.")
    if len(text) > MAX_METADATA:
        raise InvalidInputError(f"Metadata is over {MAX_METADATA:,} characters of JSON.")
    return text
