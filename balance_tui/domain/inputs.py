"""Checks on the shape of what callers pass in: ids, free text, metadata. Pure functions."""

from __future__ import annotations

import json
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
#: How deeply metadata may nest (objects and lists inside each other).
MAX_METADATA_DEPTH = 16
#: Ids are 64-bit signed integers in both databases.
MAX_ID = 2**63 - 1


def check_id(value: Any, what: str) -> int:
    """A stored row's id: a whole number (``int``, not ``bool``) from 1 to 2^63-1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what} must be a whole number, not {type(value).__name__}.")
    if not 1 <= value <= MAX_ID:
        shown = f"{value:,}" if abs(value) < 10**30 else "that number"
        raise InvalidInputError(f"{what} {shown} is out of range (1 to {MAX_ID:,}).")
    return value


def _storable(text: str, what: str) -> None:
    """Text both databases can store: UTF-8 encodable, no NUL."""
    if "\x00" in text:
        raise InvalidInputError(f"{what} contains a NUL character, which cannot be stored.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{what} contains a character that is not valid Unicode text (a lone surrogate)."
        ) from None


def check_code(value: Any, what: str) -> str:
    """A customer or agent id: 1-64 of letters, digits, '_', '.', '-' (the whole text)."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidInputError(
            f"{what} {value!r} is not valid: use 1-64 letters, digits, '_', '.' or '-'."
        )
    return value


#: ISO 4217 currencies whose minor unit is not a hundredth (decimal places).
OTHER_MINOR_UNITS = {
    **dict.fromkeys(
        (
            *("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX"),
            *("UYI", "VND", "VUV", "XAF", "XOF", "XPF"),
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


#: The longest text a search (part of ids or names) may be.
MAX_SEARCH = 200


def check_search(text: str | None) -> str | None:
    """A search as typed, stripped; longer than ``MAX_SEARCH`` is refused."""
    if text is None or not text.strip():
        return None
    if len(text.strip()) > MAX_SEARCH:
        raise InvalidInputError(
            f"A search is at most {MAX_SEARCH} characters (this one has {len(text.strip()):,})."
        )
    _storable(text, "A search")
    return text.strip()


def parse_metadata(text: str, what: str) -> dict[str, Any]:
    """A metadata JSON object as typed; anything else, or JSON Python cannot read (a number
    of 5,000 digits, 5,000 levels deep), is refused in one sentence naming ``what``."""

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, item in pairs:
            if key in seen:
                raise InvalidInputError(f"{what} names the key {key!r} twice.")
            seen[key] = item
        return seen

    try:
        value = json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{what} is not valid JSON: {exc.msg} at position {exc.pos}."
        ) from None
    except InvalidInputError:
        raise
    except RecursionError:
        raise InvalidInputError(f"{what} nests too deeply.") from None
    except ValueError:  # a number over Python's 4,300 digits
        raise InvalidInputError(f"{what} holds a number too long to read.") from None
    if not isinstance(value, dict):
        raise InvalidInputError(f'{what} must be a JSON object, like \'{{"source": "bank"}}\'.')
    return value


def following_code(code: str) -> str:
    """The id after ``code`` in its own numbering: CUSTOMER_00040 -> CUSTOMER_00041 (the
    same width), C9 -> C10, a code without a number -> CODE_2."""
    match = re.fullmatch(r"(.*?)(\d+)", code)
    if match is None:
        return f"{code}_2"
    prefix, digits = match.groups()
    return f"{prefix}{int(digits) + 1:0{len(digits)}d}"


def check_currency(value: Any) -> str:
    if not isinstance(value, str) or not value.isascii() or not _CURRENCY.fullmatch(value.upper()):
        raise InvalidInputError(f"Currency {value!r} is not a 3-letter code like USD.")
    code = value.upper()
    if code in OTHER_MINOR_UNITS:
        raise InvalidInputError(
            f"{code} has {OTHER_MINOR_UNITS[code]} decimal places (its ISO 4217 minor unit); "
            "a book keeps amounts in hundredths, so it takes only currencies with 2 "
            "(USD, EUR, GBP, ...)."
        )
    return code


def storable_text(value: Any, limit: int) -> str:
    """Any value as text a database can store, for the record of a *refused* attempt:
    cut to ``limit``, NUL and lone surrogates escaped (never an error of its own)."""
    text = str(value if value is not None else "?")[:limit]
    text = text.replace("\x00", "\\x00")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


def check_text(value: Any, what: str, limit: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be text.")
    if required and not value.strip():
        article = "an" if what[:1].lower() in "aeiou" else "a"
        raise InvalidInputError(f"Give {article} {what.lower()}; every change is audited.")
    if len(value) > limit:
        raise InvalidInputError(f"{what} is {len(value):,} characters; the limit is {limit:,}.")
    _storable(value, what)
    return value


def _check_structure(value: Any) -> None:
    """Metadata nests at most ``MAX_METADATA_DEPTH`` deep, keys are text, numbers finite."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping | list | tuple) and depth > MAX_METADATA_DEPTH:
            raise InvalidInputError(f"Metadata nests more than {MAX_METADATA_DEPTH} levels deep.")
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise InvalidInputError(
                        f"Metadata keys must be text; {key!r} is a {type(key).__name__}."
                    )
                stack.append((child, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            raise InvalidInputError(f"Metadata holds {item}, which JSON cannot carry.")


def metadata_to_json(metadata: Mapping[str, Any] | None) -> str:
    if metadata is None:
        return "{}"
    if not isinstance(metadata, Mapping):
        raise InvalidInputError("Metadata must be a JSON object (a mapping of names to values).")
    _check_structure(metadata)
    try:
        text = canonical_json(dict(metadata))
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInputError(f"Metadata cannot be stored as JSON: {exc}.") from None
    if "\\u0000" in text:
        raise InvalidInputError("Metadata contains a NUL character, which cannot be stored.")
    _storable(text, "Metadata")
    if len(text) > MAX_METADATA:
        raise InvalidInputError(f"Metadata is over {MAX_METADATA:,} characters of JSON.")
    return text
