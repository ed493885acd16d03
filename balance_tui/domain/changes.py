"""Change types and the sign each one carries."""

from __future__ import annotations

from enum import StrEnum

from balance_tui.domain.errors import InvalidAmountError, InvalidChangeTypeError
from balance_tui.domain.money import format_cents, parse_amount


class ChangeType(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    WAGER = "wager"
    SETTLEMENT = "settlement"
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"


CHANGE_TYPES: tuple[str, ...] = tuple(t.value for t in ChangeType)
#: Types an operator may request; a reversal is only made by reversing an event.
REQUESTABLE_TYPES: tuple[str, ...] = tuple(t for t in CHANGE_TYPES if t != "reversal")

_SIGN_RULE = {
    ChangeType.DEPOSIT: "positive",
    ChangeType.WITHDRAWAL: "negative",
    ChangeType.WAGER: "negative",
    ChangeType.SETTLEMENT: "zero or positive",
    ChangeType.ADJUSTMENT: "non-zero",
    ChangeType.REVERSAL: "non-zero",
}


def parse_change_type(name: str, *, allow_reversal: bool = False) -> ChangeType:
    """The change type named, or :class:`InvalidChangeTypeError`."""
    key = name.strip().lower() if isinstance(name, str) else ""
    try:
        change_type = ChangeType(key)
    except ValueError:
        raise InvalidChangeTypeError(
            f"Unknown change type {name!r}; use one of {', '.join(REQUESTABLE_TYPES)}."
        ) from None
    if change_type is ChangeType.REVERSAL and not allow_reversal:
        raise InvalidChangeTypeError(
            "A reversal is made by reversing an event, not as a change of its own."
        )
    return change_type


def sign_error(change_type: ChangeType, cents: int) -> str | None:
    """Why ``cents`` does not fit ``change_type``, or ``None`` when it does."""
    fits = {
        ChangeType.DEPOSIT: cents > 0,
        ChangeType.WITHDRAWAL: cents < 0,
        ChangeType.WAGER: cents < 0,
        ChangeType.SETTLEMENT: cents >= 0,
        ChangeType.ADJUSTMENT: cents != 0,
        ChangeType.REVERSAL: cents != 0,
    }[change_type]
    if fits:
        return None
    rule = _SIGN_RULE[change_type]
    return f"A {change_type.value} must be {rule}; got {format_cents(cents, signed=True)}."


def signed_from_typed(change_type: ChangeType, typed_cents: int) -> int:
    """Apply the type's sign to an amount typed as a magnitude (an adjustment keeps its sign).

    A sign the operator typed must agree with the type: "-50" as a deposit is an error, not
    a withdrawal.
    """
    if change_type in (ChangeType.ADJUSTMENT, ChangeType.REVERSAL):
        return typed_cents
    if change_type in (ChangeType.WITHDRAWAL, ChangeType.WAGER):
        return -abs(typed_cents) if typed_cents >= 0 else typed_cents
    return typed_cents


def typed_change_cents(text: str, change_type: ChangeType) -> int:
    """The signed cents an operator means by typing ``text`` for ``change_type``.

    Deposits, withdrawals, wagers and settlements are typed as magnitudes and the type gives
    the sign; a sign the operator did type must agree. An adjustment carries its own sign.
    """
    cents = parse_amount(text)
    stripped = text.strip().lstrip("$€£").strip()
    if change_type in (ChangeType.DEPOSIT, ChangeType.SETTLEMENT) and cents < 0:
        raise InvalidAmountError(
            f"A {change_type.value} is typed as a positive amount; {text!r} has a minus sign."
        )
    if change_type in (ChangeType.WITHDRAWAL, ChangeType.WAGER) and (
        text.strip().startswith("+") or stripped.startswith("+")
    ):
        raise InvalidAmountError(
            f"A {change_type.value} takes money out; {text!r} has a plus sign (type it plain)."
        )
    return signed_from_typed(change_type, cents)
