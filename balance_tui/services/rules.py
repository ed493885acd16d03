"""The tier rules in force: read from the book, changed only by an admin (audited).

A new book takes its first rules from the settings of whoever creates it (the design table,
the environment's ``BALANCE_MIN_DEFAULT``…, the config file's ``[tiers.*]``); from then on
the book's rules are the only ones any terminal checks changes against. A terminal whose
settings say otherwise is told so when it opens the book, and its settings are not used.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property, lru_cache

from peewee import Database

from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.domain.inputs import MAX_NAME, check_text
from balance_tui.domain.money import cents_to_decimal, parse_amount, to_cents
from balance_tui.domain.record import record
from balance_tui.domain.tiers import (
    DEFAULT_RULEBOOK,
    VIP_TIERS,
    BalanceValidationRules,
    RuleBook,
    normalise_tier,
)
from balance_tui.services import audit_records
from balance_tui.services.authority import AuthorityService
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import from_us
from balance_tui.store import tier_rules as store

#: The figures an admin may set, by name, in the order they are stored.
FIGURE_NAMES = (
    "min_balance",
    "max_balance",
    "warning_threshold",
    "critical_threshold",
    "daily_change_limit",
    "weekly_change_limit",
)


@record
class TierRuleEntry:
    """One tier's rules as the book holds them, and who set them when."""

    tier: str
    rules: BalanceValidationRules
    set_by: str
    set_at: object


@lru_cache(maxsize=64)
def _rules(figures: tuple[int, ...]) -> BalanceValidationRules:
    """The rules of stored figures, made once per distinct figures (every write reads its
    tier's row; building and checking the rules each time cost a fifth of a batch)."""
    return BalanceValidationRules(*(cents_to_decimal(c) for c in figures))


def _figures(rules: BalanceValidationRules) -> tuple[int, ...]:
    return tuple(to_cents(getattr(rules, name)) for name in FIGURE_NAMES)


def read_rules(db: Database, tier: str) -> BalanceValidationRules:
    """One tier's rules from the book (inside the caller's transaction, if any)."""
    figures = store.figures_of(db, normalise_tier(tier))
    if figures is None:
        raise InvalidInputError(f"The book has no rules for the {tier} tier.")
    return _rules(figures)


def read_rulebook(db: Database) -> RuleBook:
    """The book's rules (inside the caller's transaction, if any)."""
    return RuleBook({tier: _rules(figures) for tier, figures, _, _ in store.rows(db)})


class RulesService(ServiceBase):
    """Reads and sets the book's tier rules."""

    @cached_property
    def authority(self) -> AuthorityService:
        return AuthorityService(self.db, self.clock, settings=self.settings, feed=self.feed)

    def entries(self) -> list[TierRuleEntry]:
        with self.read_snapshot():
            rows = store.rows(self.db)
        rows.sort(key=lambda row: VIP_TIERS.index(row[0]) if row[0] in VIP_TIERS else 99)
        return [TierRuleEntry(t, _rules(f), by, from_us(at)) for t, f, by, at in rows]

    def set_rule(self, tier: str, figure: str, amount: str | Decimal, set_by: str) -> TierRuleEntry:
        """Set one figure of one tier; only admins may. The rules must stay coherent
        (min below max, critical at or below warning, daily at or below weekly)."""
        label = check_text(set_by, "Operator", MAX_NAME)
        me = self.authority.identity(label)
        if not me.may_administer:
            raise NotAuthorisedError(
                f"Only an admin may change tier rules; {me.login} is {me.role}."
            )
        tier = normalise_tier(tier)
        if figure not in FIGURE_NAMES:
            raise InvalidInputError(
                f"Unknown figure {figure!r}; the figures are {', '.join(FIGURE_NAMES)}."
            )
        cents = parse_amount(amount) if isinstance(amount, str) else to_cents(amount)
        try:
            rules = (
                read_rulebook(self.db)
                .rules_for(tier)
                .with_overrides(**{figure: cents_to_decimal(cents)})
            )
        except ValueError as exc:
            raise InvalidInputError(f"{tier}: {exc}") from None
        now_us = self.now_us()
        self.transact(lambda: self._write(tier, rules, me.login, now_us))
        return TierRuleEntry(tier, rules, me.login, from_us(now_us))

    def seed(self, rulebook: RuleBook, set_by: str) -> None:
        """A new book takes its creator's rules where they differ from the design table."""
        changed = {t: r for t, r in rulebook.tiers.items() if DEFAULT_RULEBOOK.tiers[t] != r}
        if not changed:
            return
        now_us = self.now_us()

        def write() -> None:
            for tier, rules in changed.items():
                self._write(tier, rules, set_by, now_us)

        self.transact(write)

    def disagreement(self, rulebook: RuleBook) -> str:
        """What to tell a terminal whose own settings differ from the book's rules, or ""."""
        if rulebook == DEFAULT_RULEBOOK:
            return ""
        book = read_rulebook(self.db)
        differing = [t for t, r in rulebook.tiers.items() if book.tiers.get(t) != r]
        if not differing:
            return ""
        return (
            f"This terminal's tier settings ({', '.join(differing)}) differ from the book's; "
            "the book's rules are in force (an admin changes them: balance-tui rules set)."
        )

    def _write(self, tier: str, rules: BalanceValidationRules, by: str, now_us: int) -> None:
        store.set_rule(self.db, tier, _figures(rules), by, now_us)
        audit_records.record(self.db, "rule", [tier], now_us)
