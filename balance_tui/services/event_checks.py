"""``verify`` re-checks what each event was written under, not only that it is unchanged:

- a customer's events never go back in time;
- an event without an approval is within its writer's authority (``authority_checks``);
- an event that applies an approval applies it as approved: the request was approved by
  another login before it expired, and the event has the request's customer, type, amount,
  reason, metadata and reversed event;
- the balance an event leaves stays within its tier's bounds, and the gross changes of the
  trailing 24 hours and 7 days (a reversal and what it undid not counting) within its
  daily and weekly limits, as the book's rules stood at that time. Rules count from when
  the book kept them: the design table from the upgrade that brought them into the book
  (its audit record), a rule an admin set from its time. Events written before the book
  kept its rules are not checked against any.
"""

from __future__ import annotations

import bisect
import json
from collections import deque
from collections.abc import Mapping
from typing import Any

from peewee import Database

from balance_tui.domain.hashing import canonical_json
from balance_tui.domain.money import format_cents
from balance_tui.domain.records import VerificationProblem
from balance_tui.domain.rollups import DAY_US
from balance_tui.services.authority_checks import AuthorityCheck
from balance_tui.store import event_checks as store

WEEK_US = 7 * DAY_US


class EventRulesCheck:
    """Fed every event in chain order (by customer, then sequence); collects problems."""

    def __init__(self, db: Database) -> None:
        self.approvals = store.applied_approvals(db)
        self.authority = AuthorityCheck(db)
        self.bounds = _bounds_history(store.rule_records(db))
        self.last: tuple[int, int] | None = None  # (customer, time) of the event before
        #: The current customer's trailing day and week: (time, gross change), oldest first.
        self.windows = (_Window(DAY_US), _Window(WEEK_US))

    def check(self, row: Mapping[str, Any], code: str) -> list[VerificationProblem]:
        found: list[str] = []
        customer, at = int(row["customer_id"]), int(row["created_us"])
        if self.last is not None and self.last[0] == customer and at < self.last[1]:
            found.append(f"event #{row['id']} is dated before the event before it")
        if self.last is None or self.last[0] != customer:
            for window in self.windows:
                window.clear()
        self.last = (customer, at)
        if row["approval_id"] is not None:
            found += self._approval(row)
        found += self.authority.check(row)
        found += self._bounds(row)
        return [VerificationProblem(code, int(row["id"]), text) for text in found]

    def _approval(self, row: Mapping[str, Any]) -> list[str]:
        request = self.approvals.get(int(row["approval_id"]))
        where = f"event #{row['id']} applies approval request #{row['approval_id']}"
        if request is None:
            return [f"{where}, which does not exist"]
        if request["verdict"] != "approved":
            return [f"{where}, which was not approved"]
        found = []
        if request["checker"] == request["maker"]:
            found.append(f"{where}, which its maker approved")
        if int(request["decided_us"]) >= int(request["expires_us"]):
            found.append(f"{where}, approved after it expired")
        limit = self.authority.authority_of(str(request["checker"]), int(request["decided_us"]))
        if limit is not None and abs(int(request["amount_cents"])) > limit:
            found.append(
                f"{where}, approved by {request['checker']} above their authority then "
                f"({format_cents(limit)})"
            )
        if (
            int(request["customer_id"]) != int(row["customer_id"])
            or request["change_type"] != row["change_type"]
            or int(request["amount_cents"]) != int(row["amount_cents"])
            or request["reason"] != row["reason"]
            or _canonical(request["metadata_json"]) != _canonical(row["metadata_json"])
            or request["reverses_event_id"] != row["reverses_event_id"]
        ):
            found.append(f"{where}, but is not the change that was approved")
        return found

    def _bounds(self, row: Mapping[str, Any]) -> list[str]:
        at, gross = int(row["created_us"]), abs(int(row["amount_cents"]))
        undone = row["reverses_event_id"]
        if undone is not None:  # a reversal releases what it undoes and uses nothing
            gross = 0
            for window in self.windows:
                window.release(int(undone))
        day, week = (window.add(int(row["id"]), at, gross) for window in self.windows)
        rule = self._rule_then(str(row["vip_level"]), at)
        if rule is None:
            return []
        _, low, high, daily, weekly = rule
        new, amount = int(row["new_cents"]), int(row["amount_cents"])
        found = []
        if (amount < 0 and new < low) or (amount > 0 and new > high):
            found.append(
                f"event #{row['id']} left the balance at {format_cents(new)}, outside the "
                f"{row['vip_level']} tier's bounds then ({format_cents(low)} to "
                f"{format_cents(high)})"
            )
        if gross and (day > daily or week > weekly):
            found.append(
                f"event #{row['id']} took the customer's changes to {format_cents(day)} in "
                f"24 hours and {format_cents(week)} in 7 days, over the {row['vip_level']} "
                f"limits then ({format_cents(daily)} and {format_cents(weekly)})"
            )
        return found

    def _rule_then(self, tier: str, at: int) -> tuple[int, ...] | None:
        history = self.bounds.get(tier)
        if not history:
            return None
        index = bisect.bisect_right(history, at, key=lambda entry: entry[0]) - 1
        return None if index < 0 else history[index]


class _Window:
    """The gross changes of a trailing window (open at its far end), kept as a running sum."""

    def __init__(self, width_us: int) -> None:
        self.width_us, self.total = width_us, 0
        self.entries: deque[tuple[int, int, int]] = deque()  # (event, time, gross)

    def clear(self) -> None:
        self.entries.clear()
        self.total = 0

    def add(self, event_id: int, at: int, gross: int) -> int:
        """The window's total once this change is in it."""
        while self.entries and self.entries[0][1] <= at - self.width_us:
            self.total -= self.entries.popleft()[2]
        self.entries.append((event_id, at, gross))
        self.total += gross
        return self.total

    def release(self, event_id: int) -> None:
        """An event in the window was reversed: it no longer counts."""
        for index, (event, at, gross) in enumerate(self.entries):
            if event == event_id:
                self.entries[index] = (event, at, 0)
                self.total -= gross
                return


def _canonical(text: object) -> str:
    try:
        return canonical_json(json.loads(str(text)))
    except ValueError:
        return str(text)


def _bounds_history(records: list[tuple[str, int]]) -> dict[str, list[tuple[int, ...]]]:
    """Per tier, (in force from, min, max, daily, weekly cents) in time order."""
    history: dict[str, list[tuple[int, ...]]] = {}
    for body, written_us in records:
        rule = json.loads(body)
        since = int(rule["set_us"]) or written_us  # the design table: from the upgrade
        history.setdefault(rule["tier"], []).append(
            (
                since,
                *(int(rule[f]) for f in ("min_cents", "max_cents", "daily_cents", "weekly_cents")),
            )
        )
    for entries in history.values():
        entries.sort(key=lambda entry: entry[0])
    return history
