"""VIP tiers, change types and signs, validation, alerts, risk, hashing, analytics maths."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balance_tui.domain import alerts
from balance_tui.domain.analytics import trend_figures
from balance_tui.domain.changes import ChangeType, parse_change_type, sign_error, signed_from_typed
from balance_tui.domain.errors import InvalidChangeTypeError, UnknownTierError
from balance_tui.domain.hashing import GENESIS_HASH, ChainedFields, chain_hash
from balance_tui.domain.risk import risk_score
from balance_tui.domain.tiers import DEFAULT_RULEBOOK, VIP_TIERS, RuleBook
from balance_tui.domain.validation import BalanceValidator, check_change

DESIGN_TABLE = {
    "bronze": (-10_000, 1_000_000, 50_000),
    "silver": (-10_000, 1_000_000, 100_000),
    "gold": (-15_000, 1_500_000, 150_000),
    "platinum": (-25_000, 2_500_000, 250_000),
    "diamond": (-50_000, 5_000_000, 500_000),
}


@pytest.mark.parametrize("tier", VIP_TIERS)
def test_tiers_are_the_design_table(tier: str) -> None:
    rules = BalanceValidator.get_validation_rules_for_vip(tier.upper())
    minimum, maximum, daily = DESIGN_TABLE[tier]
    assert (rules.min_balance, rules.max_balance, rules.daily_change_limit) == (
        Decimal(minimum),
        Decimal(maximum),
        Decimal(daily),
    )
    assert rules.weekly_change_limit == 4 * rules.daily_change_limit
    assert (rules.warning_threshold, rules.critical_threshold) == (Decimal(1000), Decimal(100))


def test_unknown_tier_is_an_error_and_instances_use_their_rulebook() -> None:
    with pytest.raises(UnknownTierError, match="bronze, silver, gold, platinum, diamond"):
        BalanceValidator.get_validation_rules_for_vip("iron")
    custom = DEFAULT_RULEBOOK.with_tier(
        "gold", DEFAULT_RULEBOOK.rules_for("gold").with_overrides(daily_change_limit=Decimal(1))
    )
    assert isinstance(custom, RuleBook)
    assert BalanceValidator(custom).get_validation_rules_for_vip("gold").daily_cents == 100
    assert BalanceValidator.get_validation_rules_for_vip("gold").daily_cents == 15_000_000


def test_change_types_and_signs() -> None:
    assert sign_error(ChangeType.DEPOSIT, 1) is None and sign_error(ChangeType.DEPOSIT, 0)
    assert sign_error(ChangeType.WITHDRAWAL, -1) is None and sign_error(ChangeType.WITHDRAWAL, 1)
    assert sign_error(ChangeType.WAGER, 5) == "A wager must be negative; got +0.05."
    assert sign_error(ChangeType.SETTLEMENT, 0) is None
    assert sign_error(ChangeType.ADJUSTMENT, 0) and sign_error(ChangeType.ADJUSTMENT, -5) is None
    with pytest.raises(InvalidChangeTypeError, match="reversing an event"):
        parse_change_type("reversal")
    assert parse_change_type("Reversal", allow_reversal=True) is ChangeType.REVERSAL
    assert signed_from_typed(ChangeType.WAGER, 500) == -500
    assert signed_from_typed(ChangeType.ADJUSTMENT, -500) == -500


BRONZE = DEFAULT_RULEBOOK.rules_for("bronze")


def test_validation_errors_name_the_figures() -> None:
    result = BalanceValidator.validate_balance_change(Decimal(0), Decimal(-12000), BRONZE)
    assert result.errors == ["Balance would fall to -12,000.00, below the minimum of -10,000.00."]
    check = check_change(0, -1_200_000, BRONZE, tier="bronze")
    assert check.result.errors == [
        "Balance would fall to -12,000.00, below the bronze minimum of -10,000.00."
    ]
    assert check.breaks_a_limit


def test_edges_are_allowed_one_cent_over_is_not() -> None:
    assert check_change(0, -1_000_000, BRONZE).result.is_valid  # exactly the minimum
    assert not check_change(0, -1_000_001, BRONZE).result.is_valid
    assert check_change(0, 5_000_000, BRONZE, usage_24h_cents=0).result.is_valid
    over = check_change(0, 1, BRONZE, usage_24h_cents=5_000_000)
    assert "daily limit" in over.result.errors[0]
    assert check_change(-2_000_000, 500_000, BRONZE).result.is_valid  # towards the range


def test_warnings() -> None:
    low = check_change(200_000, -150_000, BRONZE).result
    assert low.is_valid and "below the warning threshold of 1,000.00" in low.warnings[0]
    critical = check_change(20_000, -15_000, BRONZE).result
    assert "below the critical threshold of 100.00" in critical.warnings[0]
    busy = check_change(10_000_000, 100, BRONZE, usage_24h_cents=4_000_000).result
    assert any(
        "Daily usage with this change: 40,001.00 of 50,000.00 (80%)" in w for w in busy.warnings
    )
    big = check_change(10_000_000, 2_500_001, BRONZE).result
    assert any("over half the daily limit" in w for w in big.warnings)


def test_bad_amounts_come_back_as_errors_not_exceptions() -> None:
    for amount in ("abc", "1.001", Decimal("NaN"), 0.125):
        result = BalanceValidator.validate_balance_change(0, amount, BRONZE)
        assert not result.is_valid and result.errors


@given(
    tier=st.sampled_from(VIP_TIERS),
    current=st.integers(-(10**10), 10**10),
    change=st.integers(-(10**10), 10**10),
    used_day=st.integers(0, 10**9),
    extra_week=st.integers(0, 10**9),
)
def test_an_accepted_change_never_breaks_a_limit(
    tier, current, change, used_day, extra_week
) -> None:
    rules = DEFAULT_RULEBOOK.rules_for(tier)
    used_week = used_day + extra_week
    check = check_change(current, change, rules, usage_24h_cents=used_day, usage_7d_cents=used_week)
    if check.result.is_valid:
        new = current + change
        assert new >= rules.min_cents or change >= 0
        assert new <= rules.max_cents or change <= 0
        assert used_day + abs(change) <= rules.daily_cents
        assert used_week + abs(change) <= rules.weekly_cents
        assert change != 0


def test_alerts_only_when_entering_the_zone_and_not_twice() -> None:
    entered = alerts.alerts_for_change("C", 100_000, 99_999, BRONZE, set())
    assert [a.alert_type for a in entered] == ["warning"]
    assert alerts.alerts_for_change("C", 99_999, 90_000, BRONZE, set()) == []
    assert alerts.alerts_for_change("C", 100_000, 99_999, BRONZE, {"warning"}) == []
    both = alerts.alerts_for_change("C", 100_000, 5_000, BRONZE, set())
    assert [a.alert_type for a in both] == ["critical", "warning", "significant_drop"]


@pytest.mark.parametrize(("new", "raised"), [(750_000, True), (750_001, False)])
def test_significant_drop_threshold(new: int, raised: bool) -> None:
    drafts = alerts.alerts_for_change("C", 1_000_000, new, BRONZE, set())
    assert (alerts.SIGNIFICANT_DROP in [a.alert_type for a in drafts]) is raised
    assert alerts.alerts_for_change("C", 0, -500, BRONZE, {"warning", "critical"}) == []


def test_risk_score_parts_and_bounds() -> None:
    assert risk_score(ChangeType.DEPOSIT, 100, 10_000_000, 0, BRONZE) == 0
    assert risk_score(ChangeType.DEPOSIT, 5_000_000, 10_000_000, 0, BRONZE) == 50
    assert risk_score(ChangeType.DEPOSIT, 100, 10_000_000, 10, BRONZE) == 20
    assert risk_score(ChangeType.ADJUSTMENT, 100, 10_000_000, 0, BRONZE) == 10
    assert risk_score(ChangeType.WAGER, -100, -1_000_000, 0, BRONZE) == 20
    assert risk_score(ChangeType.REVERSAL, -(10**12), -(10**12), 99, BRONZE) == 100


@given(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9), st.integers(0, 50))
def test_risk_score_is_deterministic_and_bounded(change: int, new: int, velocity: int) -> None:
    score = risk_score(ChangeType.WAGER, change, new, velocity, BRONZE)
    assert 0 <= score <= 100
    assert score == risk_score(ChangeType.WAGER, change, new, velocity, BRONZE)


def _fields(**changes: object) -> ChainedFields:
    base = dict(
        customer_id="C",
        sequence=1,
        agent_id="A",
        change_type="deposit",
        amount_cents=100,
        previous_cents=0,
        new_cents=100,
        reason="r",
        performed_by="op",
        vip_level="gold",
        metadata_json="{}",
        risk_score=0,
        warnings_json="[]",
        idempotency_key=None,
        created_us=1,
        reverses_event_id=None,
    )
    return ChainedFields(**(base | changes))  # type: ignore[arg-type]


def test_every_field_and_the_previous_hash_change_the_hash() -> None:
    reference = chain_hash(GENESIS_HASH, _fields())
    assert reference == chain_hash(GENESIS_HASH, _fields())
    for name, value in [
        ("reason", "R"),
        ("amount_cents", 101),
        ("created_us", 2),
        ("metadata_json", '{"a":1}'),
        ("sequence", 2),
    ]:
        assert chain_hash(GENESIS_HASH, _fields(**{name: value})) != reference
    assert chain_hash("1" * 64, _fields()) != reference


def test_trend_figures_on_known_numbers() -> None:
    flat = trend_figures(100_000, 100_000, 0, 0, 0.0)
    assert (flat.percent_change, flat.trend_direction, flat.risk_level) == (
        Decimal("0.00"),
        "stable",
        "low",
    )
    up = trend_figures(100_000, 150_000, 2, 50_000, 2 * 25_000.0**2)
    assert up.trend_direction == "up" and up.percent_change == Decimal("50.00")
    none = trend_figures(0, 5_000, 1, 5_000, 25_000_000.0)
    assert none.percent_change is None
    crash = trend_figures(1_000_000, -50_000, 1, -1_050_000, 1_050_000.0**2, BRONZE)
    assert crash.trend_direction == "down" and crash.risk_level in ("high", "critical")
    spread = trend_figures(0, 0, 2, 0, 2 * 30_000.0**2)
    assert spread.volatility == Decimal("300.00")
