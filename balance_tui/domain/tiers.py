"""VIP tiers and the balance rules that go with each.

The table is DESIGN §3 (the seed's figures; its "$10K min" is a credit floor of -10,000).
Weekly limits are four times the daily ones. Names are case-insensitive; an unknown name is
an error, never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from decimal import Decimal
from functools import cached_property

from balance_tui.domain.errors import InvalidAmountError, UnknownTierError
from balance_tui.domain.money import decimal_to_cents
from balance_tui.domain.record import record

VIP_TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum", "diamond")


@record
class BalanceValidationRules:
    """The limits one balance change is checked against (amounts in currency units)."""

    min_balance: Decimal
    max_balance: Decimal
    warning_threshold: Decimal
    critical_threshold: Decimal
    daily_change_limit: Decimal
    weekly_change_limit: Decimal

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, Decimal):
                object.__setattr__(self, f.name, Decimal(str(value)))
        for f in fields(self):  # every figure is exact money within the accepted range
            try:
                decimal_to_cents(getattr(self, f.name))
            except InvalidAmountError as exc:
                raise ValueError(f"{f.name}: {exc}") from None
        if self.min_balance >= self.max_balance:
            raise ValueError(
                f"min_balance {self.min_balance} must be below max_balance {self.max_balance}."
            )
        if self.daily_change_limit <= 0 or self.weekly_change_limit <= 0:
            raise ValueError("daily_change_limit and weekly_change_limit must be positive.")
        if self.daily_change_limit > self.weekly_change_limit:
            raise ValueError(
                f"daily_change_limit {self.daily_change_limit} is above "
                f"weekly_change_limit {self.weekly_change_limit}."
            )
        if self.critical_threshold > self.warning_threshold:
            raise ValueError(
                f"critical_threshold {self.critical_threshold} is above "
                f"warning_threshold {self.warning_threshold}; critical is the lower line."
            )

    # Cents views, computed once: validation runs on integers.
    @cached_property
    def min_cents(self) -> int:
        return decimal_to_cents(self.min_balance)

    @cached_property
    def max_cents(self) -> int:
        return decimal_to_cents(self.max_balance)

    @cached_property
    def warning_cents(self) -> int:
        return decimal_to_cents(self.warning_threshold)

    @cached_property
    def critical_cents(self) -> int:
        return decimal_to_cents(self.critical_threshold)

    @cached_property
    def daily_cents(self) -> int:
        return decimal_to_cents(self.daily_change_limit)

    @cached_property
    def weekly_cents(self) -> int:
        return decimal_to_cents(self.weekly_change_limit)

    def with_overrides(self, **changes: Decimal) -> BalanceValidationRules:
        """A copy with some figures replaced (for one operation or a config override)."""
        return replace(self, **changes)


def _tier(minimum: int, maximum: int, daily: int) -> BalanceValidationRules:
    return BalanceValidationRules(
        min_balance=Decimal(minimum),
        max_balance=Decimal(maximum),
        warning_threshold=Decimal(1_000),
        critical_threshold=Decimal(100),
        daily_change_limit=Decimal(daily),
        weekly_change_limit=Decimal(daily * 4),
    )


_DESIGN_TABLE: dict[str, BalanceValidationRules] = {
    "bronze": _tier(-10_000, 1_000_000, 50_000),
    "silver": _tier(-10_000, 1_000_000, 100_000),
    "gold": _tier(-15_000, 1_500_000, 150_000),
    "platinum": _tier(-25_000, 2_500_000, 250_000),
    "diamond": _tier(-50_000, 5_000_000, 500_000),
}

#: Tiers whose min/max are the seed's "default" figures, which BALANCE_MIN_DEFAULT and
#: BALANCE_MAX_DEFAULT replace.
DEFAULT_LIMIT_TIERS = ("bronze", "silver")


def normalise_tier(name: str) -> str:
    """The canonical (lower-case) tier name, or :class:`UnknownTierError`."""
    if not isinstance(name, str):
        raise UnknownTierError(f"A VIP tier is a name, not {type(name).__name__}.")
    key = name.strip().lower()
    if key not in VIP_TIERS:
        raise UnknownTierError(f"Unknown VIP tier {name!r}; the tiers are {', '.join(VIP_TIERS)}.")
    return key


@record
class RuleBook:
    """The rules of every tier in force (the design table plus configured overrides)."""

    tiers: Mapping[str, BalanceValidationRules]

    @classmethod
    def design_defaults(cls) -> RuleBook:
        return cls(dict(_DESIGN_TABLE))

    def rules_for(self, tier: str) -> BalanceValidationRules:
        return self.tiers[normalise_tier(tier)]

    def with_tier(self, tier: str, rules: BalanceValidationRules) -> RuleBook:
        updated = dict(self.tiers)
        updated[normalise_tier(tier)] = rules
        return RuleBook(updated)


DEFAULT_RULEBOOK = RuleBook.design_defaults()
