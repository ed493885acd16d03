"""Risk score of one balance change: 0 (routine) to 100 (look at this now).

Deterministic: the same inputs always give the same score. Four parts, added and capped:

* size, up to 50: ``50 × |amount| / daily limit`` (a change of the whole daily limit is 50);
* velocity, up to 20: 5 for each change the customer had in the hour before this one;
* nearness to the minimum, up to 20: 0 at or above the warning threshold, rising linearly to
  20 as the new balance goes from the warning threshold down to the minimum balance;
* type, 10 for an adjustment or a reversal (manual corrections deserve a second look).
"""

from __future__ import annotations

from balance_tui.domain.changes import ChangeType
from balance_tui.domain.tiers import BalanceValidationRules

SIZE_WEIGHT = 50
VELOCITY_PER_CHANGE = 5
VELOCITY_CAP = 20
NEARNESS_WEIGHT = 20
MANUAL_TYPE_POINTS = 10


def risk_score(
    change_type: ChangeType,
    change_cents: int,
    new_balance_cents: int,
    changes_last_hour: int,
    rules: BalanceValidationRules,
) -> int:
    """The documented 0-100 score of one change (integer arithmetic, no float)."""
    size = min(SIZE_WEIGHT, SIZE_WEIGHT * abs(change_cents) // max(rules.daily_cents, 1))
    velocity = min(VELOCITY_CAP, VELOCITY_PER_CHANGE * max(changes_last_hour, 0))
    nearness = 0
    if new_balance_cents < rules.warning_cents:
        span = max(rules.warning_cents - rules.min_cents, 1)
        depth = rules.warning_cents - new_balance_cents
        nearness = min(NEARNESS_WEIGHT, NEARNESS_WEIGHT * depth // span)
    manual = (
        MANUAL_TYPE_POINTS if change_type in (ChangeType.ADJUSTMENT, ChangeType.REVERSAL) else 0
    )
    return max(0, min(100, size + velocity + nearness + manual))
