"""Validation of one balance change against a tier's rules.

Stateless: the caller supplies the current balance and the gross usage (sum of |amount|) of
the trailing 24 hours and 7 days *before* this change; the change itself is added here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from balance_tui.domain.changes import ChangeType, sign_error
from balance_tui.domain.errors import InvalidAmountError
from balance_tui.domain.money import MAX_CENTS, MoneyInput, format_cents, to_cents
from balance_tui.domain.record import record
from balance_tui.domain.records import ValidationResult
from balance_tui.domain.tiers import DEFAULT_RULEBOOK, BalanceValidationRules, RuleBook

#: Usage above this share of a limit earns a warning.
USAGE_WARNING_SHARE = Decimal("0.8")
#: One change above this share of the daily limit earns a warning.
LARGE_CHANGE_SHARE = Decimal("0.5")

#: Error codes: which rule a rejection broke. ``LIMIT_CODES`` raise a ``limit_exceeded`` alert.
BELOW_MIN, ABOVE_MAX, DAILY_LIMIT, WEEKLY_LIMIT = "below_min", "above_max", "daily", "weekly"
LIMIT_CODES = frozenset({BELOW_MIN, ABOVE_MAX, DAILY_LIMIT, WEEKLY_LIMIT})


@record
class ChangeCheck:
    """The full outcome of checking a change, in cents, for services and the form preview."""

    result: ValidationResult
    error_codes: frozenset[str]
    new_balance_cents: int
    usage_24h_cents: int
    usage_7d_cents: int

    @property
    def breaks_a_limit(self) -> bool:
        return bool(self.error_codes & LIMIT_CODES)


def _share(used: int, limit: int) -> str:
    return f"{used * 100 // limit}%" if limit else "n/a"


def check_change(
    current_cents: int,
    change_cents: int,
    rules: BalanceValidationRules,
    *,
    change_type: ChangeType | None = None,
    usage_24h_cents: int = 0,
    usage_7d_cents: int = 0,
    tier: str = "",
) -> ChangeCheck:
    """Check a change in cents; every message names the figures involved."""
    errors: list[str] = []
    warnings: list[str] = []
    codes: set[str] = set()
    label = f"the {tier} " if tier else "the "

    if change_cents == 0 and change_type is not ChangeType.SETTLEMENT:
        errors.append("The amount is zero; a change must move the balance.")
        codes.add("amount")
    if abs(change_cents) > MAX_CENTS:
        errors.append(
            f"Amount {format_cents(change_cents)} is beyond the largest accepted amount of "
            f"{format_cents(MAX_CENTS)}."
        )
        codes.add("amount")
    if change_type is not None and "amount" not in codes:
        mismatch = sign_error(change_type, change_cents)
        if mismatch:
            errors.append(mismatch)
            codes.add("sign")

    new_cents = current_cents + change_cents
    # A reversal releases usage rather than using it (the caller leaves out what it undoes).
    gross = 0 if change_type is ChangeType.REVERSAL else abs(change_cents)
    used_24h = usage_24h_cents + gross
    used_7d = usage_7d_cents + gross

    # A change that moves an out-of-range balance back towards the range is allowed: a
    # deposit must never be refused because the balance is already too low.
    if new_cents < rules.min_cents and change_cents < 0:
        errors.append(
            f"Balance would fall to {format_cents(new_cents)}, below {label}minimum of "
            f"{format_cents(rules.min_cents)}."
        )
        codes.add(BELOW_MIN)
    if new_cents > rules.max_cents and change_cents > 0:
        errors.append(
            f"Balance would rise to {format_cents(new_cents)}, above {label}maximum of "
            f"{format_cents(rules.max_cents)}."
        )
        codes.add(ABOVE_MAX)
    if gross and used_24h > rules.daily_cents:
        errors.append(
            f"Changes in the last 24 hours would reach {format_cents(used_24h)}, over "
            f"{label}daily limit of {format_cents(rules.daily_cents)} "
            f"({format_cents(usage_24h_cents)} already used)."
        )
        codes.add(DAILY_LIMIT)
    if gross and used_7d > rules.weekly_cents:
        errors.append(
            f"Changes in the last 7 days would reach {format_cents(used_7d)}, over "
            f"{label}weekly limit of {format_cents(rules.weekly_cents)} "
            f"({format_cents(usage_7d_cents)} already used)."
        )
        codes.add(WEEKLY_LIMIT)

    if not errors:
        if new_cents < rules.critical_cents:
            warnings.append(
                f"New balance {format_cents(new_cents)} is below the critical threshold "
                f"of {format_cents(rules.critical_cents)}."
            )
        elif new_cents < rules.warning_cents:
            warnings.append(
                f"New balance {format_cents(new_cents)} is below the warning threshold "
                f"of {format_cents(rules.warning_cents)}."
            )
        if gross and used_24h * 10 > rules.daily_cents * 8:
            warnings.append(
                f"Daily usage with this change: {format_cents(used_24h)} of "
                f"{format_cents(rules.daily_cents)} ({_share(used_24h, rules.daily_cents)})."
            )
        if gross and used_7d * 10 > rules.weekly_cents * 8:
            warnings.append(
                f"Weekly usage with this change: {format_cents(used_7d)} of "
                f"{format_cents(rules.weekly_cents)} ({_share(used_7d, rules.weekly_cents)})."
            )
        if gross * 2 > rules.daily_cents:
            warnings.append(
                f"This single change of {format_cents(change_cents)} is over half the "
                f"daily limit of {format_cents(rules.daily_cents)}."
            )

    return ChangeCheck(
        result=ValidationResult(is_valid=not errors, errors=errors, warnings=warnings),
        error_codes=frozenset(codes),
        new_balance_cents=new_cents,
        usage_24h_cents=used_24h,
        usage_7d_cents=used_7d,
    )


class _RulesLookup:
    """Works on the class (design defaults) and on an instance (its own rule book)."""

    def __get__(self, instance: Any, owner: type[BalanceValidator]) -> Any:
        book = instance.rulebook if instance is not None else DEFAULT_RULEBOOK

        def get_validation_rules_for_vip(vip_level: str) -> BalanceValidationRules:
            """The rules of a VIP tier (case-insensitive); an unknown tier is an error."""
            return book.rules_for(vip_level)

        return get_validation_rules_for_vip


class BalanceValidator:
    """VIP-tier rules and stateless validation of one change (the seed's ``BalanceValidator``).

    ``BalanceValidator.get_validation_rules_for_vip("gold")`` uses the design table;
    ``BalanceValidator(rulebook)`` uses configured rules.
    """

    get_validation_rules_for_vip = _RulesLookup()

    def __init__(self, rulebook: RuleBook = DEFAULT_RULEBOOK) -> None:
        self.rulebook = rulebook

    @staticmethod
    def validate_balance_change(
        current_balance: MoneyInput,
        change_amount: MoneyInput,
        rules: BalanceValidationRules | None = None,
        *,
        change_type: str | None = None,
        usage_24h: MoneyInput = 0,
        usage_7d: MoneyInput = 0,
    ) -> ValidationResult:
        """Validate ``change_amount`` against ``rules`` (bronze when omitted).

        Never raises for a bad amount: it comes back as an error in the result.
        """
        rules = rules or DEFAULT_RULEBOOK.rules_for("bronze")
        try:
            current = to_cents(current_balance)
            change = to_cents(change_amount)
            used_24h = to_cents(usage_24h)
            used_7d = to_cents(usage_7d)
        except InvalidAmountError as exc:
            return ValidationResult(is_valid=False, errors=[str(exc)], warnings=[])
        kind = None
        if change_type is not None:
            try:
                kind = ChangeType(change_type.strip().lower())
            except ValueError:
                return ValidationResult(False, [f"Unknown change type {change_type!r}."], [])
        return check_change(
            current,
            change,
            rules,
            change_type=kind,
            usage_24h_cents=used_24h,
            usage_7d_cents=used_7d,
        ).result
