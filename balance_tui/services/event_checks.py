"""``verify`` re-checks what each event was written under, not only that it is unchanged:

- a customer's events never go back in time;
- an event that applies an approval applies it as approved: the request was approved by
  another login before it expired, and the event has the request's customer, type, amount,
  reason, metadata and reversed event;
- the balance an event leaves stays within its tier's bounds as the book's rules stood at
  that time. Rules count from when the book kept them: the design table from the upgrade
  that brought them into the book (its audit record), a rule an admin set from its time.
  Events written before the book kept its rules are not checked against any.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from typing import Any

from peewee import Database

from balance_tui.domain.hashing import canonical_json
from balance_tui.domain.money import format_cents
from balance_tui.domain.records import VerificationProblem
from balance_tui.store import event_checks as store


class EventRulesCheck:
    """Fed every event in chain order (by customer, then sequence); collects problems."""

    def __init__(self, db: Database) -> None:
        self.approvals = store.applied_approvals(db)
        self.bounds = _bounds_history(store.rule_records(db))
        self.last: tuple[int, int] | None = None  # (customer, time) of the event before

    def check(self, row: Mapping[str, Any], code: str) -> list[VerificationProblem]:
        found: list[str] = []
        customer, at = int(row["customer_id"]), int(row["created_us"])
        if self.last is not None and self.last[0] == customer and at < self.last[1]:
            found.append(f"event #{row['id']} is dated before the event before it")
        self.last = (customer, at)
        if row["approval_id"] is not None:
            found += self._approval(row)
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
        history = self.bounds.get(str(row["vip_level"]))
        if not history:
            return []
        at = int(row["created_us"])
        index = bisect.bisect_right(history, at, key=lambda entry: entry[0]) - 1
        if index < 0:
            return []
        _, low, high = history[index]
        new, amount = int(row["new_cents"]), int(row["amount_cents"])
        if (amount < 0 and new < low) or (amount > 0 and new > high):
            return [
                f"event #{row['id']} left the balance at {format_cents(new)}, outside the "
                f"{row['vip_level']} tier's bounds then ({format_cents(low)} to "
                f"{format_cents(high)})"
            ]
        return []


def _canonical(text: object) -> str:
    try:
        return canonical_json(json.loads(str(text)))
    except ValueError:
        return str(text)


def _bounds_history(records: list[tuple[str, int]]) -> dict[str, list[tuple[int, int, int]]]:
    """Per tier, (in force from, min cents, max cents) in time order."""
    history: dict[str, list[tuple[int, int, int]]] = {}
    for body, written_us in records:
        rule = json.loads(body)
        since = int(rule["set_us"]) or written_us  # the design table: from the upgrade
        history.setdefault(rule["tier"], []).append(
            (since, int(rule["min_cents"]), int(rule["max_cents"]))
        )
    for entries in history.values():
        entries.sort(key=lambda entry: entry[0])
    return history
