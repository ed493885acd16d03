"""Exact money: integer cents in, integer cents stored, ``Decimal`` with two places out.

Floats never carry money here. A float handed to the API is converted through its ``repr``
(``0.1`` -> ``"0.1"``) and must then have at most two decimals.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation, localcontext

from balance_tui.domain.errors import InvalidAmountError

CENT = Decimal("0.01")
#: Largest magnitude we accept for one amount or balance: 10^12 currency units.
MAX_UNITS = 10**12
MAX_CENTS = MAX_UNITS * 100

MoneyInput = Decimal | int | str | float

#: Currency symbols an operator may type, and the currency each one names.
SYMBOL_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}

# What an operator types: optional sign, optional currency symbol, ASCII digits with or
# without thousands separators, up to two decimals. The sign may stand before or after the
# symbol. Only ASCII digits: "١٢٣" or "１００" are not amounts here (re.ASCII).
_TYPED_AMOUNT = re.compile(
    r"""\s*
    (?P<sign1>[+-])?\s*
    (?P<symbol>[$€£])?\s*
    (?P<sign2>[+-])?\s*
    (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?
    (?:\.(?P<frac>[0-9]+))?
    \s*""",
    re.VERBOSE | re.ASCII,
)
#: Our own arithmetic context: exact for every amount we accept, whatever the caller's
#: ``decimal`` context says (a caller's ``prec=6`` must not round 1,234,567.89).
_EXACT = Context(prec=60, Emax=999_999, Emin=-999_999, traps=[InvalidOperation])


def cents_to_decimal(cents: int) -> Decimal:
    """Integer cents as a ``Decimal`` with exactly two places."""
    with localcontext(_EXACT):
        return Decimal(cents).scaleb(-2).quantize(CENT)


def decimal_to_cents(value: Decimal) -> int:
    """An exact ``Decimal`` (at most two places, finite, within range) as integer cents."""
    if not value.is_finite():
        raise InvalidAmountError(f"Amount {value} is not a finite number.")
    if value.is_zero() and value.is_signed():
        raise InvalidAmountError("Amount -0 has a minus sign on zero; give 0 or a real amount.")
    if not value.is_zero() and value.adjusted() > 13:  # cheap: no huge integer is built
        raise InvalidAmountError(
            f"Amount {value:.3E} is beyond the largest accepted amount of "
            f"{format_cents(MAX_CENTS)}."
        )
    with localcontext(_EXACT):
        scaled = value.scaleb(2)
        exact = scaled == scaled.to_integral_value()
    if not exact:
        raise InvalidAmountError(
            f"Amount {value} has more than 2 decimal places; money is kept to the cent."
        )
    cents = int(scaled)
    if abs(cents) > MAX_CENTS:
        raise InvalidAmountError(
            f"Amount {format_cents(cents)} is beyond the largest accepted amount of "
            f"{format_cents(MAX_CENTS)}."
        )
    return cents


def to_cents(value: MoneyInput) -> int:
    """Convert an API amount (``Decimal``, ``int``, ``str`` or ``float``) to integer cents."""
    if isinstance(value, bool):
        raise InvalidAmountError("An amount must be a number, not True/False.")
    if isinstance(value, int):
        if abs(value) > MAX_UNITS:
            if abs(value) > 10**30:  # do not format a thousand-digit number in a message
                raise InvalidAmountError("Amount is far beyond the largest accepted amount.")
            raise InvalidAmountError(
                f"Amount {value:,} is beyond the largest accepted amount of {MAX_UNITS:,}."
            )
        return value * 100
    if isinstance(value, float):
        # repr() gives the shortest string that round-trips: 0.1 -> "0.1", not 0.1000000000000000055
        return decimal_to_cents(_decimal_from_text(repr(value)))
    if isinstance(value, Decimal):
        return decimal_to_cents(value)
    if isinstance(value, str):
        return parse_amount(value)
    raise InvalidAmountError(f"An amount must be a number, not {type(value).__name__}.")


def _decimal_from_text(text: str) -> Decimal:
    try:
        with localcontext(_EXACT):
            return Decimal(text)
    except InvalidOperation:
        raise InvalidAmountError(f"{text!r} is not an amount.") from None


def parse_amount(text: str) -> int:
    """Parse an amount as an operator types it ("1,250.50", "$300", "-75") into cents."""
    if not isinstance(text, str):
        raise InvalidAmountError(f"An amount must be text, not {type(text).__name__}.")
    shown = text.strip()
    if not shown:
        raise InvalidAmountError("Enter an amount.")
    if len(shown) > 40:
        raise InvalidAmountError("That amount is too long to be a money value.")
    lowered = shown.lower().lstrip("+-")
    if lowered in {"nan", "snan", "inf", "infinity"}:
        raise InvalidAmountError(f"{shown!r} is not a finite amount.")
    match = _TYPED_AMOUNT.fullmatch(shown)
    if match is None or (match["int"] is None and match["frac"] is None):
        raise InvalidAmountError(
            f"{_printable(shown)!r} is not an amount; type digits like 1,250.50 or -75."
        )
    if match["sign1"] and match["sign2"]:
        raise InvalidAmountError(f"{shown!r} has two signs.")
    minus = (match["sign1"] or match["sign2"]) == "-"
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise InvalidAmountError(
            f"{shown!r} has more than 2 decimal places; money is kept to the cent."
        )
    whole = (match["int"] or "0").replace(",", "")
    cents = int(whole) * 100 + int(frac.ljust(2, "0") or "0")
    if minus and cents == 0:
        raise InvalidAmountError(f"{shown!r} has a minus sign on zero; give 0 or a real amount.")
    if minus:
        cents = -cents
    if abs(cents) > MAX_CENTS:
        raise InvalidAmountError(
            f"{shown!r} is beyond the largest accepted amount of {format_cents(MAX_CENTS)}."
        )
    return cents


def typed_currency(text: object) -> str | None:
    """The currency a typed amount names by its symbol ("€50" -> "EUR"), or None."""
    if not isinstance(text, str):
        return None
    match = _TYPED_AMOUNT.fullmatch(text.strip())
    return None if match is None or not match["symbol"] else SYMBOL_CURRENCY[match["symbol"]]


def format_cents(cents: int, *, signed: bool = False) -> str:
    """Cents as operators read them: ``-12,000.00``; with ``signed``, ``+50.00`` too."""
    sign = "-" if cents < 0 else ("+" if signed and cents > 0 else "")
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units:,}.{rest:02d}"


def format_money(value: Decimal) -> str:
    """A ``Decimal`` amount formatted like :func:`format_cents`."""
    return format_cents(decimal_to_cents(value))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)
